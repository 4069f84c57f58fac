"""One funded project as it is disclosed (三务公开): approved budget per line, what each line
may spend after adjustments, tranches, receipts, milestones, progress, the evaluation.

Every total here is computed from its parts in the same read, so a total always equals the sum
of the figures listed under it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.ventures.models import (
    BudgetAdjustment,
    BudgetLine,
    Disbursement,
    Evaluation,
    Expense,
    Milestone,
    Proposal,
)
from backend.ventures.project_bodies import (
    AdjustmentPublic,
    EvaluationPublic,
    ExpensePublic,
    MilestonePublic,
    ProjectLine,
    ProjectPublic,
    TranchePublic,
)


async def _rows(session: AsyncSession, model, proposal_id: int) -> list:
    return list(
        await session.scalars(
            select(model).where(model.proposal_id == proposal_id).order_by(model.id)
        )
    )


async def project_view(session: AsyncSession, proposal: Proposal) -> ProjectPublic:
    lines = list(
        await session.scalars(
            select(BudgetLine)
            .where(BudgetLine.proposal_id == proposal.id)
            .order_by(BudgetLine.position)
        )
    )
    expenses = await _rows(session, Expense, proposal.id)
    tranches = await _rows(session, Disbursement, proposal.id)
    milestones = await _rows(session, Milestone, proposal.id)
    adjustments = await _rows(session, BudgetAdjustment, proposal.id)
    evaluation = await session.scalar(
        select(Evaluation).where(Evaluation.proposal_id == proposal.id)
    )
    spent_by_line = {line.id: 0 for line in lines}
    for expense in expenses:
        spent_by_line[expense.budget_line_id] += expense.amount_fen
    done = sum(1 for m in milestones if m.done_at is not None)

    def rows(model: type, items: list) -> list:
        return [model.model_validate(item, from_attributes=True) for item in items]

    return ProjectPublic(
        proposal_id=proposal.id,
        round_id=proposal.round_id,
        title=proposal.title,
        status=proposal.status,
        contract_no=proposal.contract_no,
        approved_fen=proposal.total_fen,
        disbursed_fen=sum(t.amount_fen for t in tranches),
        spent_fen=sum(e.amount_fen for e in expenses),
        progress_pct=round(100 * done / len(milestones)) if milestones else 0,
        budget_lines=[
            ProjectLine(
                id=line.id,
                item=line.item,
                quantity=line.quantity,
                unit_price_fen=line.unit_price_fen,
                total_fen=line.total_fen,
                allowed_fen=line.allowed_fen,
                spent_fen=spent_by_line[line.id],
            )
            for line in lines
        ],
        disbursements=rows(TranchePublic, tranches),
        expenses=rows(ExpensePublic, expenses),
        adjustments=rows(AdjustmentPublic, adjustments),
        milestones=rows(MilestonePublic, milestones),
        evaluation=None
        if evaluation is None
        else EvaluationPublic(
            score=evaluation.score,
            passed=evaluation.passed,
            report=evaluation.report,
            at=evaluation.created_at,
        ),
    )
