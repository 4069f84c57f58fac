"""Web Push and SMS: a local receiver gets the encrypted message and decrypts it; gone devices
are forgotten; dead endpoints never block a transition; preferences and quiet hours apply."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import select

from backend.db import Database, utcnow
from backend.notify.delivery import SHANGHAI, deliver
from backend.notify.models import Notification, PushSubscription
from backend.notify.sms import RetryingSms, WebhookSms
from backend.settings import Settings
from tests.factories import PARTY, RESIDENT, WORKER, Api, Device
from tests.notify.conftest import Receiver, eventually


async def subscribe(api: Api, phone: str, device: Device) -> None:
    answer = await api.post(phone, "/api/v1/push/subscriptions", device.subscription())
    assert answer.status_code == 201, answer.text


async def devices(api: Api) -> list[str]:
    async with api.sessions() as session:
        return list(await session.scalars(select(PushSubscription.endpoint)))


async def test_a_pushed_notice_decrypts_and_gone_devices_are_forgotten(
    api: Api, receiver: Receiver
) -> None:
    key = (await api.get(RESIDENT, "/api/v1/push/key")).json()["public_key"]
    assert len(key) == 87  # a P-256 point, base64url: the PWA's applicationServerKey
    assert (await api.get(WORKER, "/api/v1/push/key")).json()["public_key"] == key  # kept
    phone, gone, hung = (Device(f"{receiver.base}/{mode}/first") for mode in ("ok", "gone", "hang"))
    for device in (phone, gone, hung):
        await subscribe(api, RESIDENT, device)
    order = await api.pooled()
    started = time.monotonic()
    accepted = await api.act(PARTY, order["id"], "accept")
    assert accepted.status_code == 200
    assert time.monotonic() - started < 2  # the hanging push service held nothing up

    arrived = await eventually(lambda: receiver.to("/ok/first"))
    message = phone.read(arrived[0]["body"])
    assert message["kind"] == "order.accept"
    assert message["order_id"] == order["id"]
    assert message["payload"]["number"] == order["number"]
    assert arrived[0]["headers"]["content-encoding"] == "aes128gcm"
    assert f"k={key}" in arrived[0]["headers"]["authorization"]  # signed with the kept key
    await eventually(lambda: receiver.to("/gone/first"))
    await eventually(lambda: _without(api, gone.endpoint))  # 410 → the device is forgotten
    assert phone.endpoint in await devices(api)


async def _without(api: Api, endpoint: str) -> list[str] | None:
    found = await devices(api)
    return found if endpoint not in found else None


async def test_subscriptions_are_checked_and_owned(api: Api, receiver: Receiver) -> None:
    device = Device(f"{receiver.base}/ok/owned")
    await subscribe(api, RESIDENT, device)
    mine = (await api.post(RESIDENT, "/api/v1/push/subscriptions", device.subscription())).json()
    assert await devices(api) == [device.endpoint]  # the same device again: still one row
    other = await api.client.delete(
        f"/api/v1/push/subscriptions/{mine['id']}", headers=await api.headers(WORKER)
    )
    assert other.status_code == 404
    ftp = {**device.subscription(), "endpoint": "ftp://x.example"}
    bad = await api.post(RESIDENT, "/api/v1/push/subscriptions", ftp)
    assert bad.status_code == 422 and bad.json()["field"] == "endpoint"
    gone = await api.client.delete(
        f"/api/v1/push/subscriptions/{mine['id']}", headers=await api.headers(RESIDENT)
    )
    assert gone.status_code == 204 and await devices(api) == []


async def test_quiet_hours_hold_back_all_but_urgent_notices(api: Api, receiver: Receiver) -> None:
    now = utcnow().astimezone(SHANGHAI)
    quiet = {
        "push": True,
        "sms": False,
        "quiet_start": (now - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_end": (now + timedelta(hours=1)).strftime("%H:%M"),
    }
    saved = await api.client.put(
        "/api/v1/notifications/preferences", json=quiet, headers=await api.headers(RESIDENT)
    )
    assert saved.status_code == 200 and saved.json() == quiet
    assert (await api.get(RESIDENT, "/api/v1/notifications/preferences")).json() == quiet
    half = await api.client.put(
        "/api/v1/notifications/preferences",
        json={"quiet_start": "22:00"},
        headers=await api.headers(RESIDENT),
    )
    assert half.status_code == 422 and half.json()["field"] == "quiet_end"
    device = Device(f"{receiver.base}/ok/quiet")
    await subscribe(api, RESIDENT, device)
    calm = await api.order()
    await api.act(WORKER, calm["id"], "reject", {"reason": "重复"})
    urgent = await api.order(urgency="urgent")
    await api.act(WORKER, urgent["id"], "reject", {"reason": "重复"})
    arrived = await eventually(lambda: receiver.to("/ok/quiet"))
    assert [device.read(a["body"])["order_id"] for a in arrived] == [urgent["id"]]
    assert (await api.get(RESIDENT, "/api/v1/inbox/unread-count")).json() == {"unread": 2}


async def test_an_elder_ordered_for_by_a_worker_gets_a_text(
    api: Api, receiver: Receiver, settings: Settings
) -> None:
    elder = {"name": "王奶奶", "phone": "13900000099", "age": 82}
    order = await api.order(phone=WORKER, beneficiary=elder)
    async with api.sessions() as session:
        rows = list(await session.scalars(select(Notification)))
    assert [(r.kind, r.order_id) for r in rows] == [("order.submit", order["id"])]
    fields = ("id", "user_id", "kind", "payload", "order_id")
    notices = [{f: getattr(r, f) for f in fields} for r in rows]
    database = Database.connect(settings)
    try:
        await deliver(database, WebhookSms(f"{receiver.base}/sms/elder"), notices)
    finally:
        await database.dispose()
    text = json.loads(receiver.to("/sms/elder")[0]["body"])
    assert text["phone"] == "13900000099" and text["template"] == "order.submit"
    assert text["params"]["number"] == order["number"]


async def test_an_sms_gateway_timeout_is_retried_with_backoff(receiver: Receiver) -> None:
    sms = RetryingSms(WebhookSms(f"{receiver.base}/flaky/otp", timeout=0.3), base_delay=0.01)
    await sms.send("13800000001", "login_code", {"code": "123456", "minutes": "5"})
    tries = receiver.to("/flaky/otp")
    assert len(tries) == 3  # timed out, then 503, then delivered
    assert json.loads(tries[-1]["body"])["params"]["code"] == "123456"
    refused = RetryingSms(WebhookSms(f"{receiver.base}/bad/otp"), base_delay=0.01)
    try:
        await refused.send("13800000001", "login_code", {"code": "1"})
    except Exception as exc:
        assert "400" in str(exc)
    else:
        raise AssertionError("a 400 must not pass silently")
    assert len(receiver.to("/bad/otp")) == 1  # the request's own fault: not retried
