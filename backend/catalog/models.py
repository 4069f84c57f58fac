"""Service categories per community, and provider organisations (社会组织) with their staff."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

# Who may take an order of a category: volunteers (and party members, who are volunteers too),
# party members only, or professional provider organisations.
TAKER_KINDS = ("volunteer", "party_member", "provider")


class Category(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("community_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=64)
    description: str = Field(default="", max_length=500)
    icon: str = Field(max_length=32)
    respond_minutes: int
    complete_minutes: int
    taker_kinds: list[str] = Field(sa_column=Column(JSON, nullable=False))
    sort_order: int = 0
    active: bool = True


class Provider(SQLModel, table=True):
    """A social organisation (社会组织) of the directory: code, grade 1A–5A, what it serves."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    uscc: str | None = Field(default=None, max_length=18, unique=True)
    grade: str | None = Field(default=None, max_length=2)
    categories: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=True))
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = Field(default=None, max_length=11)


class ProviderCommunity(SQLModel, table=True):
    """A provider serves a community; only then may its orders be dispatched to the provider."""

    __table_args__ = (UniqueConstraint("provider_id", "community_id"),)
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)


class ProviderStaff(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("provider_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class CategoryPublic(SQLModel):
    id: int
    code: str
    name: str
    description: str
    icon: str
    respond_minutes: int
    complete_minutes: int
    taker_kinds: list[str]


class TakerPublic(SQLModel):
    """Someone a worker may dispatch to: a volunteer/party member, or a serving organisation."""

    kind: Literal["user", "provider"]
    id: int
    name: str
    roles: list[str] = []


class TakerPage(SQLModel):
    items: list[TakerPublic]
    next_cursor: str | None
