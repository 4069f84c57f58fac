"""The order lists (my orders, the dispatch board, the order hall, my tasks): one query per page.

The hot reads of the app, so each is cheap in Python as well as in PostgreSQL
(docs/performance.md, "Round three: the hot lists' CPU"):

- A list's statement is built once per *shape* — the view and which filters, cursor and
  roles the request has — with bound parameters for everything that varies per caller or
  request (their id, communities, the cursor, the limit). SQLAlchemy then finds the compiled
  SQL in its cache without rebuilding the statement or walking it for a cache key.
- It runs on a connection of the PLAIN_READ engine (no transaction on PostgreSQL; db.py),
  without a session or the ORM's result handling: on PostgreSQL compiled once to asyncpg's
  own SQL and sent on the asyncpg connection underneath, on SQLite as a Core statement
  (list_rows.py; "Round four" in docs/performance.md).
- Rows become plain dicts (present.py) and the page is serialised once, by msgspec, as the
  models in the schema would have been.

The page's ids come from the order table alone, and only then the joins for those rows: with
the joins inside, PostgreSQL may cost "walk the primary key backwards until 21 rows match"
below "find the few matching rows by index, then sort" (seconds, not ms, for a resident's
orders at 10M).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    false,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.catalog.models import Category
from backend.db import utcnow
from backend.orders import list_rows
from backend.orders.access import may_take_sql
from backend.orders.models import Order
from backend.orders.present import present_order
from backend.orders.service import order_rows
from backend.pagination import decode_cursor, encode_cursor
from backend.places.models import Building
from backend.quality import deadlines

# The lists of community (or organisation) ids a statement may hold, by parameter name.
_LISTS = ("communities", "party", "providers")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list request asks for: the query parameters of `GET /api/v1/orders`."""

    view: str = "mine"
    status: str | None = None
    category_id: int | None = None
    grid_id: int | None = None  # orders whose building lies in that grid
    cursor: str | None = None
    limit: int = 20
    due: str | None = None
    sort: str = "newest"


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
    single: frozenset[str]  # the lists (_LISTS) holding one id, bound as that id
    arrays: bool  # the other lists bound as one array (asyncpg), not one parameter per id


def _among(column: Any, name: str, shape: Shape) -> ColumnElement[bool]:
    """`column` is one of the ids of the list parameter `name`.

    Several ids are one array parameter on asyncpg (`= ANY($n)`: a prepared statement has a
    fixed number of parameters), one parameter per id on SQLite (an "expanding" IN). PostgreSQL
    parses `IN ($1, $2)` as `= ANY(ARRAY[$1, $2])`, so the plans are the ones it made before
    (EXPLAIN at 10M, docs/performance.md "Round four"). One id — most callers have one
    community — is `= $n`, as `IN ($1)` always reached PostgreSQL: those statements stay
    exactly what they were, and so do the generic plans PostgreSQL may settle on for them."""
    if name in shape.single:
        return column == bindparam(name)
    if shape.arrays:
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def _view_filter(shape: Shape) -> ColumnElement[bool]:
    me = bindparam("caller_id")
    if shape.view == "mine":
        return or_(Order.resident_id == me, Order.proxy_id == me)
    if shape.view == "community":
        return _among(Order.community_id, "communities", shape)
    if shape.view == "assigned":
        mine = Order.assignee_user_id == me
        if shape.providers:
            mine = or_(mine, _among(Order.assignee_provider_id, "providers", shape))
        return mine
    # pool: dispatched to the hall, in a community where the caller volunteers, of a category
    # they may take (a subquery, so the page stays one round trip).
    if shape.nowhere:
        return false()
    party = _among(Category.community_id, "party", shape) if shape.party else None
    eligible = select(Category.id).where(
        _among(Category.community_id, "communities", shape), may_take_sql(party)
    )
    return and_(
        Order.status == "dispatched",
        Order.dispatch_mode == "pool",
        _among(Order.community_id, "communities", shape),
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


def _shape_and_values(
    caller: Caller, query: ListQuery, *, now: datetime, soon_minutes: int, arrays: bool
) -> tuple[Shape, dict[str, Any]]:
    values: dict[str, Any] = {"caller_id": caller.id, "limit": query.limit + 1}
    party = providers = nowhere = False
    if query.view == "community":
        values["communities"] = caller.communities_with("worker", "admin")
    elif query.view == "assigned":
        providers = bool(caller.provider_ids)
        if providers:
            values["providers"] = sorted(caller.provider_ids)
    elif query.view == "pool":
        values["communities"] = caller.communities_with(*VOLUNTEER_ROLES)
        nowhere = not values["communities"]
        values["party"] = caller.communities_with("party_member")
        party = bool(values["party"])
    single = frozenset(n for n in _LISTS if len(values.get(n, ())) == 1)
    for name in single:
        values[name] = values[name][0]
    if query.status is not None:
        values["status"] = query.status
    if query.category_id is not None:
        values["category_id"] = query.category_id
    if query.grid_id is not None:
        values["grid_id"] = query.grid_id
    if query.due is not None:
        values["now"] = now
        values["soon_until"] = deadlines.soon_until(now, soon_minutes)
    if query.cursor is not None:
        if query.sort == "deadline":
            at, rank, order_id = deadlines.decode_deadline_cursor(query.cursor)
            values |= {"after_at": at, "after_rank": rank, "after_id": order_id}
        else:
            values["before_id"] = decode_cursor(query.cursor)
    shape = Shape(
        view=query.view,
        status=query.status is not None,
        category=query.category_id is not None,
        grid=query.grid_id is not None,
        due=query.due,
        sort=query.sort,
        cursor=query.cursor is not None,
        party=party,
        providers=providers,
        nowhere=nowhere,
        single=single,
        arrays=arrays,
    )
    return shape, values


class OrderLists:
    """The lists of one app, read through `engine` (the engine of PLAIN_READ routes) the
    way its driver reads them fastest (list_rows.py), chosen once, here."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._rows = list_rows.for_engine(engine, statement)

    async def page(
        self, caller: Caller, query: ListQuery, *, soon_minutes: int = 60
    ) -> dict[str, Any]:
        """A page as `OrderPage` would dump it: `{"items": [...], "next_cursor": ...}`.

        `grid_id` keeps orders whose building lies in that grid (orders without a building are
        in none). `due` keeps open orders whose pending deadline passed (`overdue`) or comes
        within `soon_minutes` (`soon`); `sort=deadline` lists the most pressing first
        (quality/deadlines)."""
        now = utcnow()
        shape, values = _shape_and_values(
            caller, query, now=now, soon_minutes=soon_minutes, arrays=self._rows.arrays
        )
        rows = await self._rows.fetch(shape, values)
        limit = query.limit
        items = [present_order(r, caller, now) for r in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = (
                deadlines.encode_deadline_cursor(
                    deadlines.pending_deadline_of(last), last.urgency, last.id
                )
                if query.sort == "deadline"
                else encode_cursor(last.id)
            )
        return {"items": items, "next_cursor": next_cursor}

    def sql(self, caller: Caller, query: ListQuery) -> tuple[str, list[Any]]:
        """The SQL and arguments a page sends (benchmarks/explain.py explains them)."""
        shape, values = _shape_and_values(
            caller, query, now=utcnow(), soon_minutes=60, arrays=self._rows.arrays
        )
        return self._rows.sql(shape, values)
