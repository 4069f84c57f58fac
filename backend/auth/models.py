"""People, their roles per community, and the secrets they sign in with (all hashed at rest)."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.db import UTCDateTime, utcnow
from backend.validation import check_mainland_mobile

COMMUNITY_ROLES = ("resident", "volunteer", "party_member", "worker", "provider")
STREET_ROLES = ("admin", "reviewer")


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=11, unique=True)
    name: str = Field(max_length=64)
    password_hash: str | None = Field(default=None, max_length=255)
    birth_year: int | None = None
    home_building_id: int | None = Field(default=None, foreign_key="building.id")
    home_room: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Membership(SQLModel, table=True):
    """A role a person holds in one community (a party member also holds `volunteer`)."""

    __table_args__ = (UniqueConstraint("user_id", "community_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    role: str = Field(max_length=16)


class StreetRole(SQLModel, table=True):
    """`admin` and `reviewer` are held for a whole street, covering its communities."""

    __table_args__ = (UniqueConstraint("user_id", "street_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    street_id: int = Field(foreign_key="street.id", index=True)
    role: str = Field(max_length=16)


class OtpCode(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=11, index=True)
    code_hash: str = Field(max_length=64)
    attempts: int = 0
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class RefreshToken(SQLModel, table=True):
    """A rotating refresh token; every token descended from one sign-in shares a family."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    family_id: str = Field(max_length=32, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    spent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


# --- request and answer bodies -------------------------------------------------------------


class StrictBody(SQLModel):
    """Base of every request body: unknown fields are refused with a 422."""

    model_config = {"extra": "forbid"}  # type: ignore[assignment]


class OtpRequest(StrictBody):
    phone: str

    _phone = field_validator("phone")(check_mainland_mobile)


class TokenRequest(StrictBody):
    phone: str
    code: str | None = Field(default=None, min_length=6, max_length=6, regex=r"^[0-9]{6}$")
    password: str | None = Field(default=None, min_length=1, max_length=128)

    _phone = field_validator("phone")(check_mainland_mobile)


class RefreshRequest(StrictBody):
    refresh_token: str = Field(min_length=1, max_length=256)


class TokenPair(SQLModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 — the OAuth token type, not a secret
    expires_in: int


class OtpSent(SQLModel):
    expires_in: int


class MembershipPublic(SQLModel):
    community_id: int
    community_slug: str
    community_name: str
    roles: list[str]


class MePublic(SQLModel):
    id: int
    name: str
    phone: str
    memberships: list[MembershipPublic]
    provider_ids: list[int] = []
    home_building_id: int | None = None
    home_room: str | None = None
    # The home as a person reads it ("2号楼 301"): what the order form offers as the address.
    home_address: str | None = None
