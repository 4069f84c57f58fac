"""The database readings behind /metrics: orders by status and the depth of the work queues."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db import utcnow
from backend.orders.models import Order


async def orders_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Order.status, func.count()).group_by(Order.status))
    return {status: count for status, count in rows.all()}


async def queue_depths(session: AsyncSession) -> dict[str, int]:
    """Work waiting on people: to be dispatched, in the order hall, past its response target."""
    waiting = select(func.count()).where(Order.status == "submitted")
    pool = select(func.count()).where(
        Order.status == "dispatched",
        Order.dispatch_mode == "pool",
        Order.assignee_user_id.is_(None),
    )
    overdue = select(func.count()).where(Order.status == "submitted", Order.respond_by < utcnow())
    return {
        "awaiting_dispatch": await session.scalar(waiting) or 0,
        "order_hall": await session.scalar(pool) or 0,
        "overdue_response": await session.scalar(overdue) or 0,
    }
