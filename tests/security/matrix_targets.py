"""Targets for the authorisation matrix: for each route, a fresh thing to call it on.

Each builder answers a `Call` for scope `own` (the demo community), `other` (the second
community) or `-`. Builders drive the real API as the people who would make such a thing, so an
order "in progress" got there through dispatch, accept and start like any other.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from sqlalchemy import func, select

from backend.notify.models import Notification
from backend.notify.service import notify
from backend.sso.models import ExternalIdentity
from tests.factories import (
    ADMIN,
    PASSWORD,
    RESIDENT,
    RESIDENT2,
    VOLUNTEER,
    VOLUNTEER2,
    WORKER,
    WORKER2,
    Api,
)


@dataclass
class Call:
    path: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, Any] | None = None
    form: dict[str, Any] | None = None  # sent form-encoded (Open311), instead of `body`
    stream: bool = False  # an endless answer (SSE): only its status line is read


Builder = Callable[[Api, str], Awaitable[Call]]
_phones = itertools.count(13700000000)
_keys = itertools.count(1)

# who makes things in each scope: (resident, worker, volunteer, community slug)
PEOPLE = {
    "own": (RESIDENT, WORKER, VOLUNTEER, "demo"),
    "other": (RESIDENT2, WORKER2, VOLUNTEER2, "second"),
}


async def user_id(api: Api, phone: str) -> int:
    return (await api.get(phone, "/api/v1/me")).json()["id"]


async def _order_in(api: Api, scope: str, state: str) -> int:
    """An errand order of the scope's resident, walked to `state` by the scope's people."""
    resident, worker, volunteer, slug = PEOPLE[scope]
    order = await api.order(resident, community=slug)
    oid = order["id"]
    steps: list[tuple[str, str, dict]] = []
    if state == "assigned":
        assignee = await user_id(api, volunteer)
        steps = [(worker, "dispatch", {"mode": "assign", "assignee_user_id": assignee})]
    elif state != "submitted":
        steps = [(worker, "dispatch", {"mode": "pool"})]
        later = [
            ("accepted", volunteer, "accept", {}),
            ("in_progress", volunteer, "start", {}),
            ("completed", volunteer, "complete", {"note": "done", "hours": 1}),
        ]
        for name, who, action, body in later:
            if state == "pooled":
                break
            steps.append((who, action, body))
            if name == state:
                break
    for who, action, body in steps:
        answer = await api.act(who, oid, action, body)
        assert answer.status_code == 200, (action, answer.text)
    return oid


def order_target(state: str, body: Any = None) -> Builder:
    async def build(api: Api, scope: str) -> Call:
        return Call(path={"order_id": await _order_in(api, scope, state)}, body=body or {})

    return build


async def _community(api: Api, scope: str) -> Call:
    return Call(path={"community_id": api.world[PEOPLE[scope][3]]})


async def _new_order(api: Api, scope: str) -> Call:
    slug = PEOPLE[scope][3]
    body = {
        "community_id": api.world[slug],
        "category_id": await api.category("errand", slug),
        "description": "matrix",
    }
    return Call(body=body, headers={"Idempotency-Key": f"matrix-{next(_keys)}"})


async def _otp(api: Api, scope: str) -> Call:
    return Call(body={"phone": str(next(_phones))})


async def _sign_in(api: Api, scope: str) -> Call:
    return Call(body={"phone": RESIDENT, "password": PASSWORD})


async def _refresh(api: Api, scope: str) -> Call:
    pair = await api.client.post(
        "/api/v1/auth/token", json={"phone": RESIDENT, "password": PASSWORD}
    )
    return Call(body={"refresh_token": pair.json()["refresh_token"]})


async def _notice(api: Api, scope: str) -> Call:
    resident = await user_id(api, PEOPLE[scope][0])
    async with api.sessions() as session:
        await notify(session, user_ids=[resident], kind="matrix.test", payload={})
        await session.commit()
        latest = await session.scalar(select(func.max(Notification.id)))
    return Call(path={"notification_id": latest})


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="JPEG")
    return out.getvalue()


async def _upload(api: Api, scope: str) -> Call:
    return Call(files={"data": ("a.jpg", _jpeg(), "image/jpeg")})


async def _photo(api: Api, scope: str) -> Call:
    resident, _, _, slug = PEOPLE[scope]
    uploaded = await api.client.post(
        "/api/v1/files",
        files={"data": ("a.jpg", _jpeg(), "image/jpeg")},
        headers=await api.headers(resident),
    )
    photo = uploaded.json()["id"]
    await api.order(resident, community=slug, photo_ids=[photo])
    return Call(path={"file_id": photo})


def _empty(path: dict[str, Any] | None = None) -> Builder:
    """A body with nothing in it: for routes whose guard, not their data, is under test."""

    async def build(api: Api, scope: str) -> Call:
        return Call(path=path or {}, body={})

    return build


async def _sso_rule(api: Api, scope: str) -> Call:
    community = api.world[PEOPLE[scope][3]]
    return Call(
        body={"claim": "dept", "value": "matrix", "community_id": community, "role": "resident"}
    )


async def _integration(api: Api) -> dict:
    body = {"name": f"矩阵 311 {next(_keys)}", "community_ids": [api.world["demo"]]}
    made = await api.post(ADMIN, "/api/v1/admin/integrations", body)
    assert made.status_code == 201, made.text
    return made.json()


async def _new_integration(api: Api, scope: str) -> Call:
    return Call(body={"name": f"矩阵 311 {next(_keys)}", "community_ids": [api.world["demo"]]})


async def _issued_integration(api: Api, scope: str) -> Call:
    return Call(path={"integration_id": (await _integration(api))["id"]})


async def _open311_filing(api: Api, scope: str) -> Call:
    """A street-light report with a fresh key: the key, not the caller's token, decides."""
    form = {
        "api_key": (await _integration(api))["api_key"],
        "jurisdiction_id": "demo",
        "service_code": "lighting",
        "lat": "31.2304",
        "long": "121.4737",
        "description": "5号楼门口路灯不亮",
    }
    return Call(form=form)


