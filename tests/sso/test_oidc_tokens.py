"""Staff sign-in refuses what a real provider will not produce on demand: ID tokens with the
wrong audience, expired, or badly signed (a stand-in issuer makes them, see fakes.py)."""

from __future__ import annotations

import socket
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select

from backend.auth.models import User
from backend.sso.models import ExternalIdentity, SsoState
from tests.factories import ADMIN, WORKER, Api
from tests.sso.conftest import _serve
from tests.sso.fakes import FakeIssuer


async def _start(api: Api) -> tuple[str, str]:
    answer = await api.client.post("/api/v1/auth/oidc/start")
    assert answer.status_code == 200, answer.text
    query = dict(parse_qsl(urlsplit(answer.json()["authorize_url"]).query))
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    return answer.json()["state"], query["nonce"]


async def _user_id(api: Api, phone: str) -> int:
    async with api.sessions() as session:
        return (await session.scalar(select(User.id).where(User.phone == phone))) or 0


async def _counts(api: Api) -> tuple[int, int]:
    async with api.sessions() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        identities = await session.scalar(select(func.count()).select_from(ExternalIdentity))
    return users, identities


async def _link(api: Api, subject: str, phone: str) -> None:
    body = {"subject": subject, "user_id": await _user_id(api, phone)}
    answer = await api.post(ADMIN, "/api/v1/admin/sso/links", body)
    assert answer.status_code == 201, answer.text


async def test_a_linked_identity_signs_in_with_linli_roles(
    issuer: Api, fake_issuer: FakeIssuer
) -> None:
    await _link(issuer, "staff-7", WORKER)
    state, nonce = await _start(issuer)
    code = fake_issuer.authorise(nonce, "staff-7", roles=["admin"])  # provider claims mean nothing
    answer = await issuer.client.post(
        "/api/v1/auth/oidc/callback", json={"code": code, "state": state}
    )
    assert answer.status_code == 200, answer.text
    me = await issuer.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {answer.json()['access_token']}"}
    )
    assert me.json()["phone"] == WORKER
    assert [m["roles"] for m in me.json()["memberships"]] == [["resident", "worker"]]


async def test_bad_id_tokens_are_401_and_create_nothing(
    issuer: Api, fake_issuer: FakeIssuer
) -> None:
    rule = {
        "claim": "groups",
        "value": "staff",
        "community_id": issuer.world["demo"],
        "role": "worker",
    }
    assert (await issuer.post(ADMIN, "/api/v1/admin/sso/rules", rule)).status_code == 201
    before = await _counts(issuer)
    for mode in ("wrong_aud", "expired", "bad_sig"):
        state, nonce = await _start(issuer)
        code = fake_issuer.authorise(
            nonce,
            f"new-{mode}",
            mode,
            groups=["staff"],
            phone_number="13900000001",
            phone_number_verified=True,
        )
        answer = await issuer.client.post(
            "/api/v1/auth/oidc/callback", json={"code": code, "state": state}
        )
        assert answer.status_code == 401, (mode, answer.text)
        assert answer.json()["code"] == "auth.id_token_invalid"
    state, _ = await _start(issuer)
    wrong_nonce = fake_issuer.authorise("another-nonce", "new-x", groups=["staff"])
    answer = await issuer.client.post(
        "/api/v1/auth/oidc/callback", json={"code": wrong_nonce, "state": state}
    )
    assert answer.status_code == 401
    assert await _counts(issuer) == before


async def test_unknown_identities_are_refused_and_replays_are_400(
    issuer: Api, fake_issuer: FakeIssuer
) -> None:
    state, nonce = await _start(issuer)
    code = fake_issuer.authorise(nonce, "nobody", groups=["visitors"])
    answer = await issuer.client.post(
        "/api/v1/auth/oidc/callback", json={"code": code, "state": state}
    )
    assert answer.status_code == 403 and answer.json()["code"] == "auth.sso_not_allowed"
    state, _ = await _start(issuer)
    replayed = await issuer.client.post(
        "/api/v1/auth/oidc/callback", json={"code": code, "state": state}
    )
    assert replayed.status_code == 400 and replayed.json()["code"] == "auth.code_rejected"
    state, nonce = await _start(issuer)
    mixed_up = {
        "code": fake_issuer.authorise(nonce, "nobody"),
        "state": state,
        "iss": "https://idp.evil",
    }
    answer = await issuer.client.post("/api/v1/auth/oidc/callback", json=mixed_up)
    assert answer.status_code == 400 and answer.json()["code"] == "auth.issuer_mismatch"
    missing = await issuer.client.post("/api/v1/auth/oidc/callback", json={"code": code})
    assert missing.status_code == 400 and missing.json()["code"] == "auth.state_invalid"


async def test_an_unreachable_provider_is_a_clear_502(issuer: Api) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    settings = issuer.app.state.settings
    down = replace(settings, sso=replace(settings.sso, oidc_issuer=dead))
    async for client in _serve(down):
        answer = await client.post("/api/v1/auth/oidc/start")
    assert answer.status_code == 502 and answer.json()["code"] == "auth.provider_unreachable"
    async with issuer.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SsoState)) == 0


async def test_only_admins_manage_sso_access(issuer: Api) -> None:
    link = {"subject": "x", "user_id": await _user_id(issuer, WORKER)}
    assert (await issuer.post(WORKER, "/api/v1/admin/sso/links", link)).status_code == 403
    rule = {"claim": "groups", "value": "g", "community_id": 999, "role": "worker"}
    refused = await issuer.post(ADMIN, "/api/v1/admin/sso/rules", rule)
    assert refused.status_code == 422 and refused.json()["field"] == "community_id"
    rule["role"] = "admin"
    assert (await issuer.post(ADMIN, "/api/v1/admin/sso/rules", rule)).status_code == 422
    await _link(issuer, "staff-8", WORKER)
    again = await issuer.post(ADMIN, "/api/v1/admin/sso/links", {**link, "subject": "other"})
    assert again.status_code == 409
    links = (await issuer.get(ADMIN, "/api/v1/admin/sso/links")).json()
    assert [(x["subject"], x["user_name"]) for x in links] == [("staff-8", "李建国")]
    gone = await issuer.client.delete(
        f"/api/v1/admin/sso/links/{links[0]['id']}", headers=await issuer.headers(ADMIN)
    )
    assert gone.status_code == 204
    actions = await issuer.audit_actions()
    assert actions.count("sso.link_create") == 1 and actions.count("sso.link_delete") == 1
