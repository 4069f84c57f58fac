"""Frozen quarterly scorecards, and the bodies of the rankings API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime, utcnow


class Scorecard(SQLModel, table=True):
    """One subject's score for one past quarter, exactly as computed when the quarter closed."""

    __table_args__ = (UniqueConstraint("quarter", "kind", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(max_length=6)
    kind: str = Field(max_length=8)  # provider or team
    subject_id: int
    subject_name: str = Field(max_length=128)
    community_id: int | None = None  # a team's community
    sample: int
    score: float | None = None
    rank: int | None = None
    award: bool = False
    notice: bool = False
    inputs: dict = Field(sa_column=Column(JSON, nullable=False))
    weights: dict = Field(sa_column=Column(JSON, nullable=False))
    min_sample: int
    computed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ScoreInputs(SQLModel):
    completed: int
    rated: int
    avg_stars: float | None
    callbacks_reached: int
    avg_satisfaction: float | None
    on_time: int
    on_time_rate: float | None
    complaints: int


class RankingLine(SQLModel):
    subject_id: int
    name: str
    community_id: int | None
    sample: int
    score: float | None
    insufficient_sample: bool
    rank: int | None
    award: bool
    notice: bool
    inputs: ScoreInputs
    components: dict[str, float | None]


class Formula(SQLModel):
    weights: dict[str, int]
    min_sample: int
    text: str


class Ranking(SQLModel):
    quarter: str
    kind: str
    frozen: bool
    computed_at: datetime
    formula: Formula
    items: list[RankingLine]
