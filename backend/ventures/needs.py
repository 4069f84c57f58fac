"""The round's needs board (需求清单): needs residents post, needs counted from real orders,
and the screening (selected / not selected, with the reason) by workers or reviewers.

Orders are only read here, never written: a derived need is "N orders of category C in grid G
between two dates", and deriving again refreshes the counts instead of adding duplicates.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import Caller
from backend.catalog.models import Category
from backend.db import utcnow
from backend.errors import Invalid, NotFound
from backend.orders.models import Order
from backend.places.models import Building, Grid
from backend.ventures import journal, rules
from backend.ventures.access import load_round
from backend.ventures.bodies import DeriveNeeds, NeedCreate, NeedPublic, ScreenBody
from backend.ventures.models import Need


def present_need(need: Need) -> NeedPublic:
    return NeedPublic.model_validate(need, from_attributes=True)


async def post_need(
    session: AsyncSession, *, caller: Caller, round_id: int, body: NeedCreate
) -> NeedPublic:
    access = await load_round(session, caller, round_id)
    rules.may_post_need(access)
    mine = access.resident_communities()
    community_id = body.community_id if body.community_id is not None else mine[0]
    if community_id not in mine:
        raise Invalid("community_id", "not a community of yours in this round's area")
    if body.category_id is not None:
        owner = await session.scalar(
            select(Category.community_id).where(Category.id == body.category_id)
        )
        if owner != community_id:
            raise Invalid("category_id", "not a category of this community")
    if body.grid_id is not None:
        owner = await session.scalar(select(Grid.community_id).where(Grid.id == body.grid_id))
        if owner != community_id:
            raise Invalid("grid_id", "not a grid of this community")
    need = Need(
        round_id=round_id,
        community_id=community_id,
        source="resident",
        posted_by=caller.id,
        **body.model_dump(include={"title", "description", "category_id", "grid_id"}),
    )
    session.add(need)
    await session.flush()
    await audit.record(
        session,
        actor=caller,
        action="venture.need_post",
        target=("need", need.id),
        community_id=community_id,
        after={"round_id": round_id, "source": "resident"},
    )
    await session.commit()
    return present_need(need)


async def derive_needs(
    session: AsyncSession, *, caller: Caller, round_id: int, body: DeriveNeeds
) -> list[NeedPublic]:
    """Count orders per (community, category, grid) in the window; one need per group."""
    access = await load_round(session, caller, round_id)
    rules.may_derive_needs(access)
    until = body.until or utcnow()
    if until <= body.since:
        raise Invalid("until", "must be after since")
    count = func.count(Order.id)
    rows = await session.execute(
        select(Order.community_id, Category.id, Category.name, Building.grid_id, Grid.name, count)
        .join(Category, Category.id == Order.category_id)
        .outerjoin(Building, Building.id == Order.building_id)
        .outerjoin(Grid, Grid.id == Building.grid_id)
        .where(
            Order.community_id.in_(access.communities),
            Order.created_at >= body.since,
            Order.created_at < until,
        )
        .group_by(Order.community_id, Category.id, Category.name, Building.grid_id, Grid.name)
        .having(count >= body.min_orders)
        .order_by(count.desc(), Order.community_id, Category.id, Building.grid_id)
    )
    existing = {
        (n.community_id, n.category_id, n.grid_id): n
        for n in await session.scalars(
            select(Need).where(Need.round_id == round_id, Need.source == "orders")
        )
    }
    derived = []
    for community_id, category_id, category, grid_id, grid, orders in rows:
        place = grid or "未定位网格"
        need = existing.get((community_id, category_id, grid_id)) or Need(
            round_id=round_id,
            community_id=community_id,
            source="orders",
            category_id=category_id,
            grid_id=grid_id,
        )
        need.title = f"{place}「{category}」需求 {orders} 单"
        need.description = f"{body.since.date()} 至 {until.date()} 共 {orders} 单"
        need.order_count, need.window_from, need.window_to = orders, body.since, until
        session.add(need)
        derived.append(need)
    await session.flush()
    await journal.audited_round(
        session, caller, "needs_derive", access.round, after={"need_ids": [n.id for n in derived]}
    )
    await session.commit()
    return [present_need(n) for n in derived]


async def list_needs(session: AsyncSession, *, caller: Caller, round_id: int) -> list[NeedPublic]:
    await load_round(session, caller, round_id)
    rows = await session.scalars(
        select(Need)
        .where(Need.round_id == round_id)
        .order_by(Need.order_count.is_(None), Need.order_count.desc(), Need.id)
    )
    return [present_need(n) for n in rows]


async def screen(
    session: AsyncSession, *, caller: Caller, need_id: int, body: ScreenBody
) -> NeedPublic:
    need = await session.get(Need, need_id)
    if need is None:
        raise NotFound("need.not_found", "no such need")
    access = await load_round(session, caller, need.round_id)
    rules.may_screen(access, need.community_id)
    before = {"screening": need.screening}
    need.screening = "selected" if body.selected else "not_selected"
    need.screening_reason = body.reason
    need.screened_by = caller.id
    await audit.record(
        session,
        actor=caller,
        action="venture.need_screen",
        target=("need", need.id),
        community_id=need.community_id,
        before=before,
        after={"screening": need.screening},
    )
    await session.commit()
    return present_need(need)
