"""Routes of the service catalogue."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.catalog import service
from backend.catalog.models import CategoryPublic


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
