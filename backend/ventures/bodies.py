"""Request and answer bodies of the micro-venture API. Money is in fen (integers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, model_validator
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody

Phase = Literal[
    "collecting", "supporting", "reviewing", "announcing", "implementing", "evaluating", "closed"
]
Score = Field(ge=0, le=20)

# --- requests ------------------------------------------------------------------------------


class RoundCreate(StrictBody):
    """A round for one community (`community_id`) or a whole street (`street_id`)."""

    title: str = Field(min_length=1, max_length=100)
    community_id: int | None = None
    street_id: int | None = None
    pool_fen: int = Field(gt=0, le=10**11)
    min_fen: int = Field(default=500_000, ge=0)
    max_fen: int = Field(default=1_500_000, gt=0)
    support_threshold: int = Field(default=10, ge=0, le=100_000)
    reviewers_per_proposal: int = Field(default=3, ge=1, le=15)
    collecting_from: AwareDatetime
    supporting_from: AwareDatetime
    reviewing_from: AwareDatetime
    announcing_from: AwareDatetime
    implementing_from: AwareDatetime
    evaluating_from: AwareDatetime
    closed_from: AwareDatetime


class AdvanceBody(StrictBody):
    """The phase to move to: naming it makes a repeated click a 409, not a second step."""

    to: Phase
    note: str | None = Field(default=None, max_length=500)


class NeedCreate(StrictBody):
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    community_id: int | None = None
    category_id: int | None = None
    grid_id: int | None = None


class DeriveNeeds(StrictBody):
    """Count real orders by community, category and grid over the window [since, until)."""

    since: AwareDatetime
    until: AwareDatetime | None = None
    min_orders: int = Field(default=1, ge=1)


class ScreenBody(StrictBody):
    selected: bool
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _reason_when_not_selected(self) -> ScreenBody:
        if not self.selected and not (self.reason or "").strip():
            raise ValueError("reason is required when a need is not selected")
        return self


class BudgetLineIn(StrictBody):
    item: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price_fen: int = Field(ge=0, le=10**9)


class ProposalDraft(StrictBody):
    title: str = Field(min_length=1, max_length=100)
    problem: str = Field(min_length=1, max_length=4000)
    plan: str = Field(min_length=1, max_length=4000)
    beneficiaries: str = Field(min_length=1, max_length=1000)
    beneficiary_count: int = Field(ge=1, le=1_000_000)
    team: str = Field(min_length=1, max_length=1000)
    community_id: int | None = None
    provider_id: int | None = None
    budget_lines: list[BudgetLineIn] = Field(min_length=1, max_length=50)
    need_ids: list[int] = Field(default_factory=list, max_length=20)
    attachment_ids: list[int] = Field(default_factory=list, max_length=9)


class EligibilityBody(StrictBody):
    eligible: bool
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _reason_when_ineligible(self) -> EligibilityBody:
        if not self.eligible and not (self.reason or "").strip():
            raise ValueError("reason is required when a proposal is ineligible")
        return self


class AssignReviewers(StrictBody):
    reviewer_ids: list[int] = Field(min_length=1, max_length=15)


class ScoreBody(StrictBody):
    """Five criteria × 20 points. Scoring is also the declaration of no conflict of interest."""

    no_conflict: Literal[True]
    need_fit: int = Score
    feasibility: int = Score
    budget: int = Score
    sustainability: int = Score
    participation: int = Score
    comment: str = Field(min_length=1, max_length=2000)


class ReasonBody(StrictBody):
    reason: str = Field(min_length=1, max_length=1000)


class AnswerBody(StrictBody):
    answer: str = Field(min_length=1, max_length=1000)


class ContractBody(StrictBody):
    contract_no: str = Field(min_length=1, max_length=64)


class MilestoneCreate(StrictBody):
    title: str = Field(min_length=1, max_length=100)
    due_on: date


class MilestoneDone(StrictBody):
    evidence: str = Field(min_length=1, max_length=2000)
    photo_ids: list[int] = Field(default_factory=list, max_length=9)


class DisbursementCreate(StrictBody):
    amount_fen: int = Field(gt=0)
    note: str | None = Field(default=None, max_length=500)


class ExpenseCreate(StrictBody):
    budget_line_id: int
    amount_fen: int = Field(gt=0)
    spent_on: date
    payee: str = Field(min_length=1, max_length=100)
    receipt_file_id: int | None = None
    note: str | None = Field(default=None, max_length=500)


class AdjustmentCreate(StrictBody):
    from_line_id: int
    to_line_id: int
    amount_fen: int = Field(gt=0)
    reason: str = Field(min_length=1, max_length=500)


class EvaluationCreate(StrictBody):
    score: int = Field(ge=0, le=100)
    report: str = Field(min_length=1, max_length=4000)


class CommentCreate(StrictBody):
    body: str = Field(min_length=1, max_length=1000)


class ReportBody(StrictBody):
    reason: str | None = Field(default=None, max_length=200)


class ModerateBody(StrictBody):
    decision: Literal["keep", "remove"]


# --- answers -------------------------------------------------------------------------------


class RoundPublic(SQLModel):
    id: int
    title: str
    street_id: int
    community_id: int | None
    area_community_ids: list[int]
    pool_fen: int
    min_fen: int
    max_fen: int
    support_threshold: int
    reviewers_per_proposal: int
    phase: str
    next_phase: str | None
    schedule: dict[str, datetime]
    created_at: datetime
    # What the caller may do now (see rules.py); always empty on the public pages.
    allowed_actions: list[str] = Field(default_factory=list)


class NeedPublic(SQLModel):
    id: int
    round_id: int
    community_id: int
    source: str
    title: str
    description: str
    category_id: int | None
    grid_id: int | None
    order_count: int | None
    window_from: datetime | None
    window_to: datetime | None
    screening: str
    screening_reason: str | None


class BudgetLinePublic(SQLModel):
    id: int
    item: str
    quantity: int
    unit_price_fen: int
    total_fen: int
    allowed_fen: int


class ReviewPublic(SQLModel):
    reviewer_id: int
    reviewer_name: str
    status: str
    need_fit: int | None
    feasibility: int | None
    budget: int | None
    sustainability: int | None
    participation: int | None
    total: int | None
    comment: str | None


class Progress(SQLModel):
    supports: int
    threshold: int
    supported_by_me: bool


class ProposalPublic(SQLModel):
    id: int
    round_id: int
    community_id: int
    author: dict
    provider_id: int | None
    title: str
    problem: str
    plan: str
    beneficiaries: str
    beneficiary_count: int
    team: str
    attachment_ids: list[int]
    status: str
    total_fen: int
    budget_lines: list[BudgetLinePublic]
    need_ids: list[int]
    eligibility_reason: str | None
    submitted_at: datetime | None
    support: Progress
    reviews: list[ReviewPublic]
    rank: int | None
    mean_score: float | None
    funded: bool | None
    selection_reason: str | None
    contract_no: str | None
    # What the caller may do with it now (rules.py): edit, submit, judge_eligibility, support,
    # review, recuse, object.
    allowed_actions: list[str]


class RoundPage(SQLModel):
    items: list[RoundPublic]
    next_cursor: str | None = None


class NeedPage(SQLModel):
    items: list[NeedPublic]
    next_cursor: str | None = None


class ProposalPage(SQLModel):
    items: list[ProposalPublic]
    next_cursor: str | None = None


class SelectionRow(SQLModel):
    proposal_id: int
    title: str
    rank: int | None
    mean_score: float | None
    supports: int | None
    total_fen: int
    funded: bool | None
    reason: str | None


class SelectionPage(SQLModel):
    items: list[SelectionRow]
    next_cursor: str | None = None


class ObjectionPublic(SQLModel):
    id: int
    round_id: int
    proposal_id: int
    reason: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None


class ObjectionPage(SQLModel):
    items: list[ObjectionPublic]
    next_cursor: str | None = None
