"""The points ledger: accounts, balanced transactions, balances as sums, and the three movements
(earning for confirmed hours, redeeming a reward, a worker's correction).

A volunteer's balance can never go negative. Every movement that takes points away first locks
the volunteer's account row (`SELECT … FOR UPDATE` on PostgreSQL; on SQLite the writing
transaction already holds the database's write lock), then sums, then posts — so two
redemptions at once are judged one after the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import Conflict
from backend.jobs.claims import claim
from backend.quality.periods import month_of
from backend.volunteers.models import (
    DEFAULT_POINTS_PER_HOUR,
    PointsAccount,
    PointsPosting,
    PointsRule,
    PointsTransaction,
)


def user_owner(user_id: int) -> str:
    return f"user:{user_id}"


async def account(
    session: AsyncSession, community_id: int, owner: str, *, lock: bool = False
) -> PointsAccount:
    user_id = int(owner.split(":")[1]) if owner.startswith("user:") else None
    await claim(session, PointsAccount, community_id=community_id, owner=owner, user_id=user_id)
    query = select(PointsAccount).where(
        PointsAccount.community_id == community_id, PointsAccount.owner == owner
    )
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one()


async def balance_of(session: AsyncSession, account_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PointsPosting.amount), 0)).where(
            PointsPosting.account_id == account_id
        )
    )
    return int(total or 0)


async def user_balance(session: AsyncSession, community_id: int, user_id: int) -> int:
    found = await session.scalar(
        select(PointsAccount.id).where(
            PointsAccount.community_id == community_id,
            PointsAccount.owner == user_owner(user_id),
        )
    )
    return 0 if found is None else await balance_of(session, found)


async def post(
    session: AsyncSession,
    *,
    community_id: int,
    kind: str,
    memo: str,
    legs: list[tuple[PointsAccount, int]],
    now: datetime,
    actor_id: int | None = None,
    order_id: int | None = None,
) -> PointsTransaction:
    if sum(amount for _, amount in legs) != 0:
        raise ValueError("a ledger transaction must balance")
    entry = PointsTransaction(
        community_id=community_id,
        kind=kind,
        memo=memo,
        month=month_of(now),
        order_id=order_id,
        actor_id=actor_id,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    for acct, amount in legs:
        session.add(PointsPosting(transaction_id=entry.id, account_id=acct.id, amount=amount))
    return entry


async def points_per_hour(session: AsyncSession, community_id: int) -> int:
    rule = await session.get(PointsRule, community_id)
    return rule.points_per_hour if rule else DEFAULT_POINTS_PER_HOUR


async def earn(
    session: AsyncSession,
    *,
    community_id: int,
    user_id: int,
    points: int,
    order_id: int,
    now: datetime,
    actor_id: int | None,
) -> None:
    if points <= 0:
        return
    volunteer = await account(session, community_id, user_owner(user_id))
    issued = await account(session, community_id, "issued")
    await post(
        session,
        community_id=community_id,
        kind="earn",
        memo="service_hours",
        legs=[(volunteer, points), (issued, -points)],
        now=now,
        actor_id=actor_id,
        order_id=order_id,
    )


async def take(
    session: AsyncSession,
    *,
    community_id: int,
    user_id: int,
    points: int,
    kind: str,
    memo: str,
    other: str,
    now: datetime,
    actor_id: int,
) -> tuple[PointsTransaction, int]:
    """Move `points` out of a volunteer's account (locked first); 409 when it would go negative.
    Answers the transaction and the balance left."""
    volunteer = await account(session, community_id, user_owner(user_id), lock=True)
    have = await balance_of(session, volunteer.id)
    if have < points:
        raise Conflict("points.insufficient", f"balance {have} is less than {points}")
    counterpart = await account(session, community_id, other)
    entry = await post(
        session,
        community_id=community_id,
        kind=kind,
        memo=memo,
        legs=[(volunteer, -points), (counterpart, points)],
        now=now,
        actor_id=actor_id,
    )
    return entry, have - points
