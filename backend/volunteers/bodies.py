"""Request and answer bodies of the volunteers' API."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody


class PointsRuleBody(StrictBody):
    points_per_hour: int = Field(ge=0, le=1000)


class PointsRulePublic(SQLModel):
    community_id: int
    points_per_hour: int


class CorrectionBody(StrictBody):
    user_id: int
    points: int = Field(ge=-100000, le=100000)
    reason: str = Field(min_length=1, max_length=500)


class RewardCreate(StrictBody):
    name: str = Field(min_length=1, max_length=64)
    description: str = Field(default="", max_length=500)
    cost: int = Field(ge=1, le=1000000)
    stock: int = Field(ge=0, le=100000)


class RestockBody(StrictBody):
    add: int = Field(ge=1, le=100000)


class RedeemBody(StrictBody):
    quantity: int = Field(default=1, ge=1, le=100)


class RewardPublic(SQLModel):
    id: int
    community_id: int
    name: str
    description: str
    cost: int
    stock: int
    active: bool


class RedemptionPublic(SQLModel):
    id: int
    reward_id: int
    quantity: int
    points: int
    balance: int
    created_at: datetime


class Movement(SQLModel):
    at: datetime
    kind: str
    points: int
    memo: str
    order_id: int | None


class MonthLine(SQLModel):
    month: str
    hours: float
    earned: int
    redeemed: int
    corrected: int
    movements: list[Movement]


class Statement(SQLModel):
    community_id: int
    user_id: int
    balance: int
    hours_total: float
    months: list[MonthLine]


class BalancePublic(SQLModel):
    community_id: int
    user_id: int
    balance: int


class HoursPublic(SQLModel):
    order_id: int
    user_id: int
    reported_hours: float
    credited_hours: float
    points: int
    source: str
    confirmed_at: datetime


class LeaderboardLine(SQLModel):
    rank: int
    user_id: int
    name: str
    hours: float
    points_earned: int


class PreferencesBody(StrictBody):
    leaderboard_opt_out: bool


class PreferencesPublic(SQLModel):
    leaderboard_opt_out: bool


class PartyDeclare(StrictBody):
    branch: str = Field(min_length=2, max_length=128)
    work_unit: str = Field(min_length=2, max_length=128)


class PartyReject(StrictBody):
    reason: str = Field(min_length=1, max_length=500)


class PartyCheckinBody(StrictBody):
    note: str = Field(min_length=1, max_length=1000)


class PartyRegistrationPublic(SQLModel):
    id: int
    user_id: int
    name: str
    community_id: int
    branch: str
    work_unit: str
    status: str
    reason: str | None
    declared_at: datetime
    decided_at: datetime | None
    last_checkin_at: datetime | None
    next_checkin_due: datetime | None
    checkin_overdue: bool
