"""Delivery of a funded project: contract, milestones, tranches, expenses against budget lines,
adjustments between lines, and the evaluation that releases the last tranche (评估兑现).

Who may act and when is in rules.py (the same rules give each answer its `allowed_actions`).
The money rules here, each a 409 when broken: tranches never exceed the approved total; the
tranche that completes the total waits for a passing evaluation; spending never exceeds what
was disbursed; spending on a line never exceeds what the line allows, and what a line allows
moves only by a recorded adjustment. A failing evaluation fails the project: no tranche is
released after it (the last one is never paid), milestones stop; receipts for the money already
paid out are still recorded so that the disclosure accounts for it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import Conflict, Invalid, NotFound
from backend.ventures import journal, rules
from backend.ventures.access import RoundAccess, load_proposal
from backend.ventures.attachments import require_visible
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
from backend.ventures.project_bodies import (
    ProjectDetail,
)

PASS_MARK = 60


async def _detail(session: AsyncSession, proposal: Proposal, access: RoundAccess) -> ProjectDetail:
    known = await rules.facts(session, proposal, access)
    view = await project_view(session, proposal)
    return ProjectDetail(
        **view.model_dump(),
        allowed_actions=rules.allowed(rules.PROJECT_RULES, proposal, access, known),
    )


async def _check(
    session: AsyncSession, action: str, proposal: Proposal, access: RoundAccess
) -> rules.Facts:
    known = await rules.facts(session, proposal, access)
    rules.PROJECT_RULES[action](proposal, access, known)
    return known


async def sign_contract(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ContractBody
) -> ProjectDetail:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    await _check(session, "contract", proposal, access)
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
    await journal.audited(
        session,
        caller,
        "contract",
        proposal,
        before={"status": "selected"},
        after={"status": "contracted", "contract_no": body.contract_no},
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def add_milestone(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: MilestoneCreate
) -> ProjectDetail:
    proposal, access = await load_proposal(session, caller, proposal_id)
    await _check(session, "add_milestone", proposal, access)
    milestone = Milestone(proposal_id=proposal.id, title=body.title, due_on=body.due_on)
    session.add(milestone)
    await session.flush()
    await journal.audited(
        session,
        caller,
        "milestone_add",
        proposal,
        target=("milestone", milestone.id),
        after={"due_on": body.due_on},
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def complete_milestone(
    session: AsyncSession, *, caller: Caller, milestone_id: int, body: MilestoneDone
) -> ProjectDetail:
    milestone = await session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("milestone.not_found", "no such milestone")
    proposal, access = await load_proposal(session, caller, milestone.proposal_id)
    await _check(session, "complete_milestone", proposal, access)
    if milestone.done_at is not None:
        raise Conflict("milestone.done", "this milestone is already done")
    await require_visible(session, caller=caller, field="photo_ids", file_ids=body.photo_ids)
    milestone.evidence, milestone.photo_ids, milestone.done_at = (
        body.evidence,
        body.photo_ids,
        utcnow(),
    )
    await journal.audited(
        session,
        caller,
        "milestone_complete",
        proposal,
        target=("milestone", milestone.id),
        after={"done": True, "photo_ids": body.photo_ids},
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def _passed(session: AsyncSession, proposal_id: int) -> bool:
    return bool(
        await session.scalar(select(Evaluation.passed).where(Evaluation.proposal_id == proposal_id))
    )


async def disburse(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: DisbursementCreate
) -> ProjectDetail:
    # The row lock (PostgreSQL) or the immediate write lock (SQLite) serialises two admins.
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    known = await _check(session, "disburse", proposal, access)
    after = known.disbursed + body.amount_fen
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
    status = proposal.status
    if after == proposal.total_fen:
        proposal.status = "completed"
        await journal.tell_author(session, proposal=proposal)
    await journal.audited(
        session,
        caller,
        "disburse",
        proposal,
        before={"disbursed_fen": known.disbursed, "status": status},
        after={"disbursed_fen": after, "status": proposal.status},
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def _line_spent(session: AsyncSession, line_id: int) -> int:
    return await rules.sum_of(session, Expense.amount_fen, Expense.budget_line_id == line_id)


async def _line(session: AsyncSession, proposal: Proposal, line_id: int, field: str) -> BudgetLine:
    line = await session.get(BudgetLine, line_id)
    if line is None or line.proposal_id != proposal.id:
        raise Invalid(field, "not a budget line of this project")
    return line


async def record_expense(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ExpenseCreate
) -> ProjectDetail:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    known = await _check(session, "record_expense", proposal, access)
    line = await _line(session, proposal, body.budget_line_id, "budget_line_id")
    await require_visible(
        session, caller=caller, field="receipt_file_id", file_ids=[body.receipt_file_id]
    )
    if known.spent + body.amount_fen > known.disbursed:
        raise Conflict("expense.over_disbursed", "spending would exceed the money disbursed")
    line_spent = await _line_spent(session, line.id)
    if line_spent + body.amount_fen > line.allowed_fen:
        raise Conflict(
            "expense.over_budget_line",
            "spending past this budget line needs a recorded adjustment first",
        )
    expense = Expense(proposal_id=proposal.id, recorded_by=caller.id, **body.model_dump())
    session.add(expense)
    await session.flush()
    await journal.audited(
        session,
        caller,
        "expense",
        proposal,
        before={"spent_fen": known.spent},
        after={
            "spent_fen": known.spent + body.amount_fen,
            "expense_id": expense.id,
            "budget_line_id": line.id,
            "receipt_file_id": body.receipt_file_id,
        },
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def adjust(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: AdjustmentCreate
) -> ProjectDetail:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    await _check(session, "adjust", proposal, access)
    source = await _line(session, proposal, body.from_line_id, "from_line_id")
    target = await _line(session, proposal, body.to_line_id, "to_line_id")
    if source.id == target.id:
        raise Invalid("to_line_id", "must differ from from_line_id")
    unspent = source.allowed_fen - await _line_spent(session, source.id)
    if body.amount_fen > unspent:
        raise Conflict("adjustment.exceeds_unspent", "more than the line has left unspent")
    before = {f"line_{source.id}": source.allowed_fen, f"line_{target.id}": target.allowed_fen}
    source.allowed_fen -= body.amount_fen
    target.allowed_fen += body.amount_fen
    session.add(BudgetAdjustment(proposal_id=proposal.id, made_by=caller.id, **body.model_dump()))
    await journal.audited(
        session,
        caller,
        "budget_adjust",
        proposal,
        before=before,
        after={f"line_{source.id}": source.allowed_fen, f"line_{target.id}": target.allowed_fen},
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def evaluate(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: EvaluationCreate
) -> ProjectDetail:
    proposal, access = await load_proposal(session, caller, proposal_id, lock=True)
    await _check(session, "evaluate", proposal, access)
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
    status = proposal.status
    if not passed:
        # 评估兑现: a failed evaluation ends the project; the last tranche is never released.
        proposal.status = "failed"
        await journal.tell_author(session, proposal=proposal)
    await journal.audited(
        session,
        caller,
        "evaluate",
        proposal,
        before={"status": status},
        after={"status": proposal.status, "score": body.score, "passed": passed},
    )
    await session.commit()
    return await _detail(session, proposal, access)


async def get_project(session: AsyncSession, *, caller: Caller, proposal_id: int) -> ProjectDetail:
    proposal, access = await load_proposal(session, caller, proposal_id)
    return await _detail(session, proposal, access)
