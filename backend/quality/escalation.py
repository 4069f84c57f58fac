"""Escalating passed deadlines: the community's workers are told once, the timeline shows it.

Two deadlines per order: `respond_by` while it waits for dispatch (`submitted`), and
`complete_by` while it is dispatched, accepted or in progress. Each passed deadline is claimed
once in `order_escalation` (key: order, kind, deadline) in the same transaction that writes the
`escalate` timeline event and the inbox notifications, so several app processes never notify
twice and a process starting after downtime escalates whatever passed meanwhile. A reopened
order gets new deadlines, hence new keys, and can be escalated again. Status never moves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import Membership
from backend.jobs.claims import claim, try_lock
from backend.jobs.models import OrderEscalation
from backend.jobs.runner import Job, Sessions
from backend.notify.service import notify
from backend.orders.models import Order, OrderEvent

BATCH = 200
IN_WORK = ("dispatched", "accepted", "in_progress")


def _not_escalated(kind: str, deadline_column) -> object:
    return ~exists().where(
        OrderEscalation.order_id == Order.id,
        OrderEscalation.kind == kind,
        OrderEscalation.deadline == deadline_column,
    )


def overdue_query(now: datetime, limit: int):
    """Orders with a passed, not yet escalated deadline, the oldest deadline first."""
    respond = and_(
        Order.status == "submitted",
        Order.respond_by <= now,
        _not_escalated("respond", Order.respond_by),
    )
    complete = and_(
        Order.status.in_(IN_WORK),
        Order.complete_by <= now,
        _not_escalated("complete", Order.complete_by),
    )
    return (
        select(
            Order.id,
            Order.community_id,
            Order.number,
            Order.status,
            Order.respond_by,
            Order.complete_by,
        )
        .where(or_(respond, complete))
        .order_by(Order.id)
        .limit(limit)
    )


async def _workers(session: AsyncSession, community_id: int) -> list[int]:
    rows = await session.scalars(
        select(Membership.user_id)
        .where(Membership.community_id == community_id, Membership.role == "worker")
        .order_by(Membership.user_id)
    )
    return list(rows)


async def _escalate_one(session: AsyncSession, row, now: datetime) -> bool:
    kind = "respond" if row.status == "submitted" else "complete"
    deadline = row.respond_by if kind == "respond" else row.complete_by
    workers = await _workers(session, row.community_id)
    if not await claim(
        session,
        OrderEscalation,
        order_id=row.id,
        kind=kind,
        deadline=deadline,
        escalated_at=now,
        notified=len(workers),
    ):
        return False
    session.add(
        OrderEvent(
            order_id=row.id,
            at=now,
            actor_id=None,
            actor_role="system",
            action="escalate",
            from_status=row.status,
            to_status=row.status,
            note=f"{kind}_overdue",
        )
    )
    if workers:
        await notify(
            session,
            user_ids=workers,
            kind="order.escalated",
            payload={
                "order_id": row.id,
                "number": row.number,
                "deadline": kind,
                "due_at": deadline.isoformat(),
                "status": row.status,
            },
            order_id=row.id,
        )
    return True


async def escalate_due(sessions: Sessions, now: datetime) -> int:
    """Escalate every passed deadline; batches of 200, each batch one transaction."""
    handled = 0
    while True:
        async with sessions() as session:
            if not await try_lock(session, "escalate"):
                return handled  # another process is sweeping right now
            rows = (await session.execute(overdue_query(now, BATCH))).all()
            for row in rows:
                handled += await _escalate_one(session, row, now)
            await session.commit()
        if len(rows) < BATCH:
            return handled


ESCALATION = Job(name="escalate", run=escalate_due)
