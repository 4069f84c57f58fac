"""The quarterly 100-point score of providers and volunteer teams (pure arithmetic + queries).

Inputs per subject, over the orders it finished in the quarter (status completed or closed,
`completed_at` inside the quarter, Asia/Shanghai):

- ratings:    mean stars of those orders' ratings, scaled (mean − 1) / 4
- callbacks:  mean satisfaction of reached callbacks about them, scaled (mean − 1) / 4
- on_time:    share completed by `complete_by`
- complaints: 1 − share with a complaint (a callback complaint, or a `complaint`/`reopen`
              on the timeline)

score = 100 × Σ weightᵢ × componentᵢ / Σ weightᵢ, over the components that have data (a
component with no data — e.g. no callback reached — hands its weight to the others in
proportion). Fewer finished orders than the minimum sample: no score, no rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import Provider
from backend.directory.models import VolunteerTeam, VolunteerTeamMember
from backend.orders.models import Order, OrderEvent, Rating
from backend.quality.models import Callback
from backend.quality.score_models import ScoreInputs

COMPONENTS = ("ratings", "callbacks", "on_time", "complaints")
DEFAULT_WEIGHTS = {"ratings": 40, "callbacks": 30, "on_time": 20, "complaints": 10}
DEFAULT_MIN_SAMPLE = 10


@dataclass(frozen=True)
class Subject:
    id: int
    name: str
    community_id: int | None
    inputs: ScoreInputs


def components(inputs: ScoreInputs) -> dict[str, float | None]:
    done = inputs.completed
    return {
        "ratings": None if inputs.avg_stars is None else (inputs.avg_stars - 1) / 4,
        "callbacks": None if inputs.avg_satisfaction is None else (inputs.avg_satisfaction - 1) / 4,
        "on_time": inputs.on_time / done if done else None,
        "complaints": 1 - inputs.complaints / done if done else None,
    }


def score(inputs: ScoreInputs, weights: dict[str, int], min_sample: int) -> float | None:
    if inputs.completed < min_sample:
        return None
    parts = components(inputs)
    used = {k: w for k, w in weights.items() if parts.get(k) is not None and w > 0}
    if not used:
        return None
    total = sum(used.values())
    return round(100 * sum(w * parts[k] for k, w in used.items()) / total, 1)


def _finished(start: datetime, end: datetime):
    return and_(
        Order.status.in_(("completed", "closed")),
        Order.completed_at >= start,
        Order.completed_at < end,
    )


def _complained():
    return or_(
        exists().where(Callback.order_id == Order.id, Callback.complaint.is_(True)),
        exists().where(
            OrderEvent.order_id == Order.id, OrderEvent.action.in_(("complaint", "reopen"))
        ),
    )


async def _aggregate(session: AsyncSession, key, joins, start: datetime, end: datetime):
    """One grouped query over the quarter's finished orders, plus one for callbacks."""
    on_time = func.sum(case((Order.completed_at <= Order.complete_by, 1), else_=0))
    complained = func.sum(case((_complained(), 1), else_=0))
    base = select(
        key.label("subject"),
        func.count(Order.id),
        func.count(Rating.stars),  # not Rating.id: the stars index answers it alone
        func.avg(Rating.stars),
        on_time,
        complained,
    ).select_from(Order)
    for target, condition in joins:
        base = base.join(target, condition)
    base = base.outerjoin(Rating, Rating.order_id == Order.id)
    rows = await session.execute(base.where(_finished(start, end)).group_by(key))
    calls = select(key.label("subject"), func.count(Callback.id), func.avg(Callback.satisfaction))
    calls = calls.select_from(Order)
    for target, condition in joins:
        calls = calls.join(target, condition)
    calls = calls.join(Callback, Callback.order_id == Order.id).where(
        _finished(start, end), Callback.outcome == "reached"
    )
    reached = {s: (n, avg) for s, n, avg in await session.execute(calls.group_by(key))}
    found = {}
    for subject, done, rated, stars, timely, complaints in rows:
        n_calls, satisfaction = reached.get(subject, (0, None))
        found[subject] = ScoreInputs(
            completed=done,
            rated=rated,
            avg_stars=round(float(stars), 3) if stars is not None else None,
            callbacks_reached=n_calls,
            avg_satisfaction=round(float(satisfaction), 3) if satisfaction is not None else None,
            on_time=int(timely or 0),
            on_time_rate=round(int(timely or 0) / done, 4) if done else None,
            complaints=int(complaints or 0),
        )
    return found


EMPTY = ScoreInputs(
    completed=0,
    rated=0,
    avg_stars=None,
    callbacks_reached=0,
    avg_satisfaction=None,
    on_time=0,
    on_time_rate=None,
    complaints=0,
)


async def providers(session: AsyncSession, start: datetime, end: datetime) -> list[Subject]:
    stats = await _aggregate(session, Order.assignee_provider_id, [], start, end)
    rows = await session.execute(select(Provider.id, Provider.name).order_by(Provider.id))
    return [Subject(pid, name, None, stats.get(pid, EMPTY)) for pid, name in rows]


async def teams(session: AsyncSession, start: datetime, end: datetime) -> list[Subject]:
    joins = [(VolunteerTeamMember, VolunteerTeamMember.user_id == Order.assignee_user_id)]
    stats = await _aggregate(session, VolunteerTeamMember.team_id, joins, start, end)
    rows = await session.execute(
        select(VolunteerTeam.id, VolunteerTeam.name, VolunteerTeam.community_id).order_by(
            VolunteerTeam.id
        )
    )
    return [Subject(tid, name, cid, stats.get(tid, EMPTY)) for tid, name, cid in rows]
