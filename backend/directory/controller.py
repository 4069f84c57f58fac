"""Routes of the provider directory and volunteer teams."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.directory import service
from backend.directory.models import (
    ProviderCreate,
    ProviderPublic,
    StaffAdd,
    TeamCreate,
    TeamPublic,
)

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]


class DirectoryController(Controller):
    path = "/api/v1"
    tags = ["directory"]

    @get("/providers", operation_id="listProviders")
    async def providers(
        self, caller: Who, db: Db, community_id: FromQuery[int | None] = None
    ) -> list[ProviderPublic]:
        """The directory of social organisations: code, grade, categories, contact; staff
        accounts for workers and admins."""
        return await service.list_providers(db, caller=caller, community_id=community_id)

    @post("/providers", status_code=HTTP_201_CREATED, operation_id="createProvider")
    async def create_provider(
        self, data: JSONBody[ProviderCreate], caller: Who, db: Db
    ) -> ProviderPublic:
        """Admin: add an organisation (its 统一社会信用代码 must pass the checksum)."""
        return await service.create_provider(db, caller=caller, body=data)

    @post(
        "/providers/{provider_id:int}/staff",
        status_code=HTTP_200_OK,
        operation_id="addProviderStaff",
    )
    async def add_staff(
        self, provider_id: FromPath[int], data: JSONBody[StaffAdd], caller: Who, db: Db
    ) -> ProviderPublic:
        """Admin: give a person a staff account of the organisation."""
        return await service.add_staff(db, caller=caller, provider_id=provider_id, body=data)

    @get("/communities/{community_id:int}/teams", operation_id="listVolunteerTeams")
    async def teams(self, community_id: FromPath[int], caller: Who, db: Db) -> list[TeamPublic]:
        """The community's volunteer teams and their members."""
        return await service.list_teams(db, caller=caller, community_id=community_id)

    @post(
        "/communities/{community_id:int}/teams",
        status_code=HTTP_201_CREATED,
        operation_id="createVolunteerTeam",
    )
    async def create_team(
        self, community_id: FromPath[int], data: JSONBody[TeamCreate], caller: Who, db: Db
    ) -> TeamPublic:
        """Worker: a volunteer team of the community's volunteers."""
        return await service.create_team(db, caller=caller, community_id=community_id, body=data)
