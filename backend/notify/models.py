"""The in-app inbox: one row per thing a person was told, and the bodies its routes answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

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
