"""The ceiling for the pool feed: one Litestar handler, raw asyncpg, the same SQL and JSON.

`GET /api/v1/orders?view=pool&sort=deadline&limit=N` as Linli's order hall asks it, with
nothing but what that request needs: the caller from the same signed access token, the one
query Linli's pool view sends (the hall's page of ids in deadline order, the categories the
caller may take in a subquery, then the joins for those rows — same joins, same columns, same
filter, same order; lists bound as arrays), and the same JSON. Pooled orders are seen by a
claimant only as the hall shows them (masked name, no room, no contact; the one action is
`accept`) — the rows this query returns.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/linli_perf LINLI_SECRET_KEY=… \\
        uv run granian --interface asgi --factory benchmarks.reference_app:create_app --port 8932

`benchmarks/load.py` runs it beside Linli and checks both answer the same JSON first.
"""

from __future__ import annotations

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

# The columns Linli's list query selects (orders/service.py `_rows`), in its order.
_COLUMNS = (
    "o.id AS o_id, o.number AS o_number, o.community_id AS o_community_id, "
    "o.category_id AS o_category_id, o.status AS o_status, o.description AS o_description, "
    "o.address_text AS o_address_text, o.building_id AS o_building_id, o.room AS o_room, "
    "o.preferred_start AS o_preferred_start, o.preferred_end AS o_preferred_end, "
    "o.urgency AS o_urgency, o.resident_id AS o_resident_id, o.proxy_id AS o_proxy_id, "
    "o.dispatch_mode AS o_dispatch_mode, o.assignee_user_id AS o_assignee_user_id, "
    "o.assignee_provider_id AS o_assignee_provider_id, o.hours AS o_hours, "
    "o.completion_note AS o_completion_note, o.created_at AS o_created_at, "
    "o.updated_at AS o_updated_at, o.respond_by AS o_respond_by, "
    "o.complete_by AS o_complete_by, o.completed_at AS o_completed_at, "
    "c.code AS c_code, c.name AS c_name, c.taker_kinds AS c_taker_kinds, "
    "r.name AS r_name, r.phone AS r_phone, px.name AS px_name, au.name AS au_name, "
    "p.name AS p_name, b.name AS b_name, ra.id AS ra_id, ra.stars AS ra_stars, "
    "ra.timeliness AS ra_timeliness, ra.attitude AS ra_attitude, ra.quality AS ra_quality, "
    "ra.comment AS ra_comment, ra.created_at AS ra_created_at"
)

# One query, like Linli's hall: the page's ids from the order table alone first (the
# categories the caller may take in a subquery; $2: communities where the caller is a party
# member), then the joins for those rows.
_DEADLINE = (
    "CASE WHEN o.status = 'submitted' THEN o.respond_by ELSE o.complete_by END, "
    "CASE WHEN o.urgency = 'urgent' THEN 0 ELSE 1 END, o.id"
)
PAGE = f"""
SELECT {_COLUMNS}
FROM (
  SELECT o.id FROM "order" o
  WHERE o.status = 'dispatched' AND o.dispatch_mode = 'pool' AND o.community_id = ANY($1)
    AND o.category_id IN (
      SELECT c.id FROM category c WHERE c.community_id = ANY($1)
        AND (CAST(c.taker_kinds AS JSONB) @> '["volunteer"]'
             OR c.community_id = ANY($2) AND CAST(c.taker_kinds AS JSONB) @> '["party_member"]'))
    AND o.resident_id != $3 AND o.status = ANY($4)
  ORDER BY {_DEADLINE}
  LIMIT $5
) page
JOIN "order" o ON o.id = page.id
JOIN category c ON c.id = o.category_id
JOIN "user" r ON r.id = o.resident_id
LEFT OUTER JOIN "user" px ON px.id = o.proxy_id
LEFT OUTER JOIN "user" au ON au.id = o.assignee_user_id
LEFT OUTER JOIN provider p ON p.id = o.assignee_provider_id
LEFT OUTER JOIN rating ra ON ra.order_id = o.id
LEFT OUTER JOIN building b ON b.id = o.building_id
ORDER BY {_DEADLINE}
"""  # noqa: S608 — built from the constants above


def _order(row: asyncpg.Record) -> dict:
    name = row["r_name"]
    return {
        "id": row["o_id"],
        "number": row["o_number"],
        "community_id": row["o_community_id"],
        "category": {"id": row["o_category_id"], "code": row["c_code"], "name": row["c_name"]},
        "status": row["o_status"],
        "description": row["o_description"],
        "address_text": None,
        "building": (
            {"id": row["o_building_id"], "name": row["b_name"]} if row["o_building_id"] else None
        ),
        "urgency": row["o_urgency"],
        "created_at": row["o_created_at"],
        "updated_at": row["o_updated_at"],
        "respond_by": row["o_respond_by"],
        "complete_by": row["o_complete_by"],
        "preferred_start": row["o_preferred_start"],
        "preferred_end": row["o_preferred_end"],
        "resident": {"id": row["o_resident_id"], "name": name[:1] + "*" * max(1, len(name) - 1)},
        "proxy": ({"id": row["o_proxy_id"], "name": row["px_name"]} if row["o_proxy_id"] else None),
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
    party = caller.communities_with("party_member")
    async with pool.acquire() as conn:
        page = await conn.fetch(PAGE, communities, party, caller.id, OPEN, limit + 1)
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
