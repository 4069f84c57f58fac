"""Staff single sign-on end to end against a real, certified OpenID provider: the npm package
`oidc-provider`, run under Node on loopback (tests/oidc/). A worker signs in, their roles are
Linli's, and they sign out at Linli and at the provider.

Without Node.js on a developer's machine these tests are skipped with a message; under CI=true
a missing Node.js fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from backend.auth.models import User
from backend.settings import Settings
from backend.sso.settings import SsoSettings
from tests.factories import ADMIN, WORKER, Api
from tests.sso.conftest import _serve

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
REDIRECT = "http://127.0.0.1:8000/sign-in/sso"
AFTER_LOGOUT = "http://127.0.0.1:8000/signed-out"


def _node_or_skip() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        major = int(
            subprocess.run(  # noqa: S603 — the node found on PATH
                [node, "-p", "process.versions.node.split('.')[0]"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        if major >= 20:
            if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
                subprocess.run(  # noqa: S603 — installs the committed lock
                    [npm, "ci", "--no-audit", "--no-fund"],
                    cwd=OIDC_DIR,
                    check=True,
                    timeout=300,
                    capture_output=True,
                )
            return node
    message = "Node.js ≥ 20 with npm is needed to run oidc-provider for the SSO end-to-end tests"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    node = _node_or_skip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 — our own launcher, loopback only
        [node, "provider.mjs", str(port), REDIRECT, AFTER_LOGOUT],
        cwd=OIDC_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline and not line.startswith("ready"):
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                pytest.fail("oidc-provider exited before it was ready")
        assert line.startswith("ready"), "oidc-provider did not start in 30 s"
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
async def provider_client(settings: Settings, oidc_issuer: str) -> AsyncIterator[AsyncTestClient]:
    sso = SsoSettings(
        oidc_issuer=oidc_issuer,
        oidc_client_id="linli",
        oidc_client_secret="linli-test-secret",
        oidc_redirect_url=REDIRECT,
        oidc_post_logout_url=AFTER_LOGOUT,
        oidc_scopes="openid profile phone groups",
        oidc_label="街道统一认证",
    )
    async for client in _serve(replace(settings, sso=sso)):
        yield client


@pytest.fixture
def op(provider_client: AsyncTestClient, world: dict, sessions) -> Api:
    return Api(provider_client, world, provider_client.app, sessions)


async def _browse(browser: httpx.AsyncClient, url: str, login: str) -> dict:
    """What a person does at the provider: sign in as `login`, consent, come back with a code."""
    answer = await browser.get(url)
    for _ in range(12):
        location = answer.headers.get("location")
        if answer.is_redirect and location:
            if location.startswith(REDIRECT):
                return dict(parse_qsl(urlsplit(location).query))
            answer = await browser.get(urljoin(str(answer.url), location))
            continue
        action = re.search(r'<form[^>]*action="([^"]+)"', answer.text)
        prompt = re.search(r'name="prompt" value="(\w+)"', answer.text)
        assert action and prompt, answer.text[:500]
        form = {"prompt": prompt.group(1)}
        if prompt.group(1) == "login":
            form |= {"login": login, "password": "any"}
        answer = await browser.post(urljoin(str(answer.url), action.group(1)), data=form)
    raise AssertionError("the provider never sent the browser back")


async def _sign_in(op: Api, browser: httpx.AsyncClient, login: str) -> httpx.Response:
    started = await op.client.post("/api/v1/auth/oidc/start")
    assert started.status_code == 200, started.text
    back = await _browse(browser, started.json()["authorize_url"], login)
    assert back["state"] == started.json()["state"]
    return await op.client.post("/api/v1/auth/oidc/callback", json=back)


async def _me(op: Api, tokens: dict) -> dict:
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    return (await op.client.get("/api/v1/me", headers=headers)).json()


async def test_a_linked_worker_signs_in_has_linli_roles_and_signs_out(op: Api) -> None:
    assert (await op.client.get("/api/v1/auth/providers")).json()["oidc_label"] == "街道统一认证"
    async with op.sessions() as session:
        worker_id = await session.scalar(select(User.id).where(User.phone == WORKER))
    link = await op.post(
        ADMIN, "/api/v1/admin/sso/links", {"subject": "worker-li", "user_id": worker_id}
    )
    assert link.status_code == 201
    async with httpx.AsyncClient(timeout=10) as browser:
        answer = await _sign_in(op, browser, "worker-li")
        assert answer.status_code == 200, answer.text
        tokens = answer.json()
        me = await _me(op, tokens)
        assert me["phone"] == WORKER
        assert {m["community_slug"]: m["roles"] for m in me["memberships"]} == {
            "demo": ["resident", "worker"]
        }

        out = await op.client.post(
            "/api/v1/auth/oidc/logout",
            json={"refresh_token": tokens["refresh_token"], "id_token": tokens["id_token"]},
        )
        end_session = out.json()["end_session_url"]
        assert end_session.startswith(f"{op.app.state.settings.sso.oidc_issuer}/session/end?")
        page = await browser.get(end_session)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        assert xsrf and action, page.text[:500]
        confirmed = await browser.post(
            urljoin(end_session, action.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"}
        )
        assert confirmed.headers["location"].startswith(AFTER_LOGOUT)
    refreshed = await op.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 401


async def test_a_claim_rule_lets_a_new_grid_worker_in(op: Api) -> None:
    rule = {
        "claim": "groups",
        "value": "grid-demo",
        "community_id": op.world["demo"],
        "role": "worker",
    }
    assert (await op.post(ADMIN, "/api/v1/admin/sso/rules", rule)).status_code == 201
    async with httpx.AsyncClient(timeout=10) as browser:
        answer = await _sign_in(op, browser, "grid-new")
        assert answer.status_code == 200, answer.text
        me = await _me(op, answer.json())
        assert me["phone"] == "13900000077" and me["name"] == "钱网格"
        assert me["memberships"][0]["roles"] == ["worker"]
        assert "membership.grant_by_rule" in await op.audit_actions()

    async with op.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(User))
    async with httpx.AsyncClient(timeout=10) as browser:  # another person, another browser
        refused = await _sign_in(op, browser, "stranger")
        assert refused.status_code == 403 and refused.json()["code"] == "auth.sso_not_allowed"
    async with op.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == before


async def test_a_replayed_code_is_400(op: Api) -> None:
    async with httpx.AsyncClient(timeout=10) as browser:
        started = await op.client.post("/api/v1/auth/oidc/start")
        back = await _browse(browser, started.json()["authorize_url"], "stranger")
        first = await op.client.post("/api/v1/auth/oidc/callback", json=back)
        assert first.status_code == 403  # a valid sign-in, but nobody let "stranger" in
        again = await op.client.post("/api/v1/auth/oidc/start")
        replay = {"code": back["code"], "state": again.json()["state"]}
        answer = await op.client.post("/api/v1/auth/oidc/callback", json=replay)
        assert answer.status_code == 400 and answer.json()["code"] == "auth.code_rejected"
