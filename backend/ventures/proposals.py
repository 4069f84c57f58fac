"""Proposals: drafting with budget lines (totals computed here, in fen), submitting against the
round's bracket, the eligibility check, and residents' supports."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import Conflict, Forbidden, Invalid
from backend.pagination import decode_key, encode_key
from backend.ventures import journal, rules
from backend.ventures.access import RoundAccess, load_proposal, load_round
from backend.ventures.attachments import require_visible
from backend.ventures.bodies import EligibilityBody, ProposalDraft, ProposalPage, ProposalPublic
from backend.ventures.models import (
    BudgetLine,
    Need,
    Proposal,
    ProposalNeed,
    ReviewAssignment,
    Support,
)
from backend.ventures.present import present_proposal, present_proposals


async def _check(
    session: AsyncSession, action: str, proposal: Proposal, access: RoundAccess
) -> None:
    rules.PROPOSAL_RULES[action](proposal, access, await rules.seat_of(session, proposal, access))


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


async def _author_community(access: RoundAccess, caller: Caller, body: ProposalDraft) -> int:
    """A resident, or a social organisation's staff, of a community in the round's area."""
    allowed = [c for c in access.communities if {"resident", "provider"} & caller.roles_in(c)]
    if not allowed:
        raise Forbidden("venture.out_of_area", "only residents or organisations of the area")
    if body.provider_id is not None and body.provider_id not in caller.provider_ids:
        raise Invalid("provider_id", "you are not staff of this organisation")
    if body.community_id is None:
        return allowed[0]
    if body.community_id not in allowed:
        raise Invalid("community_id", "not a community of yours in this round's area")
    return body.community_id


async def _write_parts(session: AsyncSession, proposal: Proposal, body: ProposalDraft) -> None:
    """Budget lines and cited needs, replacing any earlier ones; the total is the server's sum."""
    if body.need_ids:
        found = set(
            await session.scalars(
                select(Need.id).where(
                    Need.id.in_(body.need_ids), Need.round_id == proposal.round_id
                )
            )
        )
        missing = sorted(set(body.need_ids) - found)
        if missing:
            raise Invalid("need_ids", f"not needs of this round: {missing}")
    await session.execute(delete(BudgetLine).where(BudgetLine.proposal_id == proposal.id))
    await session.execute(delete(ProposalNeed).where(ProposalNeed.proposal_id == proposal.id))
    total = 0
    for position, line in enumerate(body.budget_lines):
        line_total = line.quantity * line.unit_price_fen
        total += line_total
        session.add(
            BudgetLine(
                proposal_id=proposal.id,
                position=position,
                item=line.item,
                quantity=line.quantity,
                unit_price_fen=line.unit_price_fen,
                total_fen=line_total,
                allowed_fen=line_total,
            )
        )
    session.add_all(ProposalNeed(proposal_id=proposal.id, need_id=n) for n in set(body.need_ids))
    proposal.total_fen = total
    proposal.updated_at = utcnow()


_TEXT = ("title", "problem", "plan", "beneficiaries", "beneficiary_count", "team")


async def create_draft(
    session: AsyncSession, *, caller: Caller, round_id: int, body: ProposalDraft
) -> ProposalPublic:
    access = await load_round(session, caller, round_id)
    rules.may_propose(access)
    community_id = await _author_community(access, caller, body)
    await require_visible(
        session, caller=caller, field="attachment_ids", file_ids=body.attachment_ids
    )
    proposal = Proposal(
        round_id=round_id,
        community_id=community_id,
        author_id=caller.id,
        provider_id=body.provider_id,
        status="draft",
        attachment_ids=body.attachment_ids,
        **body.model_dump(include=set(_TEXT)),
    )
    session.add(proposal)
    await session.flush()
    await _write_parts(session, proposal, body)
    await journal.audited(
        session,
        caller,
        "proposal_create",
        proposal,
        after={"status": "draft", "total_fen": proposal.total_fen},
    )
    await session.commit()
    return await present_proposal(session, proposal, access)


