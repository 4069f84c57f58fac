"""Tables of hours and points. The ledger is double-entry: every transaction's postings sum to
zero, a balance is the sum of an account's postings, and no posting is ever edited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime, utcnow

DEFAULT_POINTS_PER_HOUR = 10


def _at(nullable: bool = False) -> Column:
    return Column(UTCDateTime, nullable=nullable)


class HoursEntry(SQLModel, table=True):
    """Confirmed service hours of one order (one per order), in whole minutes."""

    __tablename__ = "hours_entry"
    __table_args__ = (Index("ix_hours_user_day", "user_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", unique=True)
    user_id: int = Field(foreign_key="user.id")
    community_id: int = Field(foreign_key="community.id", index=True)
    reported_minutes: int
    credited_minutes: int
    points: int = 0  # what the credited minutes earned, at the rate of the day
    day: str = Field(max_length=10)  # completion day in Asia/Shanghai
    month: str = Field(max_length=7)
    source: str = Field(max_length=8)  # "rating" or "worker"
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=_at())


class PointsRule(SQLModel, table=True):
    __tablename__ = "points_rule"
    community_id: int = Field(foreign_key="community.id", primary_key=True)
    points_per_hour: int = DEFAULT_POINTS_PER_HOUR


class PointsAccount(SQLModel, table=True):
    """`owner` is `user:<id>` for a volunteer, or a community's own account:
    `issued` (where earned points come from), `redeemed` (where spent points go),
    `adjustments` (the other side of corrections)."""

    __tablename__ = "points_account"
    __table_args__ = (UniqueConstraint("community_id", "owner"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    owner: str = Field(max_length=24)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)


class PointsTransaction(SQLModel, table=True):
    __tablename__ = "points_transaction"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: str = Field(max_length=8)  # earn, redeem, correct
    memo: str = Field(max_length=500)
    month: str = Field(max_length=7)
    order_id: int | None = Field(default=None, foreign_key="order.id")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at())


class PointsPosting(SQLModel, table=True):
    __tablename__ = "points_posting"
    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="points_transaction.id", index=True)
    account_id: int = Field(foreign_key="points_account.id", index=True)
    amount: int


class Reward(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=64)
    description: str = Field(default="", max_length=500)
    cost: int
    stock: int
    active: bool = True


class Redemption(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    reward_id: int = Field(foreign_key="reward.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    quantity: int
    points: int
    transaction_id: int = Field(foreign_key="points_transaction.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at())


class VolunteerPreference(SQLModel, table=True):
    __tablename__ = "volunteer_preference"
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    leaderboard_opt_out: bool = False


class PartyRegistration(SQLModel, table=True):
    """在职党员报到: declared by the member, verified or rejected by the community."""

    __tablename__ = "party_registration"
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    community_id: int = Field(foreign_key="community.id", index=True)
    branch: str = Field(max_length=128)
    work_unit: str = Field(max_length=128)
    status: str = Field(max_length=10)  # pending, verified, rejected
    reason: str | None = Field(default=None, max_length=500)
    declared_at: datetime = Field(default_factory=utcnow, sa_column=_at())
    decided_at: datetime | None = Field(default=None, sa_column=_at(True))
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    last_checkin_at: datetime | None = Field(default=None, sa_column=_at(True))
    next_checkin_due: datetime | None = Field(default=None, sa_column=_at(True))


class PartyCheckin(SQLModel, table=True):
    __tablename__ = "party_checkin"
    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="party_registration.id", index=True)
    note: str = Field(max_length=1000)
    at: datetime = Field(default_factory=utcnow, sa_column=_at())
