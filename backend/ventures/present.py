"""Proposals as one caller may see them. Reviewers do not see each other's scores while the
round is still being reviewed; from 公示 on, every score and comment is public.

One path for one proposal and for a page of them: each part (budget lines, cited needs,
supports, the caller's own support and seat, authors, reviews) is one query for the whole page,
so a list costs the same few reads whatever its length.
"""

from __future__ import annotations

from collections import defaultdict

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


def _review(seat: ReviewAssignment, name: str, access: RoundAccess) -> ReviewPublic | None:
    """A seat as the caller may see it: all from 公示 on; before, one's own, or (for an admin)
    who sits and how far they are, without the scores."""
    public, own = scores_public(access), seat.reviewer_id == access.caller.id
    if not (public or own or access.has("admin")):
        return None
    shown = public or own
    return ReviewPublic(
        reviewer_id=seat.reviewer_id,
        reviewer_name=name,
        status=seat.status,
        comment=seat.comment if shown else None,
        **{k: getattr(seat, k) if shown else None for k in _SCORES},
    )


async def present_proposals(
    session: AsyncSession, proposals: list[Proposal], access: RoundAccess
) -> list[ProposalPublic]:
    ids = [p.id for p in proposals]
    if not ids:
        return []
    caller_id = access.caller.id
    lines: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in await session.scalars(
        select(BudgetLine)
        .where(BudgetLine.proposal_id.in_(ids))
        .order_by(BudgetLine.proposal_id, BudgetLine.position)
    ):
        lines[line.proposal_id].append(line)
    needs: dict[int, list[int]] = defaultdict(list)
    for proposal_id, need_id in await session.execute(
        select(ProposalNeed.proposal_id, ProposalNeed.need_id)
        .where(ProposalNeed.proposal_id.in_(ids))
        .order_by(ProposalNeed.proposal_id, ProposalNeed.need_id)
    ):
        needs[proposal_id].append(need_id)
    supports = dict(
        (
            await session.execute(
                select(Support.proposal_id, func.count())
                .where(Support.proposal_id.in_(ids))
                .group_by(Support.proposal_id)
            )
        ).all()
    )
    mine = set(
        await session.scalars(
            select(Support.proposal_id).where(
                Support.proposal_id.in_(ids), Support.user_id == caller_id
            )
        )
    )
    seats: dict[int, list[tuple[ReviewAssignment, str]]] = defaultdict(list)
    for seat, name in await session.execute(
        select(ReviewAssignment, User.name)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.proposal_id.in_(ids))
        .order_by(ReviewAssignment.id)
    ):
        seats[seat.proposal_id].append((seat, name))
    authors = dict(
        (
            await session.execute(
                select(User.id, User.name).where(User.id.in_({p.author_id for p in proposals}))
            )
        ).all()
    )
    # The ranking is published with 公示; before that only admins see the preview.
    outcome = scores_public(access) or access.has("admin")
    answers = []
    for proposal in proposals:
        own_seat = next((s for s, _ in seats[proposal.id] if s.reviewer_id == caller_id), None)
        tie = rules.Seat(supported=proposal.id in mine, seat=own_seat)
        reviews = [_review(seat, name, access) for seat, name in seats[proposal.id]]
        answers.append(
            ProposalPublic(
                id=proposal.id,
                round_id=proposal.round_id,
                community_id=proposal.community_id,
                author={"id": proposal.author_id, "name": authors[proposal.author_id]},
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
                    BudgetLinePublic.model_validate(line, from_attributes=True)
                    for line in lines[proposal.id]
                ],
                need_ids=needs[proposal.id],
                eligibility_reason=proposal.eligibility_reason,
                submitted_at=proposal.submitted_at,
                support=Progress(
                    supports=supports.get(proposal.id, 0),
                    threshold=access.round.support_threshold,
                    supported_by_me=tie.supported,
                ),
                reviews=[r for r in reviews if r is not None],
                rank=proposal.rank if outcome else None,
                mean_score=proposal.mean_score if outcome else None,
                funded=proposal.funded if outcome else None,
                selection_reason=proposal.selection_reason if outcome else None,
                contract_no=proposal.contract_no,
                allowed_actions=rules.allowed(rules.PROPOSAL_RULES, proposal, access, tie),
            )
        )
    return answers


async def present_proposal(
    session: AsyncSession, proposal: Proposal, access: RoundAccess
) -> ProposalPublic:
    return (await present_proposals(session, [proposal], access))[0]
