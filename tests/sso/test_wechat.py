"""Residents sign in with WeChat (against a local stand-in for WeChat's API, see fakes.py)."""

from __future__ import annotations

import logging
import socket
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from backend.auth.models import User
from backend.sso.models import ExternalIdentity
from tests.auth.test_sign_in import _last_code
from tests.factories import RESIDENT, RESIDENT2, Api
from tests.sso.conftest import MP, QR, _serve
from tests.sso.fakes import FakeWechat

NEW_PHONE = "13912345678"


async def _start(api: Api, mode: str = "in_app", scope: str = "snsapi_base") -> str:
    answer = await api.client.post("/api/v1/auth/wechat/start", json={"mode": mode, "scope": scope})
    assert answer.status_code == 200, answer.text
    return answer.json()["state"]


async def _callback(api: Api, code: str | None, state: str | None):
    body = {k: v for k, v in {"code": code, "state": state}.items() if v is not None}
    return await api.client.post("/api/v1/auth/wechat/callback", json=body)


async def _counts(api: Api) -> tuple[int, int]:
    async with api.sessions() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        identities = await session.scalar(select(func.count()).select_from(ExternalIdentity))
    return users, identities


async def _bind_new_phone(api: Api, ticket: str, caplog: pytest.LogCaptureFixture, phone: str):
    caplog.set_level(logging.INFO, logger="linli.sms")
    sent = await api.client.post("/api/v1/auth/otp", json={"phone": phone})
    assert sent.status_code == 202
    body = {"bind_ticket": ticket, "phone": phone, "code": _last_code(api, phone)}
    return await api.client.post("/api/v1/auth/wechat/bind", json=body)


async def _me(api: Api, access_token: str) -> dict:
    answer = await api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {access_token}"})
    return answer.json()


async def test_buttons_show_only_when_configured(api: Api, wechat: Api) -> None:
    bare = await api.client.get("/api/v1/auth/providers")
    assert bare.json() == {
        "wechat_in_app": False,
        "wechat_qr": False,
        "oidc": False,
        "oidc_label": None,
    }
    assert (await api.client.post("/api/v1/auth/wechat/start", json={})).status_code == 404
    configured = (await wechat.client.get("/api/v1/auth/providers")).json()
    assert configured["wechat_in_app"] and configured["wechat_qr"] and not configured["oidc"]


async def test_authorize_urls_follow_wechat_documented_order(wechat: Api) -> None:
    answer = await wechat.client.post(
        "/api/v1/auth/wechat/start", json={"mode": "in_app", "scope": "snsapi_userinfo"}
    )
    url = answer.json()["authorize_url"]
    assert url.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx-mp-linli")
    assert url.endswith("#wechat_redirect")
    query = parse_qsl(urlsplit(url).query)
    assert [k for k, _ in query] == ["appid", "redirect_uri", "response_type", "scope", "state"]
    assert dict(query)["scope"] == "snsapi_userinfo"
    qr = await wechat.client.post("/api/v1/auth/wechat/start", json={"mode": "qr"})
    assert "/connect/qrconnect?appid=wx-web-linli" in qr.json()["authorize_url"]
    assert "scope=snsapi_login" in qr.json()["authorize_url"]


async def test_first_sign_in_binds_a_phone_then_wechat_signs_in_directly(
    wechat: Api, fake_wechat: FakeWechat, caplog: pytest.LogCaptureFixture
) -> None:
    state = await _start(wechat, scope="snsapi_userinfo")
    code = fake_wechat.authorise(
        MP.app_id, "o-mp-1", scope="snsapi_userinfo", nickname="小张", unionid="u-1"
    )
    first = await _callback(wechat, code, state)
    assert first.status_code == 200, first.text
    assert first.json()["tokens"] is None and first.json()["nickname"] == "小张"
    assert await _counts(wechat) == (10, 0)  # nothing made before the phone is confirmed

    bound = await _bind_new_phone(wechat, first.json()["bind_ticket"], caplog, NEW_PHONE)
    assert bound.status_code == 200, bound.text
    me = await _me(wechat, bound.json()["access_token"])
    assert me["phone"] == NEW_PHONE and me["name"] == "小张"

    again = await _callback(
        wechat, fake_wechat.authorise(MP.app_id, "o-mp-1"), await _start(wechat)
    )
    assert (await _me(wechat, again.json()["tokens"]["access_token"]))["id"] == me["id"]
    # The website QR code is another app (another openid); the unionid says it is the same person.
    qr = await _callback(
        wechat,
        fake_wechat.authorise(QR.app_id, "o-web-9", scope="snsapi_login", unionid="u-1"),
        await _start(wechat, mode="qr"),
    )
    assert (await _me(wechat, qr.json()["tokens"]["access_token"]))["id"] == me["id"]


