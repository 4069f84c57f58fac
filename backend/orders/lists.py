"""The order lists (my orders, the dispatch board, the order hall, my tasks): one query per page.

The hot reads of the app, so each is cheap in Python as well as in PostgreSQL
(docs/performance.md, "Round three: the hot lists' CPU"):

- A list's statement is built once per *shape* — the view and which filters, cursor and
  roles the request has — with bound parameters for everything that varies per caller or
  request (their id, communities, the cursor, the limit). SQLAlchemy then finds the compiled
  SQL in its cache without rebuilding the statement or walking it for a cache key.
- It runs as a Core statement on a connection of the PLAIN_READ engine (no transaction on
  PostgreSQL; db.py), without a session or the ORM's result handling.
- Rows become plain dicts (present.py) and the page is serialised once, by msgspec, as the
  models in the schema would have been.

The page's ids come from the order table alone, and only then the joins for those rows: with
the joins inside, PostgreSQL may cost "walk the primary key backwards until 21 rows match"
below "find the few matching rows by index, then sort" (seconds, not ms, for a resident's
orders at 10M).
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    false,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.catalog.models import Category
from backend.db import utcnow
from backend.orders.access import may_take_sql
from backend.orders.models import Order
from backend.orders.present import present_order
from backend.orders.service import order_rows
from backend.pagination import decode_cursor, encode_cursor
from backend.places.models import Building
from backend.quality import deadlines


class Shape(NamedTuple):
    """What decides a list statement's SQL; everything else is a bound parameter."""

    view: str
    status: bool  # filtered by status
    category: bool  # filtered by category
    grid: bool  # filtered by grid (the order's building is in it)
    due: str | None
    sort: str
    cursor: bool
    party: bool  # pool: the caller is a party member somewhere
    providers: bool  # assigned: the caller staffs an organisation
    nowhere: bool  # pool: the caller volunteers in no community (an empty hall)


def _list(name: str) -> BindParameter[Any]:
    return bindparam(name, expanding=True)


def _view_filter(shape: Shape) -> ColumnElement[bool]:
    me = bindparam("caller_id")
    if shape.view == "mine":
        return or_(Order.resident_id == me, Order.proxy_id == me)
    if shape.view == "community":
        return Order.community_id.in_(_list("communities"))
    if shape.view == "assigned":
        mine = Order.assignee_user_id == me
        if shape.providers:
            mine = or_(mine, Order.assignee_provider_id.in_(_list("providers")))
        return mine
    # pool: dispatched to the hall, in a community where the caller volunteers, of a category
    # they may take (a subquery, so the page stays one round trip).
    if shape.nowhere:
        return false()
    eligible = select(Category.id).where(
        Category.community_id.in_(_list("communities")),
        may_take_sql(_list("party") if shape.party else None),
    )
    return and_(
        Order.status == "dispatched",
        Order.dispatch_mode == "pool",
        Order.community_id.in_(_list("communities")),
        Order.category_id.in_(eligible),
        Order.resident_id != me,
    )


@lru_cache(maxsize=256)
def statement(shape: Shape) -> Select:
    """The list statement of one shape (at most a few hundred exist; most requests use a
    handful)."""
    page = select(Order.id).where(_view_filter(shape))
    if shape.status:
        page = page.where(Order.status == bindparam("status"))
    if shape.category:
        page = page.where(Order.category_id == bindparam("category_id"))
    if shape.grid:
        in_grid = select(Building.id).where(Building.grid_id == bindparam("grid_id"))
        page = page.where(Order.building_id.in_(in_grid))
    if shape.due is not None:
        page = page.where(
            deadlines.due_filter(shape.due, bindparam("now"), bindparam("soon_until"))
        )
    if shape.sort == "deadline":
        page = page.where(Order.status.in_(deadlines.OPEN))
        if shape.cursor:
            page = page.where(
                deadlines.after_deadline(
                    bindparam("after_at"), bindparam("after_rank"), bindparam("after_id")
                )
            )
        order = deadlines.deadline_order()
    else:
        if shape.cursor:
            page = page.where(Order.id < bindparam("before_id"))
        order = (Order.id.desc(),)
    ids = page.order_by(*order).limit(bindparam("limit", type_=Integer)).subquery("page")
    return order_rows(ids).order_by(*order)


