"""Route of the audit trail: a community's entries, for its workers and the street's admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service
from backend.audit.models import AuditPage
from backend.auth.caller import Caller


class AuditController(Controller):
    path = "/api/v1/communities"
    tags = ["audit"]

    @get("/{community_id:int}/audit", operation_id="listAuditEntries")
    async def entries(
        self,
        community_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> AuditPage:
        """Who did what in this community, when, from where, before → after; newest first."""
        return await service.list_entries(
            db, caller=caller, community_id=community_id, cursor=cursor, limit=limit
        )
