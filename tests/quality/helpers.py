"""Test helpers for quality rules: moving an order's deadlines and times into the past."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

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
