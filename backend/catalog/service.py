"""Queries over the catalogue and provider organisations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.catalog.defaults import DEFAULT_CATEGORIES
from backend.catalog.models import Category, CategoryPublic
from backend.errors import NotFound


async def list_categories(
    session: AsyncSession, *, caller: Caller, community_id: int
) -> list[CategoryPublic]:
    if not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    rows = await session.scalars(
        select(Category)
        .where(Category.community_id == community_id, Category.active.is_(True))
        .order_by(Category.sort_order, Category.id)
    )
    return [CategoryPublic.model_validate(c, from_attributes=True) for c in rows]


def default_categories_for(community_id: int) -> list[Category]:
    return [
        Category(
            community_id=community_id,
            code=code,
            name=name,
            icon=icon,
            respond_minutes=respond,
            complete_minutes=complete,
            taker_kinds=list(kinds),
            description=description,
            sort_order=position,
        )
        for position, (code, name, icon, respond, complete, kinds, description) in enumerate(
            DEFAULT_CATEGORIES
        )
    ]
