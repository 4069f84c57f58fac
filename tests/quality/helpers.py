"""Test helpers for quality rules: moving an order's deadlines and times into the past."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from backend.auth.models import User
from backend.catalog.models import Category
from backend.db import utcnow
from backend.orders.models import Order


async def age_order(api, order_id: int, **deltas: timedelta) -> None:
    """Set `respond_by`, `complete_by`, … to now − delta (a positive delta is the past)."""
    now = utcnow()
    async with api.sessions() as session:
        await session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(**{field: now - delta for field, delta in deltas.items()})
        )
        await session.commit()


async def user_id(api, phone: str) -> int:
    async with api.sessions() as session:
        return await session.scalar(select(User.id).where(User.phone == phone))


async def completed_orders(
    api,
    count: int,
    *,
    at: datetime,
    resident_phone: str = "13800000001",
    taker_phone: str | None = "13800000003",
    provider: bool = False,
    status: str = "completed",
    prefix: str = "T",
    late: bool = False,
    hours: float = 1.5,
    span: timedelta = timedelta(hours=3),
) -> list[int]:
    """Insert `count` finished orders straight into the database (sampling needs hundreds)."""
    resident = await user_id(api, resident_phone)
    taker = await user_id(api, taker_phone) if taker_phone and not provider else None
    async with api.sessions() as session:
        category = await session.scalar(
            select(Category.id).where(
                Category.community_id == api.world["demo"], Category.code == "errand"
            )
        )
        start = await session.scalar(select(func.count()).select_from(Order))
        ids = []
        for n in range(count):
            order = Order(
                number=f"{prefix}{start + n:07d}",
                community_id=api.world["demo"],
                category_id=category,
                status=status,
                description="测试",
                resident_id=resident,
                dispatch_mode="assign",
                assignee_user_id=taker,
                assignee_provider_id=api.world["provider"] if provider else None,
                hours=hours,
                created_at=at - timedelta(hours=5),
                respond_by=at - timedelta(hours=4),
                complete_by=at - timedelta(hours=1) if late else at + timedelta(hours=1),
                dispatched_at=at - timedelta(hours=4, minutes=30),
                accepted_at=at - span,
                started_at=at - span,
                completed_at=at,
                closed_at=at if status == "closed" else None,
            )
            session.add(order)
            await session.flush()
            ids.append(order.id)
        await session.commit()
    return ids
