"""Authorisation matrix and audit coverage: every route × every caller × own / other community.

The table is `MATRIX` in matrix_table.py. This test walks the app's own route table against it,
so a route without a line FAILS (that is intended: a new route is a new question of who may call
it). The same walk checks the audit log: every mutating route (POST, PUT, PATCH, DELETE) that
succeeds must have appended at least one entry to `audit_entry`, unless it is in EXEMPT
below with its reason. A new mutating route without an entry or an exemption FAILS too.

HOW TO ADD YOUR ROUTE (three steps):
1. Add a line to MATRIX (matrix_table.py): the route's `operation_id` (or "METHOD /path" for a
   route without one), the scope, then the expected status for each caller column.
   - scope `own`: the target belongs to the `demo` community, where each demo caller holds
     their role; `other`: it belongs to the `second` community; `-`: the route has no community
     (one line only).
   - callers: anon (no token), resident 13800000001, volunteer 13800000004, party (party member)
     13800000003, worker 13800000002, provider (staff of 银发餐桌) 13800000005, and the
     street-wide reviewer 13800000006 and admin 13800000000 (they cover both communities).
2. If the route needs a target (a path parameter, a body, an order in some state), add a
   builder to TARGETS: `async def(api, scope) -> Call` that makes a FRESH target for each call
   (a caller expected to succeed gets its own, so their 2xx does not change what the next one
   sees; callers expected to be refused share one).
   A GET without path parameters needs no builder. A mutating route needs a builder that lets
   at least one caller succeed, or the audit check has nothing to look at and fails.
3. If it changes state, call `audit.record(...)` in its service (docs/architecture.md, "The
   audit log"); only what is personal and not the community's state goes in EXEMPT.
Expected codes follow DESIGN.md: 404 for what the caller may not see, 403 for an action not
theirs, 401 without a token. The count of cases is printed with `-s` and quoted in
docs/security.md.

Engines: the whole matrix runs on SQLite. Who may call what is decided in Python, the same on
every engine, so on PostgreSQL each route runs one case (its first success, else its first
refusal of a signed-in caller): every write path, lock and audit append still runs once on
PostgreSQL. `LINLI_MATRIX=full` runs every case there too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditEntry
from backend.settings import Settings
from tests.factories import Api
from tests.live import LiveServer
from tests.security.matrix_table import CALLERS, ROWS, Row
from tests.security.matrix_targets import TARGETS, Call
from tests.security.matrix_targets_service import SERVICE_TARGETS
from tests.security.venture_targets import VENTURE_TARGETS

ALL_TARGETS = TARGETS | SERVICE_TARGETS | VENTURE_TARGETS
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}

# Mutating routes this test does not hold to the audit rule, each with its reason: a person's
# own session, reading or settings (not the state of a community), or a route the matrix cannot
# complete here, whose entry another test checks. Keep it short; everything else is audited.
EXEMPT = {
    "requestOtp": "signing in: asks for a one-time code",
    "signIn": "signing in",
    "refreshToken": "signing in: rotates the caller's own refresh token",
    "signOutOidc": "signing out: ends the caller's own session",
    "startOidcSignIn": "signing in: starts a round trip to the identity provider",
    "finishOidcSignIn": "signing in (a first staff sign-in by claim rule is audited in sso)",
    "startWechatSignIn": "signing in: starts a round trip to WeChat",
    "finishWechatSignIn": "signing in (yields a bind ticket, nothing else)",
    "bindWechatToPhone": "signing in with a bind ticket (the link is audited in sso)",
    "startMyWechatBinding": "starts a round trip to WeChat; the link itself is audited in sso",
    "bindMyWechat": "no WeChat here to finish with; the link is audited in sso",
    "unbindMyWechat": "no WeChat identity exists here to unbind; audited in sso",
    "markInboxRead": "reading a notification",
    "markInboxAllRead": "reading notifications",
    "subscribePush": "a push subscription of the caller's own device",
    "unsubscribePush": "a push subscription of the caller's own device",
    "setNotificationPreferences": "the caller's own notification settings",
    "setVolunteerPreferences": "the caller's own volunteering preferences",
    "uploadFile": "a photo is the uploader's alone until attached; attaching is audited",
    "createSsoLink": "needs single sign-on configured; tests/sso/test_oidc_tokens.py checks it",
}


def route_keys(app: Any) -> dict[str, tuple[str, str]]:
    """Every route the app serves: key → (method, path template with {name} holes)."""
    keys: dict[str, tuple[str, str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                key = handler.operation_id or f"{method} {route.path}"
                if callable(key):  # an id that depends on the path, e.g. a format suffix
                    key = key(handler, method, [p for p in route.path.split("/") if p])
                keys[str(key)] = (method, route.path_format)
    return keys


def test_every_route_has_a_row(app: Any) -> None:
    served = route_keys(app)
    missing = sorted(set(served) - set(ROWS))
    assert not missing, f"routes without a line in MATRIX (see the top of {__file__}): {missing}"
    stale = sorted(set(ROWS) - set(served))
    assert not stale, f"MATRIX lines for routes that no longer exist: {stale}"
    for key, rows in ROWS.items():
        scopes = sorted(r.scope for r in rows)
        assert scopes in (["-"], ["other", "own"]), f"{key}: scopes must be '-' or own+other"
    cases = sum(len(r.expected) for rows in ROWS.values() for r in rows)
    sample = sum(len(_sample(rows)) for rows in ROWS.values())
    mutating = sorted(k for k, (method, _) in served.items() if method in MUTATING)
    print(
        f"authorisation matrix: {len(served)} routes, {cases} cases ({sample} on PostgreSQL); "
        f"{len(mutating)} mutating routes, {len(mutating) - len(EXEMPT)} audited, "
        f"{len(EXEMPT)} exempt"
    )
    stale = sorted(set(EXEMPT) - set(mutating))
    assert not stale, f"EXEMPT names routes that are not served mutating routes: {stale}"


def _sample(rows: list[Row]) -> list[tuple[Row, str]]:
    """PostgreSQL's share of a route: its first success, else its first signed-in refusal."""
    cases = [(row, column) for row in rows for column in CALLERS]
    for wanted in (lambda code: code < 300, lambda code: code != 401):
        for row, column in cases:
            if wanted(row.expected[column]):
                return [(row, column)]
    return cases[:1]


