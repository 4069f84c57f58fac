"""The administrative places an order or a person belongs to: 区 → 街道 → 社区 → 网格 → 楼栋."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class District(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)


class Street(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(foreign_key="district.id", index=True)
    name: str = Field(max_length=64)


class Community(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    street_id: int = Field(foreign_key="street.id", index=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=64)


class Grid(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=64)


class Building(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    name: str = Field(max_length=64)


class BuildingPublic(SQLModel):
    id: int
    name: str


class GridPublic(SQLModel):
    """A grid with its buildings, as the dispatch board's filter and the order form show them."""

    id: int
    name: str
    buildings: list[BuildingPublic]
