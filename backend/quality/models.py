"""Tables and bodies of callbacks (回访): one list per community and month, one row per call."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody
from backend.db import UTCDateTime, utcnow

OUTCOMES = ("reached", "not_reached", "refused")


class CallbackList(SQLModel, table=True):
    __tablename__ = "callback_list"
    __table_args__ = (UniqueConstraint("community_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    month: str = Field(max_length=7)
    size_requested: int
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Callback(SQLModel, table=True):
    """One order to phone about. `order_id` is unique: no order is ever called about twice."""

    __table_args__ = (Index("ix_callback_list", "list_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="callback_list.id")
    community_id: int = Field(foreign_key="community.id", index=True)
    month: str = Field(max_length=7)
    order_id: int = Field(foreign_key="order.id", unique=True)
    position: int
    stratum: str = Field(max_length=24)
    elder: bool = False
    outcome: str | None = Field(default=None, max_length=16)
    attempts: int = 0
    on_time: bool | None = None
    satisfaction: int | None = None
    complaint: bool = False
    notes: str | None = Field(default=None, max_length=1000)
    called_by: int | None = Field(default=None, foreign_key="user.id")
    called_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class CallbackListCreate(StrictBody):
    month: str | None = Field(default=None, description="YYYY-MM; default: the previous month")
    size: int = Field(default=250, ge=1, le=2000)


class CallbackRecord(StrictBody):
    outcome: Literal["reached", "not_reached", "refused"]
    on_time: bool | None = None
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    notes: str | None = Field(default=None, max_length=1000)
    complaint: bool = False
    reopen: bool = Field(default=False, description="a complaint sends the order back to work")


class CallPerson(SQLModel):
    id: int
    name: str
    phone: str
    age: int | None


class CallOrder(SQLModel):
    id: int
    number: str
    status: str
    category: str
    taker: str | None
    completed_at: datetime | None


class CallbackPublic(SQLModel):
    id: int
    month: str
    position: int
    stratum: str
    elder: bool
    order: CallOrder
    resident: CallPerson
    outcome: str | None
    attempts: int
    on_time: bool | None
    satisfaction: int | None
    complaint: bool
    notes: str | None
    called_at: datetime | None


class CallbackListPublic(SQLModel):
    community_id: int
    month: str
    size_requested: int
    created_at: datetime
    items: list[CallbackPublic]


class CallbackRate(SQLModel):
    month: str
    total: int
    reached: int
    not_reached: int
    refused: int
    pending: int
    completion_rate: float | None  # (reached + refused) / total: calls that got an answer
    reach_rate: float | None