def _cases(key: str, engine: str) -> tuple[list[tuple[Row, str]], bool]:
    """The cases to run here, and whether they are all of the route's cases."""
    if engine == "sqlite" or os.environ.get("LINLI_MATRIX") == "full":
        return [(row, column) for row in ROWS[key] for column in CALLERS], True
    return _sample(ROWS[key]), False


async def _audit_head(api: Api) -> int:
    async with api.sessions() as session:
        return await session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))


def _default_for(template: str) -> Callable[[Api, str], Awaitable[Call]]:
    """No builder: every path id names nothing (999999) and a write sends an empty body."""
    names = re.findall(r"{(\w+)}", template)

    async def build(api: Api, scope: str) -> Call:
        return Call(path={n: 999999 for n in names}, body={} if names else None)

    return build


@pytest.fixture(scope="module")
def stream_url(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An endless answer (the event stream) needs a real server: the in-memory client would wait
    for its end. A child process on the same database and secret, so the suite's tokens work."""
    server = LiveServer(
        settings.database_url, tmp_path_factory.mktemp("stream"), secret=settings.secret_key
    )
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


async def _status_of_stream(base: str, method: str, url: str, headers: dict) -> int:
    async with (
        httpx.AsyncClient(base_url=base, timeout=10) as client,
        client.stream(method, url, headers=headers) as answer,
    ):
        return answer.status_code


@pytest.mark.parametrize("key", sorted(ROWS))
async def test_matrix(api: Api, app: Any, key: str, request: pytest.FixtureRequest) -> None:
    served = route_keys(app)
    if key not in served:
        pytest.skip("route not served (reported by test_every_route_has_a_row)")
    method, template = served[key]
    build: Callable[[Api, str], Awaitable[Call]] = ALL_TARGETS.get(key) or _default_for(template)
    audited = method in MUTATING and key not in EXEMPT
    engine = api.sessions.kw["bind"].dialect.name
    cases, complete = _cases(key, engine)
    wrong, unaudited, entries = [], [], 0
    shared: dict[str, Call] = {}
    for row, column in cases:
        phone = CALLERS[column]
        # A refusal changes nothing, so callers expected to be refused share one target;
        # a caller expected to succeed gets a fresh one.
        if row.expected[column] < 300:
            call = await build(api, row.scope)
        else:
            call = shared.get(row.scope) or shared.setdefault(
                row.scope, await build(api, row.scope)
            )
        headers = dict(call.headers)
        if phone is not None:
            headers["Authorization"] = f"Bearer {await api.token(phone)}"
        head = await _audit_head(api) if audited else 0
        if call.stream:
            base = request.getfixturevalue("stream_url")
            url = template.format(**call.path)
            status, text = await _status_of_stream(base, method, url, headers), ""
        else:
            answer = await api.client.request(
                method,
                template.format(**call.path),
                json=call.body if method != "GET" and not (call.files or call.form) else None,
                files=call.files,
                data=call.form,
                params=call.query,
                headers=headers,
            )
            status, text = answer.status_code, answer.text
        if status != row.expected[column]:
            wrong.append(
                f"{key} [{row.scope}] as {column}: expected {row.expected[column]}, "
                f"got {status} {text[:160]}"
            )
        if audited:
            added = await _audit_head(api) - head
            entries += added
            if status < 300 and not added:
                unaudited.append(f"{key} [{row.scope}] as {column}: {status}, no audit entry")
    assert not wrong, "\n".join(wrong)
    assert not unaudited, (
        "a mutating route succeeded without writing to the audit log (call audit.record in its "
        "service, or exempt it in EXEMPT with a reason):\n" + "\n".join(unaudited)
    )
    if audited and complete:
        assert entries, (
            f"{key}: no call in the matrix wrote an audit entry; give it a builder with which "
            "some caller succeeds, and audit it (or exempt it in EXEMPT with a reason)"
        )
