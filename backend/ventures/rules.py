"""Who may do what to a round, a proposal or a funded project, and when: one table of rules,
two uses.

Each rule raises the error its route answers with (403 wrong role, 409 wrong phase or state);
the routes call them before acting, and `allowed_actions` in the answers lists the rules the
caller passes right now, so the PWA shows exactly the buttons that would work. Rules that need
the amount of a request (the money rules in delivery.py) stay with the action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.catalog.models import ProviderStaff
from backend.db import utcnow
from backend.errors import Conflict, Forbidden, NotFound
from backend.ventures.access import RoundAccess
from backend.ventures.models import (
    Disbursement,
    Evaluation,
    Expense,
    Proposal,
    ReviewAssignment,
    Support,
)
from backend.ventures.phases import check_advance, next_phase, starts

OPEN_PHASES = ("collecting", "supporting")  # needs are posted and screened
RUNNING = ("implementing", "evaluating")  # a project is carried out and paid
# A contracted project whose money is being accounted for: a failed one still records
# receipts for what was already paid out, so the disclosure accounts for every yuan.
HOLDING = ("contracted", "completed", "failed")


# --- rounds --------------------------------------------------------------------------------


def may_advance(access: RoundAccess, target: str | None = None) -> None:
    """An admin, one step forward, not before its date, and out of 公示 only with every
    objection answered."""
    access.require("admin")
    target = target or next_phase(access.round.phase)
    if target is None:
        raise Conflict("round.phase_backwards", "the round is already closed")
    check_advance(access.round.phase, target, starts(access.round), utcnow())
    if access.round.phase == "announcing" and access.open_objections:
        raise Conflict("round.objections_open", f"{access.open_objections} objection(s) unanswered")


def may_post_need(access: RoundAccess) -> None:
    if not access.resident_communities():
        raise Forbidden("venture.out_of_area", "only residents of the round's area post needs")
    access.require_phase(*OPEN_PHASES)


def may_derive_needs(access: RoundAccess) -> None:
    if not any(access.worker_of(c) for c in access.communities):
        raise Forbidden("venture.role_required", "a worker or admin of the area derives needs")
    access.require_phase(*OPEN_PHASES)


def may_screen(access: RoundAccess, community_id: int) -> None:
    """A worker of the need's community, or a reviewer, while needs are open."""
    if not (access.worker_of(community_id) or access.has("reviewer")):
        raise Forbidden("venture.role_required", "workers or reviewers screen needs")
    access.require_phase(*OPEN_PHASES)


def may_screen_some(access: RoundAccess) -> None:
    """The round-level view of `may_screen`: the caller may screen the needs of some community."""
    refusals: list[Forbidden | Conflict] = []
    for community_id in access.communities:
        try:
            may_screen(access, community_id)
        except (Forbidden, Conflict) as exc:
            refusals.append(exc)
            continue
        return
    raise refusals[0] if refusals else Forbidden("venture.role_required", "no community")


def may_propose(access: RoundAccess) -> None:
    if not any({"resident", "provider"} & access.caller.roles_in(c) for c in access.communities):
        raise Forbidden("venture.out_of_area", "only residents or organisations of the area")
    access.require_phase("collecting")


def may_answer_objections(access: RoundAccess) -> None:
    access.require("admin")
    access.require_phase("announcing")


ROUND_RULES: dict[str, Callable[[RoundAccess], None]] = {
    "advance": may_advance,
    "post_need": may_post_need,
    "derive_needs": may_derive_needs,
    "screen_needs": may_screen_some,
    "propose": may_propose,
    "answer_objections": may_answer_objections,
}


# --- proposals -----------------------------------------------------------------------------


async def conflicted(session: AsyncSession, proposal: Proposal, reviewer_id: int) -> bool:
    """A conflict of interest: the reviewer wrote or supported the proposal, or works for its
    organisation. Such a reviewer is never seated, and never evaluates the project."""
    if proposal.author_id == reviewer_id:
        return True
    supported = await session.scalar(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == reviewer_id)
    )
    if supported is not None:
        return True
    if proposal.provider_id is None:
        return False
    staff = await session.scalar(
        select(ProviderStaff.id).where(
            ProviderStaff.provider_id == proposal.provider_id, ProviderStaff.user_id == reviewer_id
        )
    )
    return staff is not None


SUPPORTABLE = ("submitted", "eligible")


@dataclass(frozen=True)
class Seat:
    """The caller's tie to a proposal: their support, and their reviewer seat if any."""

    supported: bool
    seat: ReviewAssignment | None


async def seat_of(session: AsyncSession, proposal: Proposal, access: RoundAccess) -> Seat:
    caller_id = access.caller.id
    supported = await session.scalar(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == caller_id)
    )
    seat = await session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.proposal_id == proposal.id, ReviewAssignment.reviewer_id == caller_id
        )
    )
    return Seat(supported=supported is not None, seat=seat)


def may_edit(proposal: Proposal, access: RoundAccess, _: Seat) -> None:
    """The author, a draft, while ideas are collected (editing and submitting alike)."""
    if proposal.author_id != access.caller.id:
        raise Forbidden("proposal.not_author", "only the author edits or submits a proposal")
    if proposal.status != "draft":
        raise Conflict("proposal.not_draft", "a submitted proposal is no longer edited")
    access.require_phase("collecting")


def may_judge_eligibility(proposal: Proposal, access: RoundAccess, _: Seat) -> None:
    if not (access.worker_of(proposal.community_id) or access.has("admin")):
        raise Forbidden("venture.role_required", "a worker of the community checks eligibility")
    access.require_phase("collecting", "supporting")
    if proposal.status not in ("submitted", "eligible", "ineligible"):
        raise Conflict("proposal.not_submitted", "only a submitted proposal is checked")


