"""Expert review: seating reviewers without conflicts of interest, recusal, and scoring.

A reviewer may not sit on a proposal they wrote, supported, or whose organisation employs them.
Scoring is also the reviewer's declaration that they have no conflict (`no_conflict: true`);
one who has a conflict recuses instead, and an admin may seat another.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import StreetRole
from backend.db import utcnow
from backend.errors import Conflict, Invalid
from backend.ventures import journal, rules
from backend.ventures.access import load_proposal
from backend.ventures.bodies import AssignReviewers, ProposalPublic, ReasonBody, ScoreBody
from backend.ventures.models import Proposal, ReviewAssignment, Support, VentureRound
from backend.ventures.present import present_proposal
from backend.ventures.rules import conflicted

CRITERIA = ("need_fit", "feasibility", "budget", "sustainability", "participation")


async def _street_reviewers(session: AsyncSession, street_id: int) -> list[int]:
    rows = await session.scalars(
        select(StreetRole.user_id).where(
            StreetRole.street_id == street_id, StreetRole.role == "reviewer"
        )
    )
    return sorted(set(rows))


async def qualifying(session: AsyncSession, rnd: VentureRound) -> list[Proposal]:
    """Eligible proposals that reached the support threshold, in submission order."""
    supports = (
        select(func.count())
        .select_from(Support)
        .where(Support.proposal_id == Proposal.id)
        .scalar_subquery()
    )
    rows = await session.scalars(
        select(Proposal)
        .where(
            Proposal.round_id == rnd.id,
            Proposal.status == "eligible",
            supports >= rnd.support_threshold,
        )
        .order_by(Proposal.submitted_at, Proposal.id)
    )
    return list(rows)


async def seat_reviewers(session: AsyncSession, *, rnd: VentureRound, communities: list[int]):
    """Seat up to N reviewers per qualifying proposal, least-loaded first, skipping conflicts."""
    reviewers = await _street_reviewers(session, rnd.street_id)
    load = dict.fromkeys(reviewers, 0)
    for proposal in await qualifying(session, rnd):
        free = [r for r in reviewers if not await conflicted(session, proposal, r)]
        for reviewer in sorted(free, key=lambda r: (load[r], r))[: rnd.reviewers_per_proposal]:
            load[reviewer] += 1
            session.add(ReviewAssignment(proposal_id=proposal.id, reviewer_id=reviewer))


async def assign(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: AssignReviewers
) -> ProposalPublic:
    """Admin: seat named reviewers (e.g. to replace one who recused)."""
    proposal, access = await load_proposal(session, caller, proposal_id)
    access.require("admin")
    access.require_phase("reviewing")
    if proposal.status != "eligible":
        raise Conflict("proposal.not_eligible", "only eligible proposals are reviewed")
    known = set(await _street_reviewers(session, access.round.street_id))
    seated_now = []
    for reviewer_id in body.reviewer_ids:
        if reviewer_id not in known:
            raise Invalid("reviewer_ids", f"{reviewer_id} is not a reviewer of this street")
        if await conflicted(session, proposal, reviewer_id):
            raise Invalid(
                "reviewer_ids",
                f"{reviewer_id} has a conflict of interest",
                "review.conflict_of_interest",
            )
        seated = await session.scalar(
            select(ReviewAssignment.id).where(
                ReviewAssignment.proposal_id == proposal.id,
                ReviewAssignment.reviewer_id == reviewer_id,
            )
        )
        if seated is None:
            session.add(ReviewAssignment(proposal_id=proposal.id, reviewer_id=reviewer_id))
            seated_now.append(reviewer_id)
    await journal.audited(
        session, caller, "reviewers_assign", proposal, after={"reviewer_ids": seated_now}
    )
    await session.commit()
    return await present_proposal(session, proposal, access)


async def _my_seat(session: AsyncSession, caller: Caller, proposal_id: int, action: str):
    proposal, access = await load_proposal(session, caller, proposal_id)
    tie = await rules.seat_of(session, proposal, access)
    rules.PROPOSAL_RULES[action](proposal, access, tie)
    return proposal, access, tie.seat


async def score(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ScoreBody
) -> ProposalPublic:
    proposal, access, seat = await _my_seat(session, caller, proposal_id, "review")
    before = {"status": seat.status, "total": seat.total}
    for name in CRITERIA:
        setattr(seat, name, getattr(body, name))
    seat.total = sum(getattr(body, name) for name in CRITERIA)
    seat.comment = body.comment
    seat.status = "scored"
    seat.declared_at = seat.declared_at or utcnow()
    seat.scored_at = utcnow()
    await journal.audited(
        session,
        caller,
        "review_score",
        proposal,
        before=before,
        after={"status": "scored", "total": seat.total},
    )
    await session.commit()
    return await present_proposal(session, proposal, access)


async def recuse(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ReasonBody
) -> ProposalPublic:
    proposal, access, seat = await _my_seat(session, caller, proposal_id, "recuse")
    before = {"status": seat.status}
    seat.status, seat.recusal_reason, seat.declared_at = "recused", body.reason, utcnow()
    journal.record(
        session,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        actor_id=caller.id,
        action="recuse",
        note=body.reason,
    )
    await journal.audited(
        session, caller, "review_recuse", proposal, before=before, after={"status": "recused"}
    )
    await session.commit()
    return await present_proposal(session, proposal, access)
