"""Reading one order (the joined columns every answer shows) and moving orders through the
workflow; the lists are in lists.py.

Every transition is one conditional UPDATE guarded by the status it leaves (and, for a claim,
by the order still being unclaimed): the row count decides 200 or 409, never a read-then-write.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    FromClause,
    Join,
    Select,
    Subquery,
    Update,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.auth.models import Membership, User
from backend.catalog.models import Category, Provider, ProviderCommunity
from backend.db import flush_pending, plain_reads_from_here, utcnow
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.files import service as files
from backend.orders import workflow
from backend.orders.access import display_role, lost_claim, may_take, relations
from backend.orders.live import announce
from backend.orders.models import (
    CompleteBody,
    DispatchBody,
    Order,
    OrderDetail,
    OrderEvent,
    RateBody,
    Rating,
    ReasonBody,
)
from backend.orders.present import present_detail, present_timeline
from backend.places.models import Building
from backend.volunteers import hours

# What a transition's audit entry records beyond the status change (no personal text).
AUDITED = ("dispatch_mode", "assignee_user_id", "assignee_provider_id", "hours")

# The columns the answers show (present.py), as plain Core rows: building ORM objects for eight
# joined tables cost more than the query itself (docs/performance.md), and a user row carries
# columns (the password hash) no answer needs. Tables, columns and join conditions are built
# once here; a list request only adds its filter and order.
_ORDER, _CATEGORY, _USER = (m.__table__ for m in (Order, Category, User))  # type: ignore[attr-defined]
_PROVIDER, _RATING, _BUILDING = (m.__table__ for m in (Provider, Rating, Building))  # type: ignore[attr-defined]
_RESIDENT, _PROXY, _ASSIGNEE = (_USER.alias(n) for n in ("resident", "proxy", "assignee"))
_COLUMNS = [
    *(c for c in _ORDER.columns if c.name not in (
        "dispatched_at", "accepted_at", "started_at", "closed_at", "integration_id", "latitude",
        "longitude", "media_url", "public_token")),
    _CATEGORY.c.code.label("category_code"),
    _CATEGORY.c.name.label("category_name"),
    _CATEGORY.c.taker_kinds,
    _RESIDENT.c.name.label("resident_name"),
    _RESIDENT.c.phone.label("resident_phone"),
    _PROXY.c.name.label("proxy_name"),
    _ASSIGNEE.c.name.label("assignee_user_name"),
    _PROVIDER.c.name.label("provider_name"),
    _BUILDING.c.name.label("building_name"),
    *(_RATING.c[n].label(f"rating_{n}") for n in (
        "id", "stars", "timeliness", "attitude", "quality", "comment", "created_at")),
]  # fmt: skip
_JOINS = [  # (table, condition, outer)
    (_CATEGORY, _CATEGORY.c.id == _ORDER.c.category_id, False),
    (_RESIDENT, _RESIDENT.c.id == _ORDER.c.resident_id, False),
    (_PROXY, _PROXY.c.id == _ORDER.c.proxy_id, True),
    (_ASSIGNEE, _ASSIGNEE.c.id == _ORDER.c.assignee_user_id, True),
    (_PROVIDER, _PROVIDER.c.id == _ORDER.c.assignee_provider_id, True),
    (_RATING, _RATING.c.order_id == _ORDER.c.id, True),
    (_BUILDING, _BUILDING.c.id == _ORDER.c.building_id, True),
]


def _joined(start: FromClause) -> Join:
    joined = start
    for table, condition, outer in _JOINS:
        joined = joined.join(table, condition, isouter=outer)
    return joined


_ALL_ROWS = select(*_COLUMNS).select_from(_joined(_ORDER))

# The statements of a transition and of the detail it answers, built once: every write runs
# them, and building a statement (and its cache key) costs the worker more than sending it.
_EVENT, _ACTOR = OrderEvent.__table__, _USER.alias("actor")  # type: ignore[attr-defined]
_LOAD = (
    select(Order, Category)
    .join(Category, Category.id == Order.category_id)
    .where(Order.id == bindparam("order_id"))
)
_ONE = _ALL_ROWS.where(_ORDER.c.id == bindparam("order_id"))
_TIMELINE = (
    select(*_EVENT.columns, _ACTOR.c.id.label("actor_user_id"), _ACTOR.c.name.label("actor_name"))
    .outerjoin(_ACTOR, _ACTOR.c.id == _EVENT.c.actor_id)
    .where(_EVENT.c.order_id == bindparam("order_id"))
    .order_by(_EVENT.c.id)
)
_ADD_EVENT = insert(_EVENT)


@functools.cache
def _guarded_update(columns: tuple[str, ...], claim: bool) -> Update:
    """A transition's UPDATE, guarded by the status it leaves (and, for a claim, by the order
    still being in the pool, unclaimed), setting `columns`: built once per shape."""
    guard = [
        _ORDER.c.id == bindparam("guard_id", type_=_ORDER.c.id.type),
        _ORDER.c.status == bindparam("guard_status", type_=_ORDER.c.status.type),
    ]
    if claim:
        guard += [_ORDER.c.dispatch_mode == "pool", _ORDER.c.assignee_user_id.is_(None)]
    sets = {c: bindparam(f"set_{c}", type_=_ORDER.c[c].type) for c in columns}
    return update(_ORDER).where(*guard).values(sets)


def order_rows(page: Subquery | None = None) -> Select:
    """With `page` (a subquery of order ids), only those orders, joined from the ids outwards:
    nine tables are past PostgreSQL's join_collapse_limit, so the order written is the order
    planned, and the page must come first."""
    if page is None:
        return _ALL_ROWS
    return select(*_COLUMNS).select_from(_joined(page.join(_ORDER, _ORDER.c.id == page.c.id)))


async def _load(
    session: AsyncSession, caller: Caller, order_id: int, *, claiming: bool = False
) -> tuple[Order, Category]:
    """The order and its category as ORM objects, for a transition to act on."""
    row = (await session.execute(_LOAD, {"order_id": order_id})).first()
    if row is not None and relations(row[0], row[1].taker_kinds, caller):
        return row[0], row[1]
    if claiming and row is not None and lost_claim(row[0], row[1].taker_kinds, caller):
        raise Conflict("order.already_claimed", "someone else took this order first")
    raise NotFound("order.not_found", "no such order among those you may see")


async def get_order(session: AsyncSession, *, caller: Caller, order_id: int) -> OrderDetail:
    row = (await session.execute(_ONE, {"order_id": order_id})).first()
    if row is None or not relations(row, row.taker_kinds, caller):
        raise NotFound("order.not_found", "no such order among those you may see")
    events = (await session.execute(_TIMELINE, {"order_id": order_id})).all()
    photos = await files.of_order(session, order_id)
    return present_detail(row, caller, utcnow(), present_timeline(events), photos=photos)


async def can_see(session: AsyncSession, *, caller: Caller, order_id: int) -> bool:
    """Whether the caller may see this order (what decides who may see its photos)."""
    try:
        await _load(session, caller, order_id)
    except NotFound:
        return False
    return True


# --- transitions ---------------------------------------------------------------------------


def _clear_assignment() -> dict[str, Any]:
    return {
        "dispatch_mode": None,
        "assignee_user_id": None,
        "assignee_provider_id": None,
        "dispatched_at": None,
        "accepted_at": None,
        "started_at": None,
    }


async def _dispatch_values(
    session: AsyncSession, order: Order, category: Category, body: DispatchBody, now: datetime
) -> dict[str, Any]:
    kinds = category.taker_kinds
    if body.mode == "pool":
        for field in ("assignee_user_id", "provider_id"):
            if getattr(body, field) is not None:
                raise Invalid(field, "not allowed when dispatching to the pool")
        if not {"volunteer", "party_member"} & set(kinds):
            raise Invalid("mode", "this category is taken by organisations only, not the pool")
        return {"dispatch_mode": "pool", "dispatched_at": now}
    if (body.assignee_user_id is None) == (body.provider_id is None):
        raise Invalid("assignee_user_id", "give exactly one of assignee_user_id or provider_id")
    if body.provider_id is not None:
        serves = await session.scalar(
            select(ProviderCommunity.id).where(
                ProviderCommunity.provider_id == body.provider_id,
                ProviderCommunity.community_id == order.community_id,
            )
        )
        if serves is None:
            raise Invalid("provider_id", "no such organisation serves this community")
        if "provider" not in kinds:
            raise Invalid("provider_id", "this category is not taken by organisations")
        return {
            "dispatch_mode": "assign",
            "assignee_provider_id": body.provider_id,
            "dispatched_at": now,
        }
    held = frozenset(
        await session.scalars(
            select(Membership.role).where(
                Membership.user_id == body.assignee_user_id,
                Membership.community_id == order.community_id,
            )
        )
    )
    if not held & VOLUNTEER_ROLES:
        raise Invalid("assignee_user_id", "not a volunteer or party member of this community")
    if not may_take(held, kinds):
        raise Invalid("assignee_user_id", "this person may not take orders of this category")
    return {
        "dispatch_mode": "assign",
        "assignee_user_id": body.assignee_user_id,
        "dispatched_at": now,
    }


async def act(
    session: AsyncSession, *, caller: Caller, order_id: int, action: str, body: Any
) -> OrderDetail:
    order, category, *_ = await _load(session, caller, order_id, claiming=action == "accept")
    rel = relations(order, category.taker_kinds, caller)
    if not workflow.may_ever(action, rel):
        raise Forbidden("order.action_forbidden", f"you may not {action} this order")
    transition = workflow.find(order.status, action)
    if transition is None or not transition.relations & rel:
        raise Conflict(
            "order.illegal_transition", f"cannot {action} an order that is {order.status}"
        )
    now = utcnow()
    if not workflow.within_time_limit(action, order.completed_at, now):
        raise Conflict("order.reopen_window_passed", "reopening is possible for 7 days only")

    claim = False
    values: dict[str, Any] = {}
    note = getattr(body, "reason", None) or getattr(body, "note", None)
    lost_code = "order.changed_meanwhile"
    if action == "dispatch":
        values = await _dispatch_values(session, order, category, body, now)
    elif action == "accept":
        values = {
            "accepted_at": now,
            "complete_by": now + timedelta(minutes=category.complete_minutes),
        }
        if "claimant" in rel and order.dispatch_mode == "pool":
            values["assignee_user_id"] = caller.id
            claim = True
            lost_code = "order.already_claimed"
    elif action in ("decline", "reopen", "complaint"):
        values = _clear_assignment()
        if action in ("reopen", "complaint"):
            values |= {
                "completed_at": None,
                "hours": None,
                "completion_note": None,
                "respond_by": now + timedelta(minutes=category.respond_minutes),
                "complete_by": now
                + timedelta(minutes=category.respond_minutes + category.complete_minutes),
            }
    elif action == "start":
        values = {"started_at": now}
    elif action == "complete":
        assert isinstance(body, CompleteBody)
        await files.attach(session, caller=caller, photo_ids=body.photo_ids, order_id=order.id)
        values = {"completed_at": now, "hours": round(body.hours, 2), "completion_note": body.note}
    elif action == "rate":
        assert isinstance(body, RateBody)
        values = {"closed_at": now}
        note = body.comment
        session.add(Rating(order_id=order.id, rater_id=caller.id, **body.model_dump()))
        # the resident's rating confirms the volunteer's hours, in this same transaction
        await hours.confirm(session, order=order, source="rating", by=None, now=now)
    elif action in ("cancel", "reject"):
        assert isinstance(body, ReasonBody)

    await flush_pending(session)  # a rating added above goes first, as under the ORM's UPDATE
    sets = {"status": transition.target, "updated_at": now, **values}
    result = await session.execute(
        _guarded_update(tuple(sets), claim),
        {"guard_id": order.id, "guard_status": order.status}
        | {f"set_{c}": v for c, v in sets.items()},
    )
    if result.rowcount != 1:
        await session.rollback()
        raise Conflict(lost_code, "someone else changed this order first")
    await session.execute(
        _ADD_EVENT,
        {
            "order_id": order.id,
            "at": now,
            "actor_id": caller.id,
            "actor_role": display_role(caller, order.community_id, rel),
            "action": action,
            "from_status": order.status,
            "to_status": transition.target,
            "note": note,
        },
    )
    await announce(session, order, category, action, transition.target, values, caller.id)
    # Last before the commit: every write of this request queues for the chain's tail here.
    await audit.record(
        session,
        actor=caller,
        action=f"order.{action}",
        target=("order", order.id),
        community_id=order.community_id,
        before={"status": order.status},
        after={"status": transition.target, **{k: values[k] for k in AUDITED if k in values}},
    )
    try:
        await session.commit()
    except IntegrityError as exc:  # e.g. a rating raced in by a second request
        await session.rollback()
        raise Conflict(lost_code, "someone else changed this order first") from exc
    session.expunge_all()
    await plain_reads_from_here(session)
    return await get_order(session, caller=caller, order_id=order_id)
