"""Delivery of a funded project: contract, milestones, tranches, expenses against budget lines,
adjustments between lines, and the evaluation that releases the last tranche (评估兑现).

The money rules, each a 409 when broken: tranches never exceed the approved total; the tranche
that completes the total waits for a passing evaluation; spending never exceeds what was
disbursed; spending on a line never exceeds what the line allows, and what a line allows moves
only by a recorded adjustment.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.ventures import journal
from backend.ventures.access import RoundAccess, load_proposal
from backend.ventures.bodies import (
    AdjustmentCreate,
    ContractBody,
    DisbursementCreate,
    EvaluationCreate,
    ExpenseCreate,
    MilestoneCreate,
    MilestoneDone,
)
from backend.ventures.models import (
    BudgetAdjustment,
    BudgetLine,
    Disbursement,
    Evaluation,
    Expense,
    Milestone,
    Proposal,
)
from backend.ventures.project import project_view
from backend.ventures.review import conflicted

PASS_MARK = 60
RUNNING = ("implementing", "evaluating")


async def _sum(session: AsyncSession, column, *where) -> int:
    return int(await session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)))


async def disbursed(session: AsyncSession, proposal_id: int) -> int:
    return await _sum(session, Disbursement.amount_fen, Disbursement.proposal_id == proposal_id)


async def spent(session: AsyncSession, proposal_id: int) -> int:
    return await _sum(session, Expense.amount_fen, Expense.proposal_id == proposal_id)


def _team(proposal: Proposal, access: RoundAccess) -> None:
    """The author's team reports progress and spending; the community's workers may help."""
    if access.caller.id != proposal.author_id and not access.worker_of(proposal.community_id):
        raise Forbidden("project.not_team", "only the project team records this")


def _contracted(proposal: Proposal) -> None:
    if proposal.status not in ("contracted", "completed"):
        raise Conflict("project.not_contracted", f"the proposal is {proposal.status}")


async def sign_contract(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ContractBody
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    access.require("admin")
    access.require_phase("implementing")
    if proposal.status != "selected":
        raise Conflict("project.not_selected", "only a selected proposal is contracted")
    proposal.status, proposal.contract_no, proposal.contracted_at = (
        "contracted",
        body.contract_no,
        utcnow(),
    )
    journal.record(
        session,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        actor_id=caller.id,
        action="contract",
        note=body.contract_no,
    )
    await journal.tell_author(session, proposal=proposal)
    await session.commit()
    return await project_view(session, proposal)


async def add_milestone(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: MilestoneCreate
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id)
    _team(proposal, access)
    _contracted(proposal)
    access.require_phase(*RUNNING)
    session.add(Milestone(proposal_id=proposal.id, title=body.title, due_on=body.due_on))
    await session.commit()
    return await project_view(session, proposal)


async def complete_milestone(
    session: AsyncSession, *, caller: Caller, milestone_id: int, body: MilestoneDone
) -> dict:
    milestone = await session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("milestone.not_found", "no such milestone")
    proposal, access = await load_proposal(session, caller, milestone.proposal_id)
    _team(proposal, access)
    access.require_phase(*RUNNING)
    if milestone.done_at is not None:
        raise Conflict("milestone.done", "this milestone is already done")
    milestone.evidence, milestone.photo_ids, milestone.done_at = (
        body.evidence,
        body.photo_ids,
        utcnow(),
    )
    await session.commit()
    return await project_view(session, proposal)


async def _passed(session: AsyncSession, proposal_id: int) -> bool:
    return bool(
        await session.scalar(select(Evaluation.passed).where(Evaluation.proposal_id == proposal_id))
    )


async def disburse(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: DisbursementCreate
) -> dict:
    # The row lock (PostgreSQL) or the immediate write lock (SQLite) serialises two admins.
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    access.require("admin")
    _contracted(proposal)
    access.require_phase(*RUNNING)
    after = await disbursed(session, proposal.id) + body.amount_fen
    if after > proposal.total_fen:
        raise Conflict("disbursement.over_total", "tranches would exceed the approved total")
    if after == proposal.total_fen and not await _passed(session, proposal.id):
        raise Conflict(
            "disbursement.evaluation_required",
            "the last tranche is released only after a passing evaluation",
        )
    session.add(
        Disbursement(
            proposal_id=proposal.id,
            amount_fen=body.amount_fen,
            note=body.note,
            released_by=caller.id,
        )
    )
    journal.record(
        session,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        actor_id=caller.id,
        action="disburse",
        note=str(body.amount_fen),
    )
    if after == proposal.total_fen:
        proposal.status = "completed"
        await journal.tell_author(session, proposal=proposal)
    await session.commit()
    return await project_view(session, proposal)


async def _line(session: AsyncSession, proposal: Proposal, line_id: int, field: str) -> BudgetLine:
    line = await session.get(BudgetLine, line_id)
    if line is None or line.proposal_id != proposal.id:
        raise Invalid(field, "not a budget line of this project")
    return line


async def record_expense(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ExpenseCreate
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    _team(proposal, access)
    _contracted(proposal)
    access.require_phase(*RUNNING)
    line = await _line(session, proposal, body.budget_line_id, "budget_line_id")
    if await spent(session, proposal.id) + body.amount_fen > await disbursed(session, proposal.id):
        raise Conflict("expense.over_disbursed", "spending would exceed the money disbursed")
    line_spent = await _sum(session, Expense.amount_fen, Expense.budget_line_id == line.id)
    if line_spent + body.amount_fen > line.allowed_fen:
        raise Conflict(
            "expense.over_budget_line",
            "spending past this budget line needs a recorded adjustment first",
        )
    session.add(
        Expense(
            proposal_id=proposal.id,
            recorded_by=caller.id,
            **body.model_dump(),
        )
    )
    await session.commit()
    return await project_view(session, proposal)


async def adjust(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: AdjustmentCreate
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    access.require("admin")
    _contracted(proposal)
    source = await _line(session, proposal, body.from_line_id, "from_line_id")
    target = await _line(session, proposal, body.to_line_id, "to_line_id")
    if source.id == target.id:
        raise Invalid("to_line_id", "must differ from from_line_id")
    unspent = source.allowed_fen - await _sum(
        session, Expense.amount_fen, Expense.budget_line_id == source.id
    )
    if body.amount_fen > unspent:
        raise Conflict("adjustment.exceeds_unspent", "more than the line has left unspent")
    source.allowed_fen -= body.amount_fen
    target.allowed_fen += body.amount_fen
    session.add(BudgetAdjustment(proposal_id=proposal.id, made_by=caller.id, **body.model_dump()))
    await session.commit()
    return await project_view(session, proposal)


async def evaluate(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: EvaluationCreate
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    access.require("reviewer")
    access.require_phase("evaluating")
    _contracted(proposal)
    if await conflicted(session, proposal, caller.id):
        raise Forbidden("review.conflict_of_interest", "an evaluator must be independent")
    if await session.scalar(select(Evaluation.id).where(Evaluation.proposal_id == proposal.id)):
        raise Conflict("evaluation.exists", "this project was already evaluated")
    passed = body.score >= PASS_MARK
    session.add(
        Evaluation(
            proposal_id=proposal.id,
            evaluator_id=caller.id,
            score=body.score,
            passed=passed,
            report=body.report,
        )
    )
    journal.record(
        session,
        round_id=proposal.round_id,
        proposal_id=proposal.id,
        actor_id=caller.id,
        action="evaluate_pass" if passed else "evaluate_fail",
        note=str(body.score),
    )
    await session.commit()
    return await project_view(session, proposal)


async def get_project(session: AsyncSession, *, caller: Caller, proposal_id: int) -> dict:
    proposal, _ = await load_proposal(session, caller, proposal_id)
    return await project_view(session, proposal)
