"""Tables of the micro-venture rounds. Money is in fen; times are UTC; dates are calendar dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime, utcnow


def _at(nullable: bool = True) -> Column:
    return Column(UTCDateTime, nullable=nullable)


class VentureRound(SQLModel, table=True):
    """A round (批次) for one community, or for a whole street when `community_id` is null.
    `<phase>_from` is the earliest moment an admin may move the round into that phase."""

    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="street.id", index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    title: str = Field(max_length=100)
    pool_fen: int
    min_fen: int
    max_fen: int
    support_threshold: int
    reviewers_per_proposal: int
    phase: str = Field(max_length=16)
    collecting_from: datetime = Field(sa_column=_at(False))
    supporting_from: datetime = Field(sa_column=_at(False))
    reviewing_from: datetime = Field(sa_column=_at(False))
    announcing_from: datetime = Field(sa_column=_at(False))
    implementing_from: datetime = Field(sa_column=_at(False))
    evaluating_from: datetime = Field(sa_column=_at(False))
    closed_from: datetime = Field(sa_column=_at(False))
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class VentureEvent(SQLModel, table=True):
    """What happened to a round or a proposal, and who did it: the public record (三务公开)."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="ventureround.id", index=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_at(False))
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=1000)


class Need(SQLModel, table=True):
    """A need on the round's board: posted by a resident, or counted from real orders."""

    __table_args__ = (Index("ix_need_round_source", "round_id", "source"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="ventureround.id")
    community_id: int = Field(foreign_key="community.id")
    source: str = Field(max_length=8)  # resident | orders
    title: str = Field(max_length=100)
    description: str = Field(default="", max_length=2000)
    category_id: int | None = Field(default=None, foreign_key="category.id")
    grid_id: int | None = Field(default=None, foreign_key="grid.id")
    order_count: int | None = None
    window_from: datetime | None = Field(default=None, sa_column=_at())
    window_to: datetime | None = Field(default=None, sa_column=_at())
    posted_by: int | None = Field(default=None, foreign_key="user.id")
    screening: str = Field(default="pending", max_length=16)  # pending|selected|not_selected
    screening_reason: str | None = Field(default=None, max_length=500)
    screened_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class Proposal(SQLModel, table=True):
    __table_args__ = (Index("ix_proposal_round_status", "round_id", "status"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="ventureround.id")
    community_id: int = Field(foreign_key="community.id")
    author_id: int = Field(foreign_key="user.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id")
    title: str = Field(max_length=100)
    problem: str = Field(max_length=4000)
    plan: str = Field(max_length=4000)
    beneficiaries: str = Field(max_length=1000)
    beneficiary_count: int
    team: str = Field(max_length=1000)
    attachment_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # draft | submitted | eligible | ineligible | selected | not_selected | contracted
    # | completed | failed
    status: str = Field(max_length=16)
    total_fen: int = 0
    eligibility_reason: str | None = Field(default=None, max_length=500)
    submitted_at: datetime | None = Field(default=None, sa_column=_at())
    # The selection's outcome, written by one deterministic run (see selection.py).
    rank: int | None = None
    mean_score: float | None = None
    support_count: int | None = None
    funded: bool | None = None
    selection_reason: str | None = Field(default=None, max_length=32)
    contract_no: str | None = Field(default=None, max_length=64)
    contracted_at: datetime | None = Field(default=None, sa_column=_at())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class BudgetLine(SQLModel, table=True):
    """One budget line: item × quantity × unit price. `allowed_fen` starts at `total_fen` and
    moves only by recorded adjustments, so spending past a line leaves a trace."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    position: int
    item: str = Field(max_length=100)
    quantity: int
    unit_price_fen: int
    total_fen: int
    allowed_fen: int


class ProposalNeed(SQLModel, table=True):
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    need_id: int = Field(foreign_key="need.id", primary_key=True)


class Support(SQLModel, table=True):
    """One resident's support; the unique pair makes concurrent clicks count once."""

    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class ReviewAssignment(SQLModel, table=True):
    """A reviewer's seat on one proposal: assigned → scored, or recused (a conflict)."""

    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    reviewer_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default="assigned", max_length=16)  # assigned | scored | recused
    need_fit: int | None = None
    feasibility: int | None = None
    budget: int | None = None
    sustainability: int | None = None
    participation: int | None = None
    total: int | None = None
    comment: str | None = Field(default=None, max_length=2000)
    recusal_reason: str | None = Field(default=None, max_length=500)
    declared_at: datetime | None = Field(default=None, sa_column=_at())
    scored_at: datetime | None = Field(default=None, sa_column=_at())


class Objection(SQLModel, table=True):
    """A resident's objection during 公示; the phase cannot move on until an admin answers."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="ventureround.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    author_id: int = Field(foreign_key="user.id")
    reason: str = Field(max_length=1000)
    answer: str | None = Field(default=None, max_length=1000)
    answered_by: int | None = Field(default=None, foreign_key="user.id")
    answered_at: datetime | None = Field(default=None, sa_column=_at())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class Milestone(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    title: str = Field(max_length=100)
    due_on: date
    evidence: str | None = Field(default=None, max_length=2000)
    photo_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=_at())


class Disbursement(SQLModel, table=True):
    """A tranche released by an admin."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    amount_fen: int
    note: str | None = Field(default=None, max_length=500)
    released_by: int = Field(foreign_key="user.id")
    released_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class Expense(SQLModel, table=True):
    """Money spent against one budget line, with its receipt (发票)."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    budget_line_id: int = Field(foreign_key="budgetline.id", index=True)
    amount_fen: int
    spent_on: date
    payee: str = Field(max_length=100)
    receipt_file_id: int | None = None
    note: str | None = Field(default=None, max_length=500)
    recorded_by: int = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class BudgetAdjustment(SQLModel, table=True):
    """Money moved from one budget line to another of the same project, with the reason."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    from_line_id: int = Field(foreign_key="budgetline.id")
    to_line_id: int = Field(foreign_key="budgetline.id")
    amount_fen: int
    reason: str = Field(max_length=500)
    made_by: int = Field(foreign_key="user.id")
    made_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class Evaluation(SQLModel, table=True):
    """The third-party evaluation (评估) that gates the last tranche."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", unique=True)
    evaluator_id: int = Field(foreign_key="user.id")
    score: int
    passed: bool
    report: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class ProposalComment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(max_length=1000)
    hidden: bool = False
    moderation: str | None = Field(default=None, max_length=16)  # kept | removed
    moderated_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class CommentReport(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(foreign_key="proposalcomment.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    reason: str | None = Field(default=None, max_length=200)
