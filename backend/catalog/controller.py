"""Routes of the service catalogue."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.catalog import service
from backend.catalog.models import CategoryPublic, TakerPage


class CatalogController(Controller):
    path = "/api/v1/communities"
    tags = ["catalog"]

    @get("/{community_id:int}/categories", operation_id="listCategories")
    async def categories(
        self,
        community_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> list[CategoryPublic]:
        """The community's service catalogue, in display order (members of the community only)."""
        return await service.list_categories(db, caller=caller, community_id=community_id)

    @get("/{community_id:int}/takers", operation_id="listTakers")
    async def takers(
        self,
        community_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        category_id: FromQuery[int | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> TakerPage:
        """Workers: whom an order may be dispatched to — organisations serving the community,
        then its volunteers and party members; with `category_id`, only those who may take it."""
        return await service.list_takers(
            db,
            caller=caller,
            community_id=community_id,
            category_id=category_id,
            cursor=cursor,
            limit=limit,
        )