async def test_an_existing_account_binds_and_unbinds_wechat_from_me(
    wechat: Api, fake_wechat: FakeWechat
) -> None:
    headers = await wechat.headers(RESIDENT)
    started = await wechat.client.post(
        "/api/v1/me/identities/wechat/start", json={}, headers=headers
    )
    code = fake_wechat.authorise(MP.app_id, "o-mp-resident")
    bound = await wechat.client.post(
        "/api/v1/me/identities/wechat",
        json={"code": code, "state": started.json()["state"]},
        headers=headers,
    )
    assert bound.status_code == 201, bound.text
    mine = (await wechat.get(RESIDENT, "/api/v1/me/identities")).json()
    assert [i["provider"] for i in mine] == ["wechat"]

    signed_in = await _callback(
        wechat, fake_wechat.authorise(MP.app_id, "o-mp-resident"), await _start(wechat)
    )
    assert (await _me(wechat, signed_in.json()["tokens"]["access_token"]))["phone"] == RESIDENT

    gone = await wechat.client.delete(f"/api/v1/me/identities/{mine[0]['id']}", headers=headers)
    assert gone.status_code == 204
    actions = await wechat.audit_actions()
    assert actions.count("identity.link") == 1 and actions.count("identity.unlink") == 1
    after = await _callback(
        wechat, fake_wechat.authorise(MP.app_id, "o-mp-resident"), await _start(wechat)
    )
    assert after.json()["tokens"] is None and after.json()["bind_ticket"]


async def test_a_wechat_bound_to_another_phone_is_409_with_a_way_forward(
    wechat: Api, fake_wechat: FakeWechat
) -> None:
    for phone in (RESIDENT, RESIDENT2):
        headers = await wechat.headers(phone)
        started = await wechat.client.post(
            "/api/v1/me/identities/wechat/start", json={}, headers=headers
        )
        answer = await wechat.client.post(
            "/api/v1/me/identities/wechat",
            json={
                "code": fake_wechat.authorise(MP.app_id, "o-shared"),
                "state": started.json()["state"],
            },
            headers=headers,
        )
    assert answer.status_code == 409
    problem = answer.json()
    assert problem["code"] == "auth.wechat_bound_elsewhere"
    assert problem["bound_phone"] == "138****0001" and problem["way_forward"] == "unbind_then_bind"
    assert await _counts(wechat) == (10, 1)


async def test_missing_or_foreign_state_is_400_and_nothing_is_created(
    wechat: Api, fake_wechat: FakeWechat
) -> None:
    before, calls = await _counts(wechat), len(fake_wechat.calls)
    code = fake_wechat.authorise(MP.app_id, "o-mp-2")
    for state in (None, "made-up-state"):
        answer = await _callback(wechat, code, state)
        assert answer.status_code == 400 and answer.json()["code"] == "auth.state_invalid"
    assert await _counts(wechat) == before and len(fake_wechat.calls) == calls
    state = await _start(wechat)
    assert (await _callback(wechat, code, state)).status_code == 200
    replayed_state = await _callback(wechat, code, state)
    assert replayed_state.json()["code"] == "auth.state_invalid"


async def test_reused_or_invalid_code_is_400(wechat: Api, fake_wechat: FakeWechat) -> None:
    code = fake_wechat.authorise(MP.app_id, "o-mp-3")
    assert (await _callback(wechat, code, await _start(wechat))).status_code == 200
    reused = await _callback(wechat, code, await _start(wechat))
    assert reused.status_code == 400 and reused.json()["code"] == "auth.code_rejected"
    assert "40163" in reused.json()["detail"]
    invalid = await _callback(wechat, "not-a-code", await _start(wechat))
    assert invalid.status_code == 400 and "40029" in invalid.json()["detail"]


async def test_an_expired_access_token_is_refreshed_for_the_profile(
    wechat: Api, fake_wechat: FakeWechat
) -> None:
    code = fake_wechat.authorise(
        MP.app_id, "o-mp-4", scope="snsapi_userinfo", nickname="老王", expire_at_once=True
    )
    answer = await _callback(wechat, code, await _start(wechat, scope="snsapi_userinfo"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["nickname"] == "老王"
    assert fake_wechat.calls[-3:] == ["/sns/userinfo", "/sns/oauth2/refresh_token", "/sns/userinfo"]


async def test_a_forged_bind_ticket_is_400(wechat: Api) -> None:
    body = {"bind_ticket": "forged.ticket.value", "phone": NEW_PHONE, "code": "123456"}
    answer = await wechat.client.post("/api/v1/auth/wechat/bind", json=body)
    assert answer.status_code == 400 and answer.json()["code"] == "auth.bind_ticket_invalid"


async def test_wechat_unreachable_is_a_clear_502_and_nothing_is_made(wechat: Api) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = wechat.app.state.settings
    down = replace(settings, sso=replace(settings.sso, wechat_api_url=dead))
    async for client in _serve(down):
        state = (await client.post("/api/v1/auth/wechat/start", json={})).json()["state"]
        answer = await client.post(
            "/api/v1/auth/wechat/callback", json={"code": "c", "state": state}
        )
    assert answer.status_code == 502 and answer.json()["code"] == "auth.provider_unreachable"
    assert await _counts(wechat) == (10, 0)
