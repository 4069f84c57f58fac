"""Tables of the order loop and the bodies its API reads and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, field_validator
from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody
from backend.db import UTCDateTime, utcnow
from backend.files.models import FilePublic
from backend.open311.models import Integration  # noqa: F401 — the table Order.integration_id names
from backend.validation import check_mainland_mobile

# The statuses still waiting on someone (dispatch, or the taker's work); the queue by deadline
# and the partial indexes below hold these only.
OPEN_STATUSES = ("submitted", "dispatched", "accepted", "in_progress")
OPEN_STATUSES_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_STATUSES))


def _at(nullable: bool = True) -> Column:  # every timestamp column is UTC and timezone-aware
    return Column(UTCDateTime, nullable=nullable)


class Order(SQLModel, table=True):
    __table_args__ = (
        Index("ix_order_community_status", "community_id", "status", "id"),
        Index("ix_order_pool", "community_id", "dispatch_mode", "status", "id"),
        Index("ix_order_resident", "resident_id", "id"),
        Index("ix_order_proxy", "proxy_id", "id"),
        Index("ix_order_assignee_user", "assignee_user_id", "id"),
        Index("ix_order_assignee_provider", "assignee_provider_id", "id"),
        # "My tasks" by deadline keeps open orders only: an organisation with 1.3M orders has a
        # few hundred open, found here without reading the rest (see that migration).
        Index(
            "ix_order_open_assignee_user",
            "assignee_user_id",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        Index(
            "ix_order_open_assignee_provider",
            "assignee_provider_id",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        # A period's orders: dashboards count what a community created or finished in a month
        # or quarter; scorecards rank every provider over a quarter's finished orders.
        Index("ix_order_community_created", "community_id", "created_at"),
        Index("ix_order_community_completed", "community_id", "completed_at"),
        Index("ix_order_completed", "completed_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=16, unique=True)
    community_id: int = Field(foreign_key="community.id")
    category_id: int = Field(foreign_key="category.id", index=True)
    status: str = Field(max_length=16)
    # 4,000 is what Open311 clients may send; the PWA's own form keeps to 2,000 (OrderCreate).
    description: str = Field(max_length=4000)
    address_text: str | None = Field(default=None, max_length=200)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    room: str | None = Field(default=None, max_length=32)
    preferred_start: datetime | None = Field(default=None, sa_column=_at())
    preferred_end: datetime | None = Field(default=None, sa_column=_at())
    urgency: str = Field(default="normal", max_length=8)
    resident_id: int = Field(foreign_key="user.id")
    proxy_id: int | None = Field(default=None, foreign_key="user.id")
    dispatch_mode: str | None = Field(default=None, max_length=8)
    assignee_user_id: int | None = Field(default=None, foreign_key="user.id")
    assignee_provider_id: int | None = Field(default=None, foreign_key="provider.id")
    hours: float | None = None
    completion_note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))
    respond_by: datetime = Field(sa_column=_at(False))
    complete_by: datetime = Field(sa_column=_at(False))
    dispatched_at: datetime | None = Field(default=None, sa_column=_at())
    accepted_at: datetime | None = Field(default=None, sa_column=_at())
    started_at: datetime | None = Field(default=None, sa_column=_at())
    completed_at: datetime | None = Field(default=None, sa_column=_at())
    closed_at: datetime | None = Field(default=None, sa_column=_at())
    # Filed by an outside system (Open311): which integration, where, a photo link, and the
    # token a 311 client may look the request up by.
    integration_id: int | None = Field(default=None, foreign_key="integration.id", index=True)
    latitude: float | None = None
    longitude: float | None = None
    media_url: str | None = Field(default=None, max_length=500)
    public_token: str | None = Field(default=None, max_length=32, unique=True)


class OrderEvent(SQLModel, table=True):
    """One transition of one order: the timeline the resident sees and the audit trail."""

    # Scorecards ask, per finished order, whether it drew a complaint or a reopening: a few
    # rows among the timeline's tens of millions, so an index of just those rows.
    __table_args__ = (
        Index(
            "ix_orderevent_complaint",
            "order_id",
            postgresql_where=text("action IN ('complaint', 'reopen')"),
            sqlite_where=text("action IN ('complaint', 'reopen')"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_at(False))
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=16)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=1000)


class Rating(SQLModel, table=True):
    # Scorecards average the stars of a quarter's finished orders: read from the index alone
    # instead of joining the whole rating table.
    __table_args__ = (Index("ix_rating_order_stars", "order_id", "stars"),)
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="order.id", unique=True)
    rater_id: int = Field(foreign_key="user.id")
    stars: int
    timeliness: int
    attitude: int
    quality: int
    comment: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to an `Idempotency-Key`, replayed to any retry of the same request."""

    __table_args__ = (UniqueConstraint("user_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    key: str = Field(max_length=128)
    request_hash: str = Field(max_length=64)
    status_code: int
    body: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at(False))


class OrderNumberCounter(SQLModel, table=True):
    """Per-day sequence behind human-readable order numbers such as 20261122-0007."""

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


# --- request bodies ------------------------------------------------------------------------


class Beneficiary(StrictBody):
    name: str = Field(min_length=1, max_length=64)
    phone: str
    age: int | None = Field(default=None, ge=0, le=130)

    _phone = field_validator("phone")(check_mainland_mobile)


class OrderCreate(StrictBody):
    community_id: int
    category_id: int
    description: str = Field(min_length=1, max_length=2000)
    address_text: str | None = Field(default=None, max_length=200)
    building_id: int | None = None
    room: str | None = Field(default=None, max_length=32)
    preferred_start: AwareDatetime | None = None
    preferred_end: AwareDatetime | None = None
    urgency: Literal["normal", "urgent"] = "normal"
    beneficiary: Beneficiary | None = None
    photo_ids: list[int] = Field(default_factory=list, max_length=9)


class DispatchBody(StrictBody):
    mode: Literal["assign", "pool"]
    assignee_user_id: int | None = None
    provider_id: int | None = None
    note: str | None = Field(default=None, max_length=500)


class EmptyBody(StrictBody):
    pass


class ReasonBody(StrictBody):
    reason: str = Field(min_length=1, max_length=500)


class CompleteBody(StrictBody):
    note: str = Field(min_length=1, max_length=1000)
    hours: float = Field(gt=0, le=24)
    photo_ids: list[int] = Field(default_factory=list, max_length=9)


class RateBody(StrictBody):
    stars: int = Field(ge=1, le=5)
    timeliness: int = Field(ge=1, le=5)
    attitude: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)