async def _sso_link(api: Api, scope: str) -> Call:
    """A staff identity linked to the worker (as an admin's link would leave it)."""
    async with api.sessions() as session:
        link = ExternalIdentity(
            provider="oidc",
            issuer=f"https://sso{next(_keys)}.matrix.example",  # one link per account and issuer
            subject="matrix",
            user_id=await user_id(api, WORKER),
        )
        session.add(link)
        await session.commit()
    return Call(path={"link_id": link.id})


async def _made_sso_rule(api: Api, scope: str) -> Call:
    body = (await _sso_rule(api, "own")).body | {"value": f"matrix-{next(_keys)}"}
    made = await api.post(ADMIN, "/api/v1/admin/sso/rules", body)
    assert made.status_code == 201, made.text
    return Call(path={"rule_id": made.json()["id"]})


async def _confirm(api: Api, scope: str) -> Call:
    return Call(body={"confirm": True})


async def _schema_file(api: Api, scope: str) -> Call:
    return Call(path={"path": "scalar"})


async def _pwa_path(api: Api, scope: str) -> Call:
    return Call(path={"path": "orders/1"})


REASON = {"reason": "matrix"}
TARGETS: dict[str, Builder] = {
    "requestOtp": _otp,
    "signIn": _sign_in,
    "refreshToken": _refresh,
    "listCategories": _community,
    "listGrids": _community,
    "listAuditEntries": _community,
    "listTakers": _community,
    "markInboxRead": _notice,
    "uploadFile": _upload,
    "deleteMyAccount": _confirm,
    "getFile": _photo,
    "getFileThumbnail": _photo,
    "createOrder": _new_order,
    "getOrder": order_target("submitted"),
    "dispatchOrder": order_target("submitted", {"mode": "pool"}),
    "acceptOrder": order_target("pooled"),
    "declineOrder": order_target("assigned", REASON),
    "startOrder": order_target("accepted"),
    "completeOrder": order_target("in_progress", {"note": "done", "hours": 1}),
    "rateOrder": order_target(
        "completed", {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5}
    ),
    "cancelOrder": order_target("submitted", REASON),
    "rejectOrder": order_target("submitted", REASON),
    "reopenOrder": order_target("completed", REASON),
    "startWechatSignIn": _empty(),
    "finishWechatSignIn": _empty(),
    "bindWechatToPhone": _empty(),
    "startOidcSignIn": _empty(),
    "finishOidcSignIn": _empty(),
    "signOutOidc": _empty(),
    "startMyWechatBinding": _empty(),
    "bindMyWechat": _empty(),
    "unbindMyWechat": _empty({"identity_id": 999999}),
    "createSsoLink": _empty(),
    "deleteSsoLink": _sso_link,
    "createSsoRule": _sso_rule,
    "deleteSsoRule": _made_sso_rule,
    "open311CreateRequestJson": _open311_filing,
    "open311CreateRequestXml": _open311_filing,
    "open311GetRequest": _empty({"leaf": "999999.json"}),
    "open311GetToken": _empty({"leaf": "nothing.json"}),
    "open311ServiceDefinition": _empty({"leaf": "errand.json"}),
    "open311Unknown": _empty({"leaf": "nothing.json"}),
    "createIntegration": _new_integration,
    "revokeIntegration": _issued_integration,
    "GET /schema/{path:str}": _schema_file,
    "GET /{path:path}": _pwa_path,
}
