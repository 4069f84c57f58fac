"""Dashboards per community and across a street: the period's orders by status and category,
median response and completion times, on-time rate, satisfaction, callback rate, hours, and what
is overdue or due soon right now.

A period is a month (`2026-11`) or a quarter (`2026Q4`), Asia/Shanghai; default this month.
Medians: PostgreSQL's `percentile_cont`; SQLite has none, so its minutes are sorted in Python.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.catalog.models import Category
from backend.db import utcnow
from backend.errors import NotFound
from backend.orders.models import Order, Rating
from backend.places.models import Community, Street
from backend.quality import deadlines, periods
from backend.quality.access import require_reader
from backend.quality.dashboard_models import CategoryCount, Dashboard, StreetDashboard
from backend.quality.models import Callback
from backend.volunteers.models import HoursEntry


def period_range(period: str | None, now: datetime) -> tuple[str, datetime, datetime, list[str]]:
    """(name, start, end, the months it covers)."""
    period = period or periods.month_of(now)
    if "Q" in period:
        start, end = periods.quarter_range(period, "period")
        year, q = int(period[:4]), int(period[5])
        months = [f"{year:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
        return period, start, end, months
    start, end = periods.month_range(period, "period")
    return period, start, end, [period]


def _minutes(session: AsyncSession, later, earlier):
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        return func.extract("epoch", later - earlier) / 60
    return (func.julianday(later) - func.julianday(earlier)) * 1440


async def _median(session: AsyncSession, later, earlier, *where) -> float | None:
    minutes = _minutes(session, later, earlier)
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        value = await session.scalar(
            select(func.percentile_cont(0.5).within_group(minutes)).where(*where)
        )
        return None if value is None else round(float(value), 1)
    values = [float(v) for v in await session.scalars(select(minutes).where(*where))]
    return round(statistics.median(values), 1) if values else None


async def build(session: AsyncSession, community_ids: list[int], period: str | None) -> Dashboard:
    now = utcnow()
    name, start, end, months = period_range(period, now)
    mine = Order.community_id.in_(community_ids)
    created = (mine, Order.created_at >= start, Order.created_at < end)
    finished = (
        mine,
        Order.completed_at >= start,
        Order.completed_at < end,
        Order.status.in_(("completed", "closed")),
    )
    by_status = dict(
        (
            await session.execute(
                select(Order.status, func.count()).where(*created).group_by(Order.status)
            )
        ).all()
    )
    by_category = [
        CategoryCount(code=code, name=cat, count=n)
        for code, cat, n in await session.execute(
            select(Category.code, Category.name, func.count())
            .select_from(Order)
            .join(Category, Category.id == Order.category_id)
            .where(*created)
            .group_by(Category.code, Category.name)
            .order_by(func.count().desc(), Category.code)
        )
    ]
    done, timely = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((Order.completed_at <= Order.complete_by, 1), else_=0)),
            ).where(*finished)
        )
    ).one()
    stars = await session.scalar(
        select(func.avg(Rating.stars)).join(Order, Order.id == Rating.order_id).where(*finished)
    )
    calls, answered = (
        await session.execute(
            select(
                func.count(),
                func.sum(case((Callback.outcome.in_(("reached", "refused")), 1), else_=0)),
            ).where(Callback.community_id.in_(community_ids), Callback.month.in_(months))
        )
    ).one()
    minutes = await session.scalar(
        select(func.coalesce(func.sum(HoursEntry.credited_minutes), 0)).where(
            HoursEntry.community_id.in_(community_ids), HoursEntry.month.in_(months)
        )
    )
    within_hour = deadlines.soon_until(now, 60)
    overdue, soon = (
        await session.execute(
            select(
                func.sum(case((deadlines.due_filter("overdue", now, within_hour), 1), else_=0)),
                func.sum(case((deadlines.due_filter("soon", now, within_hour), 1), else_=0)),
            ).where(mine, Order.status.in_(deadlines.OPEN))
        )
    ).one()
    return Dashboard(
        period=name,
        orders_created=sum(by_status.values()),
        orders_by_status={k: int(v) for k, v in by_status.items()},
        orders_by_category=by_category,
        median_response_minutes=await _median(
            session,
            Order.dispatched_at,
            Order.created_at,
            *created,
            Order.dispatched_at.is_not(None),
        ),
        median_completion_minutes=await _median(
            session,
            Order.completed_at,
            Order.accepted_at,
            *finished,
            Order.accepted_at.is_not(None),
        ),
        orders_completed=int(done or 0),
        on_time_rate=round(int(timely or 0) / done, 4) if done else None,
        satisfaction=round(float(stars), 2) if stars is not None else None,
        callbacks=int(calls or 0),
        callback_rate=round(int(answered or 0) / calls, 4) if calls else None,
        hours=round(int(minutes or 0) / 60, 2),
        overdue_now=int(overdue or 0),
        due_soon_now=int(soon or 0),
    )


async def community_dashboard(
    session: AsyncSession, *, caller: Caller, community_id: int, period: str | None
) -> Dashboard:
    require_reader(caller, community_id)
    return await build(session, [community_id], period)


async def street_dashboard(
    session: AsyncSession, *, caller: Caller, street_id: int, period: str | None
) -> StreetDashboard:
    street = await session.get(Street, street_id)
    rows = list(
        await session.execute(
            select(Community.id, Community.name)
            .where(Community.street_id == street_id)
            .order_by(Community.id)
        )
    )
    if street is None or not any("admin" in caller.roles_in(cid) for cid, _ in rows):
        raise NotFound("street.not_found", "no such street among yours")
    ids = [cid for cid, _ in rows]
    total = await build(session, ids, period)
    return StreetDashboard(
        street_id=street_id,
        street_name=street.name,
        total=total,
        communities=[
            {
                "community_id": cid,
                "name": cname,
                **(await build(session, [cid], period)).model_dump(),
            }
            for cid, cname in rows
        ],
    )
