"""Personal-information rights: export, deletion that anonymises but keeps orders, the admins'
record of requests, and logs without codes, tokens or full phone numbers."""

from __future__ import annotations

import io
import logging
import re
import uuid

import httpx
from PIL import Image

from backend.notify.sms import make_sms_sender
from backend.settings import Settings
from tests.factories import ADMIN, PASSWORD, RESIDENT, WORKER, WORKER2, Api
from tests.live import LiveServer
from tests.seeded import seeded_database


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (1, 2, 3)).save(out, format="JPEG")
    return out.getvalue()


async def _order_with_photo(api: Api) -> tuple[dict, dict]:
    photo = await api.client.post(
        "/api/v1/files",
        files={"data": ("a.jpg", _jpeg(), "image/jpeg")},
        headers=await api.headers(RESIDENT),
    )
    order = await api.order(RESIDENT, photo_ids=[photo.json()["id"]], room="3-201")
    return order, photo.json()


async def test_a_resident_downloads_all_their_data(api: Api) -> None:
    order, photo = await _order_with_photo(api)
    data = (await api.get(RESIDENT, "/api/v1/me/export")).json()
    assert data["profile"]["phone"] == RESIDENT and "password_hash" not in data["profile"]
    assert [o["id"] for o in data["orders"]] == [order["id"]]
    assert data["orders"][0]["timeline"][0]["action"] == "submit"
    assert [f["id"] for f in data["files"]] == [photo["id"]]
    assert data["actions"][0]["action"] == "order.submit"
    record = (await api.get(ADMIN, "/api/v1/admin/privacy-requests")).json()["items"]
    assert [(r["kind"], r["phone_masked"]) for r in record] == [("export", "138****0001")]


async def test_deleting_an_account_erases_the_person_but_keeps_the_order(api: Api) -> None:
    order, photo = await _order_with_photo(api)
    pair = (
        await api.client.post("/api/v1/auth/token", json={"phone": RESIDENT, "password": PASSWORD})
    ).json()
    refused = await api.post(RESIDENT, "/api/v1/me/delete", {})
    assert refused.status_code == 422  # an explicit yes is required
    done = await api.post(RESIDENT, "/api/v1/me/delete", {"confirm": True})
    assert done.status_code == 200 and done.json() == {"deleted": True, "orders_kept": 1}

    kept = (await api.get(WORKER, f"/api/v1/orders/{order['id']}")).json()
    assert kept["status"] == "submitted" and kept["category"]["code"] == "errand"
    assert kept["resident"]["name"] == "已注销用户"
    assert RESIDENT not in str(kept) and "张秀英" not in str(kept) and "3-201" not in str(kept)
    assert kept["photos"] == []
    assert (await api.get(WORKER, photo["url"])).status_code == 404
    again = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert again.status_code == 401
    sign_in = await api.client.post(
        "/api/v1/auth/token", json={"phone": RESIDENT, "password": PASSWORD}
    )
    assert sign_in.status_code == 401
    record = (await api.get(ADMIN, "/api/v1/admin/privacy-requests")).json()["items"]
    assert [(r["kind"], r["phone_masked"]) for r in record] == [("delete", "138****0001")]
    trail = (await api.get(WORKER, f"/api/v1/communities/{api.world['demo']}/audit")).json()
    assert trail["items"][0]["action"] == "privacy.delete_account"


async def test_only_admins_read_the_record(api: Api) -> None:
    for phone in (RESIDENT, WORKER, WORKER2):
        answer = await api.get(phone, "/api/v1/admin/privacy-requests")
        assert answer.status_code == 403


def test_the_console_sms_reveals_codes_in_development_only() -> None:
    import asyncio

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.INFO)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    keep = Keep()
    logger = logging.getLogger("linli.sms")
    logger.addHandler(keep)
    try:
        for env in ("development", "test"):
            sender = make_sms_sender(Settings(env=env))
            asyncio.run(
                sender.send("13912345678", "login_code", {"code": "482913", "minutes": "5"})
            )
    finally:
        logger.removeHandler(keep)
    development, test = keep.messages
    assert "482913" in development
    assert "482913" not in test and "13912345678" not in test and "139****5678" in test


async def test_the_server_log_holds_no_code_token_or_phone(tmp_path) -> None:
    async with seeded_database(tmp_path) as url:
        server = LiveServer(url, tmp_path, secret=uuid.uuid4().hex * 2)
        server.start()
        try:
            async with httpx.AsyncClient(base_url=server.url, trust_env=False) as client:
                assert (
                    await client.post("/api/v1/auth/otp", json={"phone": "13955556666"})
                ).status_code == 202
                wrong = await client.post(
                    "/api/v1/auth/token", json={"phone": "13955556666", "code": "000000"}
                )
                assert wrong.status_code == 401
                pair = (
                    await client.post(
                        "/api/v1/auth/token", json={"phone": WORKER, "password": PASSWORD}
                    )
                ).json()
                fresh = await client.post(
                    "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
                )
                token = fresh.json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                me = (await client.get("/api/v1/me", headers=headers)).json()
                community = me["memberships"][0]["community_id"]
                cats = (
                    await client.get(f"/api/v1/communities/{community}/categories", headers=headers)
                ).json()
                body = {
                    "community_id": community,
                    "category_id": cats[0]["id"],
                    "description": "替 13977778888 下单",
                    "beneficiary": {"name": "王奶奶", "phone": "13977778888", "age": 80},
                }
                assert (
                    await client.post("/api/v1/orders", json=body, headers=headers)
                ).status_code == 201
                await client.get(
                    "/api/v1/orders/not-a-number", headers={"Authorization": "Bearer " + token[:-3]}
                )
        finally:
            server.stop()
    log = server.log()
    assert "SMS to 139****6666 [login_code] (content withheld)" in log
    for phone in ("13955556666", "13977778888", WORKER):
        assert phone not in log, "a full phone number in the log"
    # Request ids are uuid4 hex: now and then one holds eleven digits that look like a mobile
    # number, so a number counts as a phone only where no hex digit touches it.
    assert not re.search(r"(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])", log), "a phone number in the log"
    assert token not in log and pair["refresh_token"] not in log and token[:40] not in log
    assert not re.search(r"code\W+\d{6}", log), "a one-time code in the log"
