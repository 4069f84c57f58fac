"""Selection: which proposals the pool funds, and why each one was or was not funded.

Eligible proposals that reached the support threshold and were scored are ranked by mean review
score, then by supports, then by earlier submission (then id, so the order is total). Walking
the ranking, a proposal is funded if it fits what is left of the pool; one that does not fit is
skipped and the next is tried. The same data always gives the same answer, so it can be re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.ventures import journal
from backend.ventures.access import load_round
from backend.ventures.models import Proposal, ReviewAssignment, Support, VentureRound
from backend.ventures.phases import at_least

# Why a proposal was or was not funded (stable codes the PWA translates).
REASONS = (
    "funded",
    "exceeds_remaining_pool",
    "not_reviewed",
    "below_support_threshold",
    "ineligible",
    "not_checked",
)


@dataclass
class Candidate:
    proposal: Proposal
    supports: int
    mean: float | None

    def key(self) -> tuple:
        submitted = self.proposal.submitted_at or datetime.max
        return (-(self.mean or 0.0), -self.supports, submitted, self.proposal.id)


async def _candidates(session: AsyncSession, rnd: VentureRound) -> list[Candidate]:
    supports = dict(
        (
            await session.execute(
                select(Support.proposal_id, func.count())
                .join(Proposal, Proposal.id == Support.proposal_id)
                .where(Proposal.round_id == rnd.id)
                .group_by(Support.proposal_id)
            )
        ).all()
    )
    means = dict(
        (
            await session.execute(
                select(ReviewAssignment.proposal_id, func.avg(ReviewAssignment.total))
                .join(Proposal, Proposal.id == ReviewAssignment.proposal_id)
                .where(Proposal.round_id == rnd.id, ReviewAssignment.status == "scored")
                .group_by(ReviewAssignment.proposal_id)
            )
        ).all()
    )
    proposals = await session.scalars(
        select(Proposal).where(Proposal.round_id == rnd.id, Proposal.submitted_at.is_not(None))
    )
    return [
        Candidate(
            p,
            supports.get(p.id, 0),
            round(float(means[p.id]), 2) if means.get(p.id) is not None else None,
        )
        for p in proposals
    ]


def _judge(rnd: VentureRound, c: Candidate) -> str | None:
    """The reason a proposal is out before ranking, or None if it is ranked."""
    status = c.proposal.status
    if status == "ineligible":
        return "ineligible"
    if status == "submitted":
        return "not_checked"
    if c.supports < rnd.support_threshold:
        return "below_support_threshold"
    if c.mean is None:
        return "not_reviewed"
    return None


async def run(session: AsyncSession, *, rnd: VentureRound, publish: bool) -> list[Proposal]:
    """Rank and fund; with `publish`, the outcome becomes each proposal's status (公示)."""
    candidates = await _candidates(session, rnd)
    remaining = rnd.pool_fen
    ranked = []
    for c in candidates:
        p = c.proposal
        p.support_count, p.mean_score, p.rank = c.supports, c.mean, None
        p.selection_reason = _judge(rnd, c)
        if p.selection_reason is None:
            ranked.append(c)
    for rank, c in enumerate(sorted(ranked, key=Candidate.key), start=1):
        p = c.proposal
        p.rank = rank
        if p.total_fen <= remaining:
            remaining -= p.total_fen
            p.selection_reason = "funded"
        else:
            p.selection_reason = "exceeds_remaining_pool"
    for c in candidates:
        p = c.proposal
        p.funded = p.selection_reason == "funded"
        if publish and p.status != "ineligible":
            p.status = "selected" if p.funded else "not_selected"
            await journal.tell_author(session, proposal=p)
    await session.flush()
    return sorted(
        (c.proposal for c in candidates),
        key=lambda p: (p.rank is None, p.rank or 0, p.id),
    )


def selection_row(p: Proposal) -> dict:
    """One line of the ranking, with the reason it was or was not funded."""
    return {
        "proposal_id": p.id,
        "title": p.title,
        "rank": p.rank,
        "mean_score": p.mean_score,
        "supports": p.support_count,
        "total_fen": p.total_fen,
        "funded": p.funded,
        "reason": p.selection_reason,
    }


async def preview(session: AsyncSession, *, caller: Caller, round_id: int) -> list[dict]:
    """Admin, while reviewing: the ranking as it would be published now (nothing published)."""
    access = await load_round(session, caller, round_id)
    access.require("admin")
    access.require_phase("reviewing")
    proposals = await run(session, rnd=access.round, publish=False)
    await journal.audited_round(
        session,
        caller,
        "selection_preview",
        access.round,
        after={"funded": [p.id for p in proposals if p.funded]},
    )
    await session.commit()
    return [selection_row(p) for p in proposals]


async def published(session: AsyncSession, *, caller: Caller, round_id: int) -> list[dict]:
    """The outcome published with 公示 (before that: admins only, as last previewed)."""
    access = await load_round(session, caller, round_id)
    if not at_least(access.round.phase, "announcing"):
        access.require("admin")
    proposals = await session.scalars(
        select(Proposal)
        .where(Proposal.round_id == round_id, Proposal.submitted_at.is_not(None))
        .order_by(Proposal.rank.is_(None), Proposal.rank, Proposal.id)
    )
    return [selection_row(p) for p in proposals]
