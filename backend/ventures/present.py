"""A proposal as one caller may see it. Reviewers do not see each other's scores while the
round is still being reviewed; from 公示 on, every score and comment is public."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.models import User
from backend.ventures import rules
from backend.ventures.access import RoundAccess
from backend.ventures.bodies import BudgetLinePublic, Progress, ProposalPublic, ReviewPublic
from backend.ventures.models import BudgetLine, Proposal, ProposalNeed, ReviewAssignment, Support
from backend.ventures.phases import at_least

_SCORES = ("need_fit", "feasibility", "budget", "sustainability", "participation", "total")


def scores_public(access: RoundAccess) -> bool:
    return at_least(access.round.phase, "announcing")


async def _reviews(
    session: AsyncSession, proposal: Proposal, access: RoundAccess
) -> list[ReviewPublic]:
    rows = await session.execute(
        select(ReviewAssignment, User.name)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.proposal_id == proposal.id)
        .order_by(ReviewAssignment.id)
    )
    public, admin = scores_public(access), access.has("admin")
    answers = []
    for seat, name in rows:
        own = seat.reviewer_id == access.caller.id
        if not (public or own or admin):
            continue
        shown = public or own
        answers.append(
            ReviewPublic(
                reviewer_id=seat.reviewer_id,
                reviewer_name=name,
                status=seat.status,
                comment=seat.comment if shown else None,
                **{k: getattr(seat, k) if shown else None for k in _SCORES},
            )
        )
    return answers


async def present_proposal(
    session: AsyncSession, proposal: Proposal, access: RoundAccess
) -> ProposalPublic:
    lines = await session.scalars(
        select(BudgetLine)
        .where(BudgetLine.proposal_id == proposal.id)
        .order_by(BudgetLine.position)
    )
    needs = await session.scalars(
        select(ProposalNeed.need_id)
        .where(ProposalNeed.proposal_id == proposal.id)
        .order_by(ProposalNeed.need_id)
    )
    supports = await session.scalar(
        select(func.count()).select_from(Support).where(Support.proposal_id == proposal.id)
    )
    tie = await rules.seat_of(session, proposal, access)
    author = await session.get(User, proposal.author_id)
    # The ranking is published with 公示; before that only admins see the preview.
    outcome = scores_public(access) or access.has("admin")
    return ProposalPublic(
        id=proposal.id,
        round_id=proposal.round_id,
        community_id=proposal.community_id,
        author={"id": author.id, "name": author.name},
        provider_id=proposal.provider_id,
        title=proposal.title,
        problem=proposal.problem,
        plan=proposal.plan,
        beneficiaries=proposal.beneficiaries,
        beneficiary_count=proposal.beneficiary_count,
        team=proposal.team,
        attachment_ids=proposal.attachment_ids,
        status=proposal.status,
        total_fen=proposal.total_fen,
        budget_lines=[
            BudgetLinePublic.model_validate(line, from_attributes=True) for line in lines
        ],
        need_ids=list(needs),
        eligibility_reason=proposal.eligibility_reason,
        submitted_at=proposal.submitted_at,
        support=Progress(
            supports=supports,
            threshold=access.round.support_threshold,
            supported_by_me=tie.supported,
        ),
        reviews=await _reviews(session, proposal, access),
        rank=proposal.rank if outcome else None,
        mean_score=proposal.mean_score if outcome else None,
        funded=proposal.funded if outcome else None,
        selection_reason=proposal.selection_reason if outcome else None,
        contract_no=proposal.contract_no,
        allowed_actions=rules.allowed(rules.PROPOSAL_RULES, proposal, access, tie),
    )
