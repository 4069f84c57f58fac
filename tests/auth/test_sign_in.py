"""Signing in: one-time codes, passwords, access tokens and refresh-token rotation."""

from __future__ import annotations

import logging
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.factories import PASSWORD, RESIDENT, Api

NEW_PHONE = "13912345678"


def _last_code(api: Api, phone: str) -> str:
    """The console SMS backend keeps what it sent (and, outside development, logs no code)."""
    codes = [p["code"] for to, _, p in api.app.state.sms.sent if to == phone]
    assert codes, list(api.app.state.sms.sent)
    return codes[-1]


async def _request_code(api: Api, phone: str) -> None:
    answer = await api.client.post("/api/v1/auth/otp", json={"phone": phone})
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"expires_in": 300}


async def test_a_code_signs_in_once_and_creates_the_account(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="linli.sms")
    await _request_code(api, NEW_PHONE)
    code = _last_code(api, NEW_PHONE)
    answer = await api.client.post("/api/v1/auth/token", json={"phone": NEW_PHONE, "code": code})
    assert answer.status_code == 200
    pair = answer.json()
    assert pair["token_type"] == "Bearer" and pair["expires_in"] > 0
    me = await api.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert me.json()["phone"] == NEW_PHONE and me.json()["memberships"] == []
    reused = await api.client.post("/api/v1/auth/token", json={"phone": NEW_PHONE, "code": code})
    assert reused.status_code == 401


async def test_codes_are_one_a_minute_per_phone(api: Api) -> None:
    await _request_code(api, NEW_PHONE)
    again = await api.client.post("/api/v1/auth/otp", json={"phone": NEW_PHONE})
    assert again.status_code == 429
    assert again.json()["code"] == "auth.otp_too_soon"
    assert 0 < int(again.headers["retry-after"]) <= 60


async def test_five_wrong_codes_lock_the_code(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="linli.sms")
    await _request_code(api, NEW_PHONE)
    code = _last_code(api, NEW_PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = await api.client.post(
            "/api/v1/auth/token", json={"phone": NEW_PHONE, "code": wrong}
        )
        assert answer.status_code == 401
    right = await api.client.post("/api/v1/auth/token", json={"phone": NEW_PHONE, "code": code})
    assert right.status_code == 401


async def test_codes_are_stored_hashed(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    from sqlalchemy import select

    from backend.auth.models import OtpCode

    caplog.set_level(logging.INFO, logger="linli.sms")
    await _request_code(api, NEW_PHONE)
    code = _last_code(api, NEW_PHONE)
    async with api.sessions() as session:
        stored = (await session.scalars(select(OtpCode.code_hash))).all()
    assert stored and all(code not in h for h in stored)


async def test_wrong_password_and_unknown_phone_answer_the_same(api: Api) -> None:
    wrong = await api.client.post(
        "/api/v1/auth/token", json={"phone": RESIDENT, "password": "nope"}
    )
    unknown = await api.client.post(
        "/api/v1/auth/token", json={"phone": NEW_PHONE, "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    same = {k: v for k, v in wrong.json().items() if k != "request_id"}  # differs per request
    assert same == {k: v for k, v in unknown.json().items() if k != "request_id"}


async def test_code_and_password_together_or_neither_is_invalid(api: Api) -> None:
    both = await api.client.post(
        "/api/v1/auth/token", json={"phone": RESIDENT, "password": "x", "code": "123456"}
    )
    neither = await api.client.post("/api/v1/auth/token", json={"phone": RESIDENT})
    assert both.status_code == neither.status_code == 422


@pytest.mark.parametrize("phone", ["1380000000", "23800000000", "138000000001", "abc"])
async def test_phone_numbers_must_be_mainland_mobiles(api: Api, phone: str) -> None:
    answer = await api.client.post("/api/v1/auth/otp", json={"phone": phone})
    assert answer.status_code == 422 and answer.json()["field"] == "phone"


async def test_tampered_expired_and_foreign_tokens_are_refused(api: Api) -> None:
    token = await api.token(RESIDENT)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    foreign = jwt.encode(
        {"alg": "HS256"},
        {"iss": "linli", "sub": "1", "exp": int(time.time()) + 60, "m": {"1": ["worker"]}},
        OctKey.import_key(b"not-our-secret-not-our-secret-xx"),
    )
    settings = api.app.state.settings
    from backend.auth.caller import Caller
    from backend.auth.tokens import encode_access_token

    expired = encode_access_token(Caller(id=2, name="x"), secret=settings.secret_key, minutes=-1)
    for bad in (tampered, foreign, expired, "not-a-jwt"):
        answer = await api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, bad
        assert answer.json()["code"] == "auth.invalid_token"


async def _pair(api: Api) -> dict:
    answer = await api.client.post(
        "/api/v1/auth/token", json={"phone": RESIDENT, "password": PASSWORD}
    )
    return answer.json()


async def test_refresh_rotates_and_a_replayed_token_revokes_the_family(api: Api) -> None:
    first = await _pair(api)
    second = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    newer = second.json()
    assert newer["refresh_token"] != first["refresh_token"]
    me = await api.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {newer['access_token']}"}
    )
    assert me.status_code == 200
    replay = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401 and replay.json()["code"] == "auth.refresh_reused"
    # The thief's replay burned the legitimate holder's newer token too.
    after = await api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": newer["refresh_token"]}
    )
    assert after.status_code == 401


async def test_an_unknown_refresh_token_is_refused(api: Api) -> None:
    answer = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"})
    assert answer.status_code == 401


async def test_me_lists_roles_per_community(api: Api) -> None:
    from tests.factories import ADMIN, PARTY

    party = (await api.get(PARTY, "/api/v1/me")).json()
    assert party["memberships"] == [
        {
            "community_id": api.world["demo"],
            "community_slug": "demo",
            "community_name": "阳光社区",
            "roles": ["party_member", "resident", "volunteer"],
        }
    ]
    admin = (await api.get(ADMIN, "/api/v1/me")).json()
    assert [(m["community_slug"], m["roles"]) for m in admin["memberships"]] == [
        ("demo", ["admin"]),
        ("second", ["admin"]),
    ]


async def test_me_gives_the_home_address_the_order_form_offers(api: Api) -> None:
    resident = (await api.get(RESIDENT, "/api/v1/me")).json()
    assert (resident["home_room"], resident["home_address"]) == ("202", "2号楼 202")
