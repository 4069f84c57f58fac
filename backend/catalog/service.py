"""Queries over the catalogue and provider organisations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import Membership, User
from backend.catalog.defaults import DEFAULT_CATEGORIES
from backend.catalog.models import (
    TAKER_KINDS,
    Category,
    CategoryPublic,
    Provider,
    ProviderCommunity,
    TakerPage,
    TakerPublic,
)
from backend.errors import Forbidden, Invalid, NotFound
from backend.pagination import decode_key, encode_key


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


async def list_takers(
    session: AsyncSession,
    *,
    caller: Caller,
    community_id: int,
    category_id: int | None,
    cursor: str | None,
    limit: int,
) -> TakerPage:
    """Who a worker may dispatch to: serving organisations first, then volunteers by id.

    At most three queries whatever the page size (category, organisations, people)."""
    roles = caller.roles_in(community_id)
    if not roles:
        raise NotFound("community.not_found", "no such community among yours")
    if not roles & {"worker", "admin"}:
        raise Forbidden("auth.role_required", "only community workers dispatch")
    kinds = list(TAKER_KINDS)
    if category_id is not None:
        category = await session.get(Category, category_id)
        if category is None or category.community_id != community_id:
            raise Invalid("category_id", "no such service in this community's catalogue")
        kinds = category.taker_kinds
    after_kind, after_id = _decode_taker_cursor(cursor)
    items: list[TakerPublic] = []
    if "provider" in kinds and after_kind == "provider":
        providers = await session.execute(
            select(Provider.id, Provider.name)
            .join(ProviderCommunity, ProviderCommunity.provider_id == Provider.id)
            .where(ProviderCommunity.community_id == community_id, Provider.id > after_id)
            .order_by(Provider.id)
            .limit(limit + 1)
        )
        items += [TakerPublic(kind="provider", id=pid, name=name) for pid, name in providers]
        after_id = 0
    person_roles = ["volunteer", "party_member"] if "volunteer" in kinds else ["party_member"]
    if len(items) <= limit and {"volunteer", "party_member"} & set(kinds):
        rows = await session.execute(
            select(User.id, User.name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.community_id == community_id,
                Membership.role.in_(person_roles),
                User.id > after_id,
            )
            .order_by(User.id)
            .limit((limit + 1) * len(person_roles))  # at most one row per role a person holds
        )
        people: dict[int, TakerPublic] = {}
        for uid, name, role in rows:
            if uid not in people:
                if len(items) + len(people) > limit:
                    break
                people[uid] = TakerPublic(kind="user", id=uid, name=name, roles=[])
            people[uid].roles.append(role)
        items += people.values()
    page, more = items[:limit], len(items) > limit
    next_cursor = _encode_taker_cursor(page[-1]) if more and page else None
    return TakerPage(items=page, next_cursor=next_cursor)


def _encode_taker_cursor(last: TakerPublic) -> str:
    return encode_key(last.kind, last.id)


def _decode_taker_cursor(cursor: str | None) -> tuple[str, int]:
    if cursor is None:
        return "provider", 0
    kind, number = decode_key(cursor, 2)
    if kind not in ("provider", "user") or not number.isdigit():
        raise Invalid("cursor", "not a cursor this API handed out")
    return kind, int(number)