async def update_draft(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ProposalDraft
) -> ProposalPublic:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    await _check(session, "edit", proposal, access)
    before = {"community_id": proposal.community_id, "total_fen": proposal.total_fen}
    proposal.community_id = await _author_community(access, caller, body)
    await require_visible(
        session, caller=caller, field="attachment_ids", file_ids=body.attachment_ids
    )
    proposal.provider_id = body.provider_id
    proposal.attachment_ids = body.attachment_ids
    for name in _TEXT:
        setattr(proposal, name, getattr(body, name))
    await _write_parts(session, proposal, body)
    after = {"community_id": proposal.community_id, "total_fen": proposal.total_fen}
    await journal.audited(
        session,
        caller,
        "proposal_update",
        proposal,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    await session.commit()
    return await present_proposal(session, proposal, access)


async def submit(session: AsyncSession, *, caller: Caller, proposal_id: int) -> ProposalPublic:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    await _check(session, "submit", proposal, access)
    rnd = access.round
    if proposal.total_fen < rnd.min_fen:
        raise Invalid(
            "budget_lines",
            f"total {yuan(proposal.total_fen)} CNY is below the minimum {yuan(rnd.min_fen)} CNY",
            "proposal.budget_below_min",
        )
    if proposal.total_fen > rnd.max_fen:
        raise Invalid(
            "budget_lines",
            f"total {yuan(proposal.total_fen)} CNY is above the maximum {yuan(rnd.max_fen)} CNY",
            "proposal.budget_above_max",
        )
    proposal.status, proposal.submitted_at = "submitted", utcnow()
    journal.record(
        session, round_id=rnd.id, proposal_id=proposal.id, actor_id=caller.id, action="submit"
    )
    await journal.audited(
        session,
        caller,
        "proposal_submit",
        proposal,
        before={"status": "draft"},
        after={"status": "submitted", "total_fen": proposal.total_fen},
    )
    await session.commit()
    return await present_proposal(session, proposal, access)


async def judge_eligibility(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: EligibilityBody
) -> ProposalPublic:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    await _check(session, "judge_eligibility", proposal, access)
    before = {"status": proposal.status}
    proposal.status = "eligible" if body.eligible else "ineligible"
    proposal.eligibility_reason = body.reason
    journal.record(
        session,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        actor_id=caller.id,
        action=proposal.status,
        note=body.reason,
    )
    await journal.tell_author(session, proposal=proposal)
    await journal.audited(
        session, caller, "eligibility", proposal, before=before, after={"status": proposal.status}
    )
    await session.commit()
    return await present_proposal(session, proposal, access)


async def support(session: AsyncSession, *, caller: Caller, proposal_id: int) -> ProposalPublic:
    proposal, access = await load_proposal(session, caller, proposal_id)
    await _check(session, "support", proposal, access)
    # The rule above answers a repeated click; the unique (proposal, user) pair decides
    # concurrent ones: one row, the rest 409.
    session.add(Support(proposal_id=proposal.id, user_id=caller.id))
    try:
        await session.flush()
        await journal.audited(session, caller, "support", proposal, after={"supported": True})
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("proposal.already_supported", "you already support it") from exc
    return await present_proposal(session, proposal, access)


async def list_proposals(
    session: AsyncSession,
    *,
    caller: Caller,
    round_id: int,
    view: str,
    cursor: str | None,
    limit: int,
) -> ProposalPage:
    """Ranked proposals first (by rank), then the unranked by id; keyset-paginated on
    (rank, id), a missing rank sorting last."""
    access = await load_round(session, caller, round_id)
    query = select(Proposal).where(Proposal.round_id == round_id)
    if view == "mine":
        query = query.where(Proposal.author_id == caller.id)
    elif view == "to_review":
        seats = select(ReviewAssignment.proposal_id).where(
            ReviewAssignment.reviewer_id == caller.id
        )
        query = query.where(Proposal.id.in_(seats))
    else:
        query = query.where(Proposal.status != "draft")
    if cursor is not None:
        query = query.where(_after(*_decode_proposal_cursor(cursor)))
    rows = list(
        await session.scalars(
            query.order_by(Proposal.rank.is_(None), Proposal.rank, Proposal.id).limit(limit + 1)
        )
    )
    items = await present_proposals(session, rows[:limit], access)
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = None if last is None else encode_key(_rank_text(last.rank), last.id)
    return ProposalPage(items=items, next_cursor=next_cursor)


def _rank_text(rank: int | None) -> str:
    return "" if rank is None else str(rank)


def _decode_proposal_cursor(cursor: str) -> tuple[int | None, int]:
    rank, row_id = decode_key(cursor, 2)
    if not row_id.isdigit() or not (rank == "" or rank.isdigit()):
        raise Invalid("cursor", "not a cursor this API handed out")
    return (int(rank) if rank else None), int(row_id)


def _after(rank: int | None, row_id: int) -> ColumnElement[bool]:
    """Rows after (rank, id) in the order above: ranked by rank then id, unranked last."""
    if rank is None:
        return and_(Proposal.rank.is_(None), Proposal.id > row_id)
    return or_(
        Proposal.rank.is_(None),
        Proposal.rank > rank,
        and_(Proposal.rank == rank, Proposal.id > row_id),
    )


async def get_proposal(
    session: AsyncSession, *, caller: Caller, proposal_id: int
) -> ProposalPublic:
    proposal, access = await load_proposal(session, caller, proposal_id)
    return await present_proposal(session, proposal, access)


async def support_count(session: AsyncSession, proposal_id: int) -> int:
    return await session.scalar(
        select(func.count()).select_from(Support).where(Support.proposal_id == proposal_id)
    )