def may_support(proposal: Proposal, access: RoundAccess, tie: Seat) -> None:
    if not access.resident_communities():
        raise Forbidden("venture.out_of_area", "only residents of the round's area support")
    access.require_phase("supporting")
    if proposal.status not in SUPPORTABLE:
        raise Conflict("proposal.not_supportable", f"the proposal is {proposal.status}")
    if proposal.author_id == access.caller.id:
        raise Forbidden("proposal.own", "authors do not support their own proposal")
    if tie.supported:
        raise Conflict("proposal.already_supported", "you already support it")


def may_review(proposal: Proposal, access: RoundAccess, tie: Seat) -> None:
    """A seated reviewer, while reviewing, not recused (scoring again replaces the score)."""
    if tie.seat is None or not access.has("reviewer"):
        # Not assigned: as if the review did not exist for this caller.
        raise NotFound("review.not_assigned", "no review of yours on this proposal")
    access.require_phase("reviewing")
    if tie.seat.status == "recused":
        raise Conflict("review.recused", "you recused yourself from this proposal")


def may_recuse(proposal: Proposal, access: RoundAccess, tie: Seat) -> None:
    may_review(proposal, access, tie)
    if tie.seat is not None and tie.seat.status == "scored":
        raise Conflict("review.already_scored", "a scored review cannot be recused")


def may_object(proposal: Proposal, access: RoundAccess, _: Seat) -> None:
    if not access.resident_communities():
        raise Forbidden("venture.out_of_area", "only residents of the round's area object")
    access.require_phase("announcing")


PROPOSAL_RULES: dict[str, Callable[[Proposal, RoundAccess, Seat], None]] = {
    "edit": may_edit,
    "submit": may_edit,
    "judge_eligibility": may_judge_eligibility,
    "support": may_support,
    "review": may_review,
    "recuse": may_recuse,
    "object": may_object,
}


# --- projects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the project rules read beyond the proposal row, gathered in one place."""

    disbursed: int
    spent: int
    evaluated: bool
    conflicted: bool


async def sum_of(session: AsyncSession, column: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)))


async def facts(session: AsyncSession, proposal: Proposal, access: RoundAccess) -> Facts:
    evaluated = await session.scalar(
        select(Evaluation.id).where(Evaluation.proposal_id == proposal.id)
    )
    # Only a reviewer's independence matters (evaluation); spare the others the queries.
    independent = not access.has("reviewer") or not await conflicted(
        session, proposal, access.caller.id
    )
    return Facts(
        disbursed=await sum_of(
            session, Disbursement.amount_fen, Disbursement.proposal_id == proposal.id
        ),
        spent=await sum_of(session, Expense.amount_fen, Expense.proposal_id == proposal.id),
        evaluated=evaluated is not None,
        conflicted=not independent,
    )


def _team(proposal: Proposal, access: RoundAccess) -> None:
    """The author's team reports progress and spending; the community's workers may help."""
    if access.caller.id != proposal.author_id and not access.worker_of(proposal.community_id):
        raise Forbidden("project.not_team", "only the project team records this")


def _status(proposal: Proposal, *allowed: str) -> None:
    if proposal.status == "failed" and "failed" not in allowed:
        raise Conflict("project.failed", "the project failed its evaluation")
    if proposal.status not in allowed:
        raise Conflict("project.not_contracted", f"the proposal is {proposal.status}")


def may_contract(proposal: Proposal, access: RoundAccess, _: Facts) -> None:
    access.require("admin")
    access.require_phase("implementing")
    if proposal.status != "selected":
        raise Conflict("project.not_selected", "only a selected proposal is contracted")


def may_plan(proposal: Proposal, access: RoundAccess, _: Facts) -> None:
    """Milestones: planned and completed by the team of a project still under way."""
    _team(proposal, access)
    _status(proposal, "contracted", "completed")
    access.require_phase(*RUNNING)


def may_disburse(proposal: Proposal, access: RoundAccess, known: Facts) -> None:
    access.require("admin")
    _status(proposal, "contracted", "completed")
    access.require_phase(*RUNNING)
    if known.disbursed >= proposal.total_fen:
        raise Conflict("disbursement.over_total", "the approved total is already disbursed")


def may_record_expense(proposal: Proposal, access: RoundAccess, _: Facts) -> None:
    _team(proposal, access)
    _status(proposal, *HOLDING)
    access.require_phase(*RUNNING)


def may_adjust(proposal: Proposal, access: RoundAccess, _: Facts) -> None:
    """Moving money between lines is part of carrying the project out, not of closing it."""
    access.require("admin")
    _status(proposal, *HOLDING)
    access.require_phase(*RUNNING)


def may_evaluate(proposal: Proposal, access: RoundAccess, known: Facts) -> None:
    access.require("reviewer")
    access.require_phase("evaluating")
    _status(proposal, "contracted", "completed")
    if known.conflicted:
        raise Forbidden("review.conflict_of_interest", "an evaluator must be independent")
    if known.evaluated:
        raise Conflict("evaluation.exists", "this project was already evaluated")


PROJECT_RULES: dict[str, Callable[[Proposal, RoundAccess, Facts], None]] = {
    "contract": may_contract,
    "add_milestone": may_plan,
    "complete_milestone": may_plan,
    "disburse": may_disburse,
    "record_expense": may_record_expense,
    "adjust": may_adjust,
    "evaluate": may_evaluate,
}


def allowed(rules: dict[str, Callable[..., None]], *args: Any) -> list[str]:
    """The names of the rules that let the caller act now."""
    names = []
    for name, rule in rules.items():
        try:
            rule(*args)
        except (Forbidden, Conflict, NotFound):
            continue
        names.append(name)
    return names
