"""Which deadline an open order is racing against, and the overdue / due-soon filters on it.

An order waiting for dispatch (`submitted`) races its response target `respond_by`; once
dispatched, accepted or in progress it races `complete_by`. Finished orders race nothing.
Lists sorted by deadline put the earliest pending deadline first (the most overdue on top),
urgent before normal at the same instant; their cursor carries (deadline, id).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_

from backend.errors import Invalid
from backend.orders.models import OPEN_STATUSES, Order
from backend.pagination import decode_key, encode_key

OPEN = OPEN_STATUSES

pending_deadline = case((Order.status == "submitted", Order.respond_by), else_=Order.complete_by)
urgent_first = case((Order.urgency == "urgent", 0), else_=1)


def due_filter(due: str, now: Any, soon_until: Any) -> ColumnElement[bool]:
    """`now` and `soon_until` (now + the due-soon window) are datetimes or bound parameters
    (the order lists build their statement once and bind them per request)."""
    is_open = Order.status.in_(OPEN)
    if due == "overdue":
        return and_(is_open, pending_deadline <= now)
    return and_(is_open, pending_deadline > now, pending_deadline <= soon_until)


def soon_until(now: datetime, soon_minutes: int) -> datetime:
    return now + timedelta(minutes=soon_minutes)


def deadline_order() -> tuple:
    return (pending_deadline.asc(), urgent_first.asc(), Order.id.asc())


def encode_deadline_cursor(deadline: datetime, urgency: str, order_id: int) -> str:
    rank = 0 if urgency == "urgent" else 1
    return encode_key(deadline.astimezone(UTC).isoformat(), rank, order_id)


def decode_deadline_cursor(cursor: str) -> tuple[datetime, int, int]:
    """The (deadline, urgency rank, id) a deadline cursor carries; another shape is a 422."""
    at_text, rank_text, id_text = decode_key(cursor, 3)
    try:
        at, rank, order_id = datetime.fromisoformat(at_text), int(rank_text), int(id_text)
    except ValueError as exc:
        raise Invalid("cursor", "not a cursor this API handed out") from exc
    if at.tzinfo is None:
        raise Invalid("cursor", "not a cursor this API handed out")
    return at, rank, order_id


def after_deadline(at: Any, rank: Any, order_id: Any) -> ColumnElement[bool]:
    """Rows strictly after (at, rank, order_id) in (deadline, urgency rank, id) order; values
    or bound parameters."""
    return or_(
        pending_deadline > at,
        and_(pending_deadline == at, urgent_first > rank),
        and_(pending_deadline == at, urgent_first == rank, Order.id > order_id),
    )


def pending_deadline_of(order: Order) -> datetime | None:
    if order.status not in OPEN:
        return None
    return order.respond_by if order.status == "submitted" else order.complete_by
