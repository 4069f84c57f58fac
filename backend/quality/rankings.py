"""Quarterly rankings: the current quarter computed live, past quarters frozen once.

Ranks are competition ranks (1, 2, 2, 4) over subjects with a score. The top rank holds the
rolling award (流动奖牌); the bottom three ranked subjects get a notice (通报) — never the
award holder, so with four or fewer ranked subjects fewer than three are noticed.

A past quarter is frozen by whoever asks first — the `scorecards` job at the turn of the
quarter, or a request for an old quarter — under the `job_run` claim `scorecards/<quarter>`,
in the same transaction that writes its `scorecard` rows. From then on it is only read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import Forbidden, Invalid
from backend.jobs.claims import claim, try_lock
from backend.jobs.models import JobRun
from backend.jobs.runner import Job, Sessions
from backend.quality import periods, scores
from backend.quality.score_models import Formula, Ranking, RankingLine, Scorecard, ScoreInputs

KINDS = ("provider", "team")
FORMULA_TEXT = (
    "score = 100 × Σ wᵢ·cᵢ / Σ wᵢ over components with data; "
    "ratings = (mean stars − 1)/4, callbacks = (mean satisfaction − 1)/4, "
    "on_time = on-time share, complaints = 1 − complaint share"
)


def rank_lines(lines: list[RankingLine]) -> list[RankingLine]:
    ranked = sorted((x for x in lines if x.score is not None), key=lambda x: -x.score)
    previous, position = None, 0
    for n, line in enumerate(ranked, start=1):
        if line.score != previous:
            position, previous = n, line.score
        line.rank = position
        line.award = position == 1
    for line in [x for x in ranked if not x.award][-3:]:
        line.notice = True
    unranked = [x for x in lines if x.score is None]
    return ranked + sorted(unranked, key=lambda x: x.subject_id)


async def compute(
    session: AsyncSession, quarter: str, kind: str, weights: dict[str, int], min_sample: int
) -> list[RankingLine]:
    start, end = periods.quarter_range(quarter)
    subjects = await (scores.providers if kind == "provider" else scores.teams)(session, start, end)
    lines = [
        RankingLine(
            subject_id=s.id,
            name=s.name,
            community_id=s.community_id,
            sample=s.inputs.completed,
            score=scores.score(s.inputs, weights, min_sample),
            insufficient_sample=s.inputs.completed < min_sample,
            rank=None,
            award=False,
            notice=False,
            inputs=s.inputs,
            components={
                k: None if v is None else round(v, 4)
                for k, v in scores.components(s.inputs).items()
            },
        )
        for s in subjects
    ]
    return rank_lines(lines)


async def freeze(
    session: AsyncSession, quarter: str, weights: dict[str, int], min_sample: int, now: datetime
) -> bool:
    """Compute and store a past quarter once; False if it was frozen already. No commit."""
    if not await claim(session, JobRun, job="scorecards", occasion=quarter, done_at=now):
        return False
    for kind in KINDS:
        for line in await compute(session, quarter, kind, weights, min_sample):
            session.add(
                Scorecard(
                    quarter=quarter,
                    kind=kind,
                    subject_id=line.subject_id,
                    subject_name=line.name,
                    community_id=line.community_id,
                    sample=line.sample,
                    score=line.score,
                    rank=line.rank,
                    award=line.award,
                    notice=line.notice,
                    inputs=line.inputs.model_dump(),
                    weights=dict(weights),
                    min_sample=min_sample,
                    computed_at=now,
                )
            )
    return True


async def ranking(
    session: AsyncSession,
    *,
    caller: Caller,
    quarter: str | None,
    kind: str,
    weights: dict[str, int],
    min_sample: int,
) -> Ranking:
    if not caller.has_any("worker", "admin"):
        raise Forbidden("auth.role_required", "needs one of the roles: worker, admin")
    now = utcnow()
    current = periods.quarter_of(now)
    quarter = quarter or current
    start, _ = periods.quarter_range(quarter)
    if start > now:
        raise Invalid("quarter", "this quarter has not begun")
    if quarter == current:
        items = await compute(session, quarter, kind, weights, min_sample)
        formula = Formula(weights=weights, min_sample=min_sample, text=FORMULA_TEXT)
        return Ranking(
            quarter=quarter, kind=kind, frozen=False, computed_at=now, formula=formula, items=items
        )
    if await freeze(session, quarter, weights, min_sample, now):
        await session.commit()
    rows = list(
        await session.scalars(
            select(Scorecard).where(Scorecard.quarter == quarter, Scorecard.kind == kind)
        )
    )
    run_at = await session.scalar(
        select(JobRun.done_at).where(JobRun.job == "scorecards", JobRun.occasion == quarter)
    )
    stored_weights = rows[0].weights if rows else weights
    stored_min = rows[0].min_sample if rows else min_sample
    items = [
        RankingLine(
            subject_id=r.subject_id,
            name=r.subject_name,
            community_id=r.community_id,
            sample=r.sample,
            score=r.score,
            insufficient_sample=r.sample < r.min_sample,
            rank=r.rank,
            award=r.award,
            notice=r.notice,
            inputs=ScoreInputs(**r.inputs),
            components={
                k: None if v is None else round(v, 4)
                for k, v in scores.components(ScoreInputs(**r.inputs)).items()
            },
        )
        for r in rows
    ]
    items.sort(key=lambda x: (x.rank is None, x.rank or 0, x.subject_id))
    return Ranking(
        quarter=quarter,
        kind=kind,
        frozen=True,
        computed_at=run_at or now,
        formula=Formula(weights=stored_weights, min_sample=stored_min, text=FORMULA_TEXT),
        items=items,
    )


def scorecard_job(weights: dict[str, int], min_sample: int) -> Job:
    """At the turn of each quarter, freeze the quarter that just ended (caught up at start)."""

    async def run(sessions: Sessions, now: datetime) -> int:
        quarter = periods.previous_quarter(periods.quarter_of(now))
        async with sessions() as session:
            if not await try_lock(session, "scorecards"):
                return 0
            done = await freeze(session, quarter, weights, min_sample, now)
            await session.commit()
        return int(done)

    return Job(name="scorecards", run=run)
