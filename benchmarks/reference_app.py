"""The ceiling for the pool feed: one Litestar handler, raw asyncpg, the same SQL and JSON.

`GET /api/v1/orders?view=pool&sort=deadline&limit=N` as Linli's order hall asks it, with
nothing but what that request needs: the caller from the same signed access token, the two
queries Linli's pool view sends (the caller's eligible categories, then one joined page of the
hall in deadline order — same joins, same columns, same filter, same order; lists bound as
arrays), and the same JSON. Pooled orders are seen by a claimant only as the hall shows them
(masked name, no room, no contact; the one action is `accept`) — the rows this query returns.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/linli_perf LINLI_SECRET_KEY=… \\
        uv run granian --interface asgi --factory benchmarks.reference_app:create_app --port 8932

`benchmarks/load.py` runs it beside Linli and checks both answer the same JSON first.
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException

from backend.auth.caller import VOLUNTEER_ROLES
from backend.auth.tokens import decode_access_token
from backend.errors import Unauthorized
from backend.orders.models import Order
from backend.quality import deadlines
from backend.settings import DEV_SECRET, normalise_database_url

SECRET = os.environ.get("LINLI_SECRET_KEY") or DEV_SECRET
OPEN = ["submitted", "dispatched", "accepted", "in_progress"]

# Every column of the eight joined rows, in the order Linli's query selects them.
_TABLES = {
    "o": ["id", "number", "community_id", "category_id", "status", "description", "address_text",
          "building_id", "room", "preferred_start", "preferred_end", "urgency", "resident_id",
          "proxy_id", "dispatch_mode", "assignee_user_id", "assignee_provider_id", "hours",
          "completion_note", "created_at", "updated_at", "respond_by", "complete_by",
          "dispatched_at", "accepted_at", "started_at", "completed_at", "closed_at",
          "integration_id", "latitude", "longitude", "media_url", "public_token"],
    "c": ["id", "community_id", "code", "name", "description", "icon", "respond_minutes",
          "complete_minutes", "taker_kinds", "sort_order", "active"],
    "r": ["id", "phone", "name", "password_hash", "birth_year", "home_building_id", "home_room",
          "created_at"],
    "px": ["id", "phone", "name", "password_hash", "birth_year", "home_building_id", "home_room",
           "created_at"],
    "au": ["id", "phone", "name", "password_hash", "birth_year", "home_building_id", "home_room",
           "created_at"],
    "p": ["id", "name", "uscc", "grade", "categories", "contact_name", "contact_phone"],
    "ra": ["id", "order_id", "rater_id", "stars", "timeliness", "attitude", "quality", "comment",
           "created_at"],
    "b": ["id", "community_id", "grid_id", "name"],
}  # fmt: skip
_SELECT = ", ".join(f'{t}."{c}" AS {t}_{c}' for t, cols in _TABLES.items() for c in cols)

CATEGORIES = "SELECT id, community_id, taker_kinds FROM category WHERE community_id = ANY($1)"
PAGE = f"""
SELECT {_SELECT}
FROM "order" o
JOIN category c ON c.id = o.category_id
JOIN "user" r ON r.id = o.resident_id
LEFT OUTER JOIN "user" px ON px.id = o.proxy_id
LEFT OUTER JOIN "user" au ON au.id = o.assignee_user_id
LEFT OUTER JOIN provider p ON p.id = o.assignee_provider_id
LEFT OUTER JOIN rating ra ON ra.order_id = o.id
LEFT OUTER JOIN building b ON b.id = o.building_id
WHERE o.status = 'dispatched' AND o.dispatch_mode = 'pool' AND o.community_id = ANY($1)
  AND o.category_id = ANY($2) AND o.resident_id != $3 AND o.status = ANY($4)
ORDER BY CASE WHEN o.status = 'submitted' THEN o.respond_by ELSE o.complete_by END,
         CASE WHEN o.urgency = 'urgent' THEN 0 ELSE 1 END, o.id
LIMIT $5
"""  # noqa: S608 — built from the constant column lists above


def _may_take(roles: frozenset[str], kinds: list[str]) -> bool:
    if "volunteer" in kinds and roles & VOLUNTEER_ROLES:
        return True
    return "party_member" in kinds and "party_member" in roles


def _order(row: asyncpg.Record) -> dict:
    name = row["r_name"]
    return {
        "id": row["o_id"],
        "number": row["o_number"],
        "community_id": row["o_community_id"],
        "category": {"id": row["c_id"], "code": row["c_code"], "name": row["c_name"]},
        "status": row["o_status"],
        "description": row["o_description"],
        "address_text": None,
        "building": {"id": row["b_id"], "name": row["b_name"]} if row["b_id"] else None,
        "urgency": row["o_urgency"],
        "created_at": row["o_created_at"],
        "updated_at": row["o_updated_at"],
        "respond_by": row["o_respond_by"],
        "complete_by": row["o_complete_by"],
        "preferred_start": row["o_preferred_start"],
        "preferred_end": row["o_preferred_end"],
        "resident": {"id": row["r_id"], "name": name[:1] + "*" * max(1, len(name) - 1)},
        "proxy": {"id": row["px_id"], "name": row["px_name"]} if row["px_id"] else None,
        "assignee": None,
        "dispatch_mode": row["o_dispatch_mode"],
        "hours": row["o_hours"],
        "completion_note": row["o_completion_note"],
        "completed_at": row["o_completed_at"],
        "rating": None,
        "contact": None,
        "allowed_actions": ["accept"],
    }


@get("/api/v1/orders", sync_to_thread=False)
async def pool_feed(request: Request, limit: int = 20) -> dict:
    header = request.headers.get("authorization", "")
    try:
        caller = decode_access_token(header.removeprefix("Bearer "), secret=SECRET)
    except Unauthorized as exc:
        raise NotAuthorizedException() from exc
    pool: asyncpg.Pool = request.app.state.pool
    communities = caller.communities_with(*VOLUNTEER_ROLES)
    async with pool.acquire() as conn:
        rows = await conn.fetch(CATEGORIES, communities)
        eligible = [
            r["id"]
            for r in rows
            if _may_take(caller.roles_in(r["community_id"]), _kinds(r["taker_kinds"]))
        ]
        page = await conn.fetch(PAGE, communities, eligible, caller.id, OPEN, limit + 1)
    items = [_order(r) for r in page[:limit]]
    cursor = None
    if len(page) > limit:  # same cursor as Linli's deadline sort
        last = page[limit - 1]
        probe = Order(status=last["o_status"], respond_by=last["o_respond_by"])
        probe.complete_by = last["o_complete_by"]
        cursor = deadlines.encode_deadline_cursor(
            deadlines.pending_deadline_of(probe), last["o_urgency"], last["o_id"]
        )
    return {"items": items, "next_cursor": cursor}


def _kinds(raw: str | list) -> list[str]:
    return json.loads(raw) if isinstance(raw, str) else raw


def create_app() -> Litestar:
    url = normalise_database_url(os.environ["DATABASE_URL"]).replace("+asyncpg", "")

    @asynccontextmanager
    async def lifespan(app: Litestar):
        # Linli's SQLAlchemy pool keeps 10 connections and may open 20 more: the same here.
        app.state.pool = await asyncpg.create_pool(url, min_size=10, max_size=30)
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar([pool_feed], lifespan=[lifespan], openapi_config=None)
