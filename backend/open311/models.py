"""Integrations (outside systems holding an Open311 API key), and the admin API's bodies.

A key is shown once, when issued; only its SHA-256 is stored. Keys carry 192 random bits, so an
unkeyed hash is as safe as a keyed one and survives a rotation of LINLI_SECRET_KEY.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody
from backend.db import UTCDateTime, utcnow


class Integration(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    key_hash: str = Field(max_length=64, unique=True)
    key_prefix: str = Field(max_length=12)
    # The account orders filed without a reporter's phone belong to, and the timeline's actor.
    system_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class IntegrationCommunity(SQLModel, table=True):
    """A community an integration may file orders in (its jurisdictions)."""

    __table_args__ = (UniqueConstraint("integration_id", "community_id"),)
    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = Field(foreign_key="integration.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)


# --- admin API bodies ----------------------------------------------------------------------


class IntegrationCreate(StrictBody):
    name: str = Field(min_length=1, max_length=64)
    community_ids: list[int] = Field(min_length=1, max_length=50)


class CommunityRef(SQLModel):
    id: int
    slug: str
    name: str


class IntegrationPublic(SQLModel):
    id: int
    name: str
    key_prefix: str
    communities: list[CommunityRef]
    created_at: datetime
    revoked_at: datetime | None


class IntegrationIssued(IntegrationPublic):
    """The answer to issuing a key: the only time the key itself is shown."""

    api_key: str


class IntegrationPage(SQLModel):
    items: list[IntegrationPublic]
    next_cursor: str | None
