"""The in-app inbox: one row per thing a person was told, and the bodies its routes answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody
from backend.db import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One notice for one person. `kind` is a stable code the PWA translates (e.g.
    `order.accepted`); `payload` holds the few values the text needs, never prose."""

    __table_args__ = (
        Index("ix_notification_user", "user_id", "id"),
        Index("ix_notification_unread", "user_id", "read_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=48)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    order_id: int | None = Field(default=None, foreign_key="order.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class NotificationPublic(SQLModel):
    id: int
    kind: str
    payload: dict
    order_id: int | None
    created_at: datetime
    read_at: datetime | None


class InboxPage(SQLModel):
    items: list[NotificationPublic]
    next_cursor: str | None


class UnreadCount(SQLModel):
    unread: int


class MarkedRead(SQLModel):
    marked: int


class LiveEvent(SQLModel, table=True):
    """A domain event as streamed to clients, kept for a bounded window so that a client that
    reconnects with `Last-Event-ID` gets what it missed. Written in the transaction of the change
    it reports, published only after that transaction commits.

    The audience says who may see it: the named people, holders of `roles` in the community,
    volunteers who may take `taker_kinds` there (the order hall), and staff of `provider_ids`.
    """

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )
    kind: str = Field(max_length=48)
    community_id: int | None = None
    order_id: int | None = None
    user_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    taker_kinds: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    provider_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- web push and preferences --------------------------------------------------------------


class VapidKey(SQLModel, table=True):
    """The server's Web Push (VAPID) key pair: made on first start, kept, shared by replicas."""

    id: int = Field(default=1, primary_key=True)
    private_pem: str = Field(max_length=512)
    public_key: str = Field(max_length=128)  # uncompressed P-256 point, base64url
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class PushSubscription(SQLModel, table=True):
    """One browser or device of one person that accepts push messages."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    endpoint: str = Field(max_length=1024, unique=True)
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class NotificationPreference(SQLModel, table=True):
    """How a person wants to be told, beyond the inbox (which always gets everything).

    `sms` None means automatic: texts only for people with no push-capable device who were
    ordered for by a worker (elders without a smartphone). Quiet hours (Asia/Shanghai, "HH:MM")
    hold back push and SMS for notices that are not urgent; the inbox still gets them.
    """

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    push: bool = True
    sms: bool | None = None
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)


class PushKeys(StrictBody):
    p256dh: str = Field(min_length=16, max_length=128)
    auth: str = Field(min_length=8, max_length=64)


class PushSubscriptionCreate(StrictBody):
    """What the browser's `PushSubscription.toJSON()` gives (its expirationTime is ignored)."""

    endpoint: str = Field(min_length=8, max_length=1024)
    keys: PushKeys
    expirationTime: int | None = None


class PushSubscriptionPublic(SQLModel):
    id: int
    endpoint: str
    created_at: datetime


class VapidPublic(SQLModel):
    public_key: str


HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PreferencesBody(StrictBody):
    push: bool = True
    sms: bool | None = None
    quiet_start: str | None = Field(default=None, regex=HHMM)
    quiet_end: str | None = Field(default=None, regex=HHMM)


class PreferencesPublic(SQLModel):
    push: bool
    sms: bool | None
    quiet_start: str | None
    quiet_end: str | None
