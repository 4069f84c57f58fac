"""Answer bodies of a funded micro-venture project and its public disclosure (三务公开): tranches,
expenses, adjustments, milestones, evaluation and totals. Money is in fen (integers). The
requests and the answers of the earlier phases are in `bodies.py`."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import SQLModel

from backend.ventures.bodies import ObjectionPublic, RoundPublic, SelectionRow


class ProjectLine(SQLModel):
    """A budget line as delivered: what it was approved for, may spend after adjustments, spent."""

    id: int
    item: str
    quantity: int
    unit_price_fen: int
    total_fen: int
    allowed_fen: int
    spent_fen: int


class TranchePublic(SQLModel):
    id: int
    amount_fen: int
    note: str | None
    released_at: datetime


class ExpensePublic(SQLModel):
    id: int
    budget_line_id: int
    amount_fen: int
    spent_on: date
    payee: str
    receipt_file_id: int | None
    note: str | None


class AdjustmentPublic(SQLModel):
    from_line_id: int
    to_line_id: int
    amount_fen: int
    reason: str
    made_at: datetime


class MilestonePublic(SQLModel):
    id: int
    title: str
    due_on: date
    evidence: str | None
    photo_ids: list[int]
    done_at: datetime | None


class EvaluationPublic(SQLModel):
    score: int
    passed: bool
    report: str
    at: datetime


class ProjectPublic(SQLModel):
    """One funded project; every total is the sum of the rows listed under it."""

    proposal_id: int
    round_id: int
    title: str
    status: str
    contract_no: str | None
    approved_fen: int
    disbursed_fen: int
    spent_fen: int
    progress_pct: int
    budget_lines: list[ProjectLine]
    disbursements: list[TranchePublic]
    expenses: list[ExpensePublic]
    adjustments: list[AdjustmentPublic]
    milestones: list[MilestonePublic]
    evaluation: EvaluationPublic | None


class ProjectDetail(ProjectPublic):
    """The project as a signed-in caller sees it, with what they may do now (rules.py)."""

    allowed_actions: list[str]


class Totals(SQLModel):
    pool_fen: int
    approved_fen: int
    disbursed_fen: int
    spent_fen: int


class DisclosurePublic(SQLModel):
    """A round's public page: from 公示 on, its ranking, projects and objections."""

    round: RoundPublic
    totals: Totals
    ranking: list[SelectionRow]
    projects: list[ProjectPublic]
    objections: list[ObjectionPublic]
