"""The audit table and its answers. Rows are only ever inserted; `hash` chains each to the last."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    actor_id: int | None = Field(default=None, index=True)
    actor_role: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=64)
    target_type: str = Field(max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    community_id: int | None = Field(default=None, index=True)
    before: dict | None = Field(default=None, sa_column=Column(JSON))
    after: dict | None = Field(default=None, sa_column=Column(JSON))
    ip: str | None = Field(default=None, max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditActor(SQLModel):
    id: int | None
    name: str
    role: str | None


class AuditEntryPublic(SQLModel):
    seq: int
    at: datetime
    actor: AuditActor
    action: str
    target_type: str
    target_id: str | None
    community_id: int | None
    before: dict | None
    after: dict | None
    ip: str | None


class AuditPage(SQLModel):
    items: list[AuditEntryPublic]
    next_cursor: str | None


class VerifyResult(SQLModel):
    ok: bool
    entries: int
    head: str
    problems: list[str]
