"""Reading a community's grids (网格) and their buildings (楼栋), for filters and forms."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.errors import NotFound
from backend.places.models import Building, BuildingPublic, Grid, GridPublic


async def list_grids(
    session: AsyncSession, *, caller: Caller, community_id: int
) -> list[GridPublic]:
    """The community's grids in creation order, each with its buildings (members only: anyone
    else is told there is no such community)."""
    if not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    grids = (
        await session.scalars(
            select(Grid).where(Grid.community_id == community_id).order_by(Grid.id)
        )
    ).all()
    buildings = (
        await session.scalars(
            select(Building).where(Building.community_id == community_id).order_by(Building.id)
        )
    ).all()
    by_grid: dict[int, list[BuildingPublic]] = {g.id: [] for g in grids if g.id is not None}
    for b in buildings:
        if b.grid_id in by_grid and b.id is not None:
            by_grid[b.grid_id].append(BuildingPublic(id=b.id, name=b.name))
    return [
        GridPublic(id=g.id, name=g.name, buildings=by_grid[g.id]) for g in grids if g.id is not None
    ]
