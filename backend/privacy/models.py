"""The record of privacy requests, and the bodies of the privacy routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody
from backend.db import UTCDateTime, utcnow


class PrivacyRequest(SQLModel, table=True):
    __tablename__ = "privacy_request"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=16)  # export | delete
    phone_masked: str = Field(max_length=11)
    community_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class DeleteAccountBody(StrictBody):
    confirm: Literal[True]  # an explicit yes: deleting cannot be undone


class AccountDeleted(SQLModel):
    deleted: bool
    orders_kept: int


class DataExport(SQLModel):
    exported_at: datetime
    profile: dict[str, Any]
    memberships: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    ratings_given: list[dict[str, Any]]
    files: list[dict[str, Any]]
    notifications: list[dict[str, Any]]
    actions: list[dict[str, Any]]


class PrivacyRequestPublic(SQLModel):
    id: int
    kind: str
    user_id: int
    phone_masked: str
    community_ids: list[int]
    at: datetime


class PrivacyRequestPage(SQLModel):
    items: list[PrivacyRequestPublic]
    next_cursor: str | None
