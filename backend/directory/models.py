"""Volunteer teams, and the bodies of the provider and team directory.

Provider organisations themselves are `catalog.models.Provider` (with grade, categories and
contact); staff accounts are `ProviderStaff`, the communities served `ProviderCommunity`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.auth.models import StrictBody
from backend.validation import check_mainland_mobile, is_valid_uscc

Grade = Literal["1A", "2A", "3A", "4A", "5A"]


class VolunteerTeam(SQLModel, table=True):
    __tablename__ = "volunteer_team"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=64)


class VolunteerTeamMember(SQLModel, table=True):
    __tablename__ = "volunteer_team_member"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="volunteer_team.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


def _uscc(value: str) -> str:
    value = value.strip().upper()
    if not is_valid_uscc(value):
        raise ValueError("not a valid 统一社会信用代码 (18 characters with a correct checksum)")
    return value


class ProviderCreate(StrictBody):
    name: str = Field(min_length=2, max_length=128)
    uscc: str
    grade: Grade | None = None
    categories: list[str] = Field(default_factory=list, max_length=50)
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = None
    community_ids: list[int] = Field(default_factory=list, max_length=200)

    _uscc = field_validator("uscc")(_uscc)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else check_mainland_mobile(value)


class StaffAdd(StrictBody):
    user_id: int


class TeamCreate(StrictBody):
    name: str = Field(min_length=2, max_length=64)
    member_ids: list[int] = Field(default_factory=list, max_length=500)


class PersonBrief(SQLModel):
    id: int
    name: str


class ProviderPublic(SQLModel):
    id: int
    name: str
    uscc: str | None
    grade: str | None
    categories: list[str]
    contact_name: str | None
    contact_phone: str | None
    community_ids: list[int]
    staff: list[PersonBrief]


class TeamPublic(SQLModel):
    id: int
    community_id: int
    name: str
    members: list[PersonBrief]
