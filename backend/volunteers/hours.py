"""Service hours: credited once per order when the resident rates it or a worker confirms it.

The hours the taker reported are bounded twice: by the order's own span (started, or accepted,
until completed) and by 24 hours per volunteer per day (the completion day, Asia/Shanghai).
Credited minutes earn points at the community's rate (default 10 per hour), in the same
transaction. One entry per order (unique `order_id`): a second confirmation changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import Caller
from backend.errors import Conflict, NotFound
from backend.jobs.claims import claim
from backend.orders.models import Order
from backend.quality.access import require_worker
from backend.quality.periods import SHANGHAI
from backend.volunteers import ledger
from backend.volunteers.bodies import HoursPublic
from backend.volunteers.models import HoursEntry

DAY_MINUTES = 24 * 60


def bounded_minutes(order: Order) -> tuple[int, int]:
    """(reported, bounded by the span) in whole minutes."""
    reported = round((order.hours or 0) * 60)
    began = order.started_at or order.accepted_at
    if began is None or order.completed_at is None:
        return reported, 0
    span = max(0, int((order.completed_at - began).total_seconds() // 60))
    return reported, min(reported, span)


async def confirm(
    session: AsyncSession, *, order: Order, source: str, by: int | None, now: datetime
) -> HoursEntry | None:
    """Credit the order's hours to its volunteer; None if already credited or no volunteer."""
    if order.assignee_user_id is None or order.completed_at is None:
        return None
    reported, credited = bounded_minutes(order)
    local = order.completed_at.astimezone(SHANGHAI)
    day = local.strftime("%Y-%m-%d")
    already = await session.scalar(
        select(func.coalesce(func.sum(HoursEntry.credited_minutes), 0)).where(
            HoursEntry.user_id == order.assignee_user_id, HoursEntry.day == day
        )
    )
    credited = max(0, min(credited, DAY_MINUTES - int(already or 0)))
    points = round(credited * await ledger.points_per_hour(session, order.community_id) / 60)
    values = {
        "order_id": order.id,
        "user_id": order.assignee_user_id,
        "community_id": order.community_id,
        "reported_minutes": reported,
        "credited_minutes": credited,
        "points": points,
        "day": day,
        "month": day[:7],
        "source": source,
        "confirmed_by": by,
        "confirmed_at": now,
    }
    if not await claim(session, HoursEntry, **values):
        return None
    await ledger.earn(
        session,
        community_id=order.community_id,
        user_id=order.assignee_user_id,
        points=points,
        order_id=order.id,
        now=now,
        actor_id=by,
    )
    return HoursEntry(**values)


async def confirm_by_worker(
    session: AsyncSession, *, caller: Caller, order_id: int, now: datetime
) -> HoursPublic:
    order = await session.get(Order, order_id)
    if order is None or not caller.roles_in(order.community_id):
        raise NotFound("order.not_found", "no such order among those you may see")
    require_worker(caller, order.community_id)
    if order.status not in ("completed", "closed") or order.assignee_user_id is None:
        raise Conflict("hours.not_confirmable", "only a volunteer's finished order has hours")
    entry = await confirm(session, order=order, source="worker", by=caller.id, now=now)
    if entry is None:
        raise Conflict("hours.already_confirmed", "these hours were confirmed already")
    await audit.record(
        session,
        actor=caller,
        action="hours.confirm",
        target=("order", order.id),
        community_id=order.community_id,
        after={"credited_minutes": entry.credited_minutes, "points": entry.points},
    )
    await session.commit()
    return await present(session, order_id)


async def present(session: AsyncSession, order_id: int) -> HoursPublic:
    entry = await session.scalar(select(HoursEntry).where(HoursEntry.order_id == order_id))
    if entry is None:
        raise NotFound("hours.not_found", "no confirmed hours for this order")
    return HoursPublic(
        order_id=entry.order_id,
        user_id=entry.user_id,
        reported_hours=round(entry.reported_minutes / 60, 2),
        credited_hours=round(entry.credited_minutes / 60, 2),
        points=entry.points,
        source=entry.source,
        confirmed_at=entry.confirmed_at,
    )


async def present_for(session: AsyncSession, *, caller: Caller, order_id: int) -> HoursPublic:
    entry = await session.scalar(select(HoursEntry).where(HoursEntry.order_id == order_id))
    if entry is None or not (
        entry.user_id == caller.id or "worker" in caller.roles_in(entry.community_id)
    ):
        raise NotFound("hours.not_found", "no confirmed hours for this order")
    return await present(session, order_id)
