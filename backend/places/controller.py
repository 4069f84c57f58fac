"""Routes of places: a community's grids and buildings."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import PLAIN_READ
from backend.places import service
from backend.places.models import GridPublic


class PlacesController(Controller):
    path = "/api/v1/communities"
    tags = ["places"]

    @get("/{community_id:int}/grids", operation_id="listGrids", opt=PLAIN_READ)
    async def grids(
        self,
        community_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> list[GridPublic]:
        """The community's grids (网格), each with its buildings (楼栋); members only."""
        return await service.list_grids(db, caller=caller, community_id=community_id)
