"""The claim tables behind exactly-once periodic work.

`JobRun` records that a calendar occasion of a job (e.g. quarter `2026Q3` of the scorecard
freeze) was done. `OrderEscalation` records that one deadline of one order was escalated; the
deadline is part of the key, so a reopened order with a new deadline can be escalated again.
Both rows are inserted in the same transaction as the work itself, under a unique key: the
process whose insert lands does the work, every other process finds the key taken and does
nothing. A crash before the commit leaves no row, so the occasion is retried.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime, utcnow


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "occasion"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    occasion: str = Field(max_length=64)
    done_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    result: str | None = Field(default=None, max_length=500)


class OrderEscalation(SQLModel, table=True):
    __tablename__ = "order_escalation"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", "deadline"),
        Index("ix_order_escalation_at", "escalated_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id")
    kind: str = Field(max_length=16)  # "respond" or "complete"
    deadline: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    escalated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    notified: int = 0  # how many workers were told