# --- answers -------------------------------------------------------------------------------


class CategoryRef(SQLModel):
    id: int
    code: str
    name: str


class PersonRef(SQLModel):
    id: int
    name: str


class PlaceRef(SQLModel):
    id: int
    name: str


class AssigneePublic(SQLModel):
    kind: Literal["user", "provider"]
    id: int
    name: str


class Contact(SQLModel):
    """Only for those who must reach the resident: workers, the owner, the taker (for a while)."""

    name: str
    phone: str
    room: str | None


class RatingPublic(SQLModel):
    stars: int
    timeliness: int
    attitude: int
    quality: int
    comment: str | None
    created_at: datetime


class Actor(SQLModel):
    id: int | None
    name: str
    role: str


class TimelineEntry(SQLModel):
    at: datetime
    action: str
    actor: Actor
    from_status: str | None
    to_status: str
    note: str | None


class OrderPublic(SQLModel):
    id: int
    number: str
    community_id: int
    category: CategoryRef
    status: str
    description: str
    address_text: str | None
    building: PlaceRef | None
    urgency: str
    created_at: datetime
    updated_at: datetime
    respond_by: datetime
    complete_by: datetime
    preferred_start: datetime | None
    preferred_end: datetime | None
    resident: PersonRef
    proxy: PersonRef | None
    assignee: AssigneePublic | None
    dispatch_mode: str | None
    hours: float | None
    completion_note: str | None
    completed_at: datetime | None
    rating: RatingPublic | None
    contact: Contact | None
    allowed_actions: list[str]


class OrderDetail(OrderPublic):
    timeline: list[TimelineEntry]
    photos: list[FilePublic] = []  # the resident's and the taker's, oldest first


class OrderPage(SQLModel):
    items: list[OrderPublic]
    next_cursor: str | None
