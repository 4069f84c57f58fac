"""What a volunteer sees of their hours and points, by month; the community's leaderboard;
worker corrections; the community's points rule."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import Caller
from backend.auth.models import Membership, User
from backend.db import utcnow
from backend.errors import Invalid, NotFound
from backend.quality.access import require_worker
from backend.volunteers import ledger
from backend.volunteers.bodies import (
    BalancePublic,
    CorrectionBody,
    LeaderboardLine,
    MonthLine,
    Movement,
    PointsRuleBody,
    PointsRulePublic,
    PreferencesPublic,
    Statement,
)
from backend.volunteers.models import (
    HoursEntry,
    PointsAccount,
    PointsPosting,
    PointsRule,
    PointsTransaction,
    VolunteerPreference,
)

KIND_FIELD = {"earn": "earned", "redeem": "redeemed", "correct": "corrected"}


async def statement(
    session: AsyncSession, *, caller: Caller, community_id: int, user_id: int
) -> Statement:
    if user_id != caller.id:
        require_worker(caller, community_id)
    elif not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    months: dict[str, dict] = defaultdict(
        lambda: {"hours": 0, "earned": 0, "redeemed": 0, "corrected": 0, "movements": []}
    )
    hours = await session.execute(
        select(HoursEntry.month, func.sum(HoursEntry.credited_minutes))
        .where(HoursEntry.user_id == user_id, HoursEntry.community_id == community_id)
        .group_by(HoursEntry.month)
    )
    total_minutes = 0
    for month, minutes in hours:
        months[month]["hours"] = round(int(minutes) / 60, 2)
        total_minutes += int(minutes)
    moves = await session.execute(
        select(PointsTransaction, PointsPosting.amount)
        .join(PointsPosting, PointsPosting.transaction_id == PointsTransaction.id)
        .join(PointsAccount, PointsAccount.id == PointsPosting.account_id)
        .where(
            PointsAccount.community_id == community_id,
            PointsAccount.owner == ledger.user_owner(user_id),
        )
        .order_by(PointsTransaction.id)
    )
    balance = 0
    for entry, amount in moves:
        line = months[entry.month]
        line[KIND_FIELD[entry.kind]] += amount
        balance += amount
        line["movements"].append(
            Movement(
                at=entry.created_at,
                kind=entry.kind,
                points=amount,
                memo=entry.memo,
                order_id=entry.order_id,
            )
        )
    return Statement(
        community_id=community_id,
        user_id=user_id,
        balance=balance,
        hours_total=round(total_minutes / 60, 2),
        months=[MonthLine(month=m, **months[m]) for m in sorted(months, reverse=True)],
    )


async def correct(
    session: AsyncSession, *, caller: Caller, community_id: int, body: CorrectionBody
) -> BalancePublic:
    require_worker(caller, community_id)
    member = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == body.user_id, Membership.community_id == community_id
        )
    )
    if member is None:
        raise Invalid("user_id", "not a member of this community")
    if body.points == 0:
        raise Invalid("points", "a correction moves at least one point")
    now = utcnow()
    if body.points < 0:
        _, left = await ledger.take(
            session,
            community_id=community_id,
            user_id=body.user_id,
            points=-body.points,
            kind="correct",
            memo=body.reason,
            other="adjustments",
            now=now,
            actor_id=caller.id,
        )
    else:
        volunteer = await ledger.account(session, community_id, ledger.user_owner(body.user_id))
        other = await ledger.account(session, community_id, "adjustments")
        await ledger.post(
            session,
            community_id=community_id,
            kind="correct",
            memo=body.reason,
            legs=[(volunteer, body.points), (other, -body.points)],
            now=now,
            actor_id=caller.id,
        )
        left = await ledger.balance_of(session, volunteer.id)
    await audit.record(
        session,
        actor=caller,
        action="points.correct",
        target=("user", body.user_id),
        community_id=community_id,
        before={"balance": left - body.points},
        after={"balance": left},
    )
    await session.commit()
    return BalancePublic(community_id=community_id, user_id=body.user_id, balance=left)


async def leaderboard(
    session: AsyncSession, *, caller: Caller, community_id: int, year: int, limit: int
) -> list[LeaderboardLine]:
    if not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    opted_out = select(VolunteerPreference.user_id).where(
        VolunteerPreference.leaderboard_opt_out.is_(True)
    )
    rows = await session.execute(
        select(
            HoursEntry.user_id,
            User.name,
            func.sum(HoursEntry.credited_minutes).label("minutes"),
            func.sum(HoursEntry.points),
        )
        .join(User, User.id == HoursEntry.user_id)
        .where(
            HoursEntry.community_id == community_id,
            HoursEntry.month.like(f"{year:04d}-%"),
            HoursEntry.user_id.not_in(opted_out),
        )
        .group_by(HoursEntry.user_id, User.name)
        .order_by(func.sum(HoursEntry.credited_minutes).desc(), HoursEntry.user_id)
        .limit(limit)
    )
    return [
        LeaderboardLine(
            rank=n,
            user_id=user_id,
            name=name,
            hours=round(int(minutes) / 60, 2),
            points_earned=int(points),
        )
        for n, (user_id, name, minutes, points) in enumerate(rows, start=1)
    ]


async def set_preferences(
    session: AsyncSession, *, caller: Caller, opt_out: bool
) -> PreferencesPublic:
    pref = await session.get(VolunteerPreference, caller.id)
    if pref is None:
        pref = VolunteerPreference(user_id=caller.id)
        session.add(pref)
    pref.leaderboard_opt_out = opt_out
    await session.commit()
    return PreferencesPublic(leaderboard_opt_out=opt_out)


async def get_rule(session: AsyncSession, *, caller: Caller, community_id: int) -> PointsRulePublic:
    if not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    rate = await ledger.points_per_hour(session, community_id)
    return PointsRulePublic(community_id=community_id, points_per_hour=rate)


async def set_rule(
    session: AsyncSession, *, caller: Caller, community_id: int, body: PointsRuleBody
) -> PointsRulePublic:
    require_worker(caller, community_id)
    before = await ledger.points_per_hour(session, community_id)
    rule = await session.get(PointsRule, community_id)
    if rule is None:
        rule = PointsRule(community_id=community_id)
        session.add(rule)
    rule.points_per_hour = body.points_per_hour
    await audit.record(
        session,
        actor=caller,
        action="points.rule_set",
        target=("community", community_id),
        community_id=community_id,
        before={"points_per_hour": before},
        after={"points_per_hour": body.points_per_hour},
    )
    await session.commit()
    return PointsRulePublic(community_id=community_id, points_per_hour=body.points_per_hour)