@lru_cache(maxsize=16)
def _record_type(keys: tuple[str, ...]) -> type:
    """A named tuple of a list statement's columns: presenting reads ~60 fields of every row,
    and a SQLAlchemy Row resolves each name through `__getattr__` (~20× a named tuple's field)."""
    return namedtuple("OrderRow", keys)  # type: ignore[misc]


def _shape_and_values(
    caller: Caller,
    *,
    view: str,
    status: str | None,
    category_id: int | None,
    grid_id: int | None,
    cursor: str | None,
    limit: int,
    due: str | None,
    sort: str,
    now: datetime,
    soon_minutes: int,
) -> tuple[Shape, dict[str, Any]]:
    values: dict[str, Any] = {"caller_id": caller.id, "limit": limit + 1}
    party = providers = nowhere = False
    if view == "community":
        values["communities"] = caller.communities_with("worker", "admin")
    elif view == "assigned":
        providers = bool(caller.provider_ids)
        if providers:
            values["providers"] = sorted(caller.provider_ids)
    elif view == "pool":
        values["communities"] = caller.communities_with(*VOLUNTEER_ROLES)
        nowhere = not values["communities"]
        values["party"] = caller.communities_with("party_member")
        party = bool(values["party"])
    if status is not None:
        values["status"] = status
    if category_id is not None:
        values["category_id"] = category_id
    if grid_id is not None:
        values["grid_id"] = grid_id
    if due is not None:
        values["now"] = now
        values["soon_until"] = deadlines.soon_until(now, soon_minutes)
    if cursor is not None:
        if sort == "deadline":
            at, rank, order_id = deadlines.decode_deadline_cursor(cursor)
            values |= {"after_at": at, "after_rank": rank, "after_id": order_id}
        else:
            values["before_id"] = decode_cursor(cursor)
    shape = Shape(
        view=view,
        status=status is not None,
        category=category_id is not None,
        grid=grid_id is not None,
        due=due,
        sort=sort,
        cursor=cursor is not None,
        party=party,
        providers=providers,
        nowhere=nowhere,
    )
    return shape, values


async def list_orders(
    engine: AsyncEngine,
    *,
    caller: Caller,
    view: str,
    status: str | None,
    category_id: int | None,
    cursor: str | None,
    limit: int,
    grid_id: int | None = None,
    due: str | None = None,
    sort: str = "newest",
    soon_minutes: int = 60,
) -> dict[str, Any]:
    """A page as `OrderPage` would dump it: `{"items": [...], "next_cursor": ...}`.

    `grid_id` keeps orders whose building lies in that grid (orders without a building are in
    none). `due` keeps open orders whose pending deadline passed (`overdue`) or comes within
    `soon_minutes` (`soon`); `sort=deadline` lists the most pressing first (quality/deadlines)."""
    now = utcnow()
    shape, values = _shape_and_values(
        caller,
        view=view,
        status=status,
        category_id=category_id,
        grid_id=grid_id,
        cursor=cursor,
        limit=limit,
        due=due,
        sort=sort,
        now=now,
        soon_minutes=soon_minutes,
    )
    # Core on a connection: neither the ORM's result machinery nor a session's transaction
    # bookkeeping has anything to do for one SELECT.
    async with engine.connect() as connection:
        result = await connection.execute(statement(shape), values)
        as_record = _record_type(tuple(result.keys()))._make
        rows = [as_record(row) for row in result]
    items = [present_order(r, caller, now) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = (
            deadlines.encode_deadline_cursor(
                deadlines.pending_deadline_of(last), last.urgency, last.id
            )
            if sort == "deadline"
            else encode_cursor(last.id)
        )
    return {"items": items, "next_cursor": next_cursor}
