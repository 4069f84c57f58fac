"""Issuing, listing, revoking and recognising integration API keys (admins; the `linli` CLI).

Each integration gets a system account named after it: orders filed through the key without a
reporter's phone belong to that account, and the timeline shows it as the actor with the role
`integration`. The account has no password and a number no carrier issues (0311…), so nobody
can sign in as it.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import Caller
from backend.auth.models import User
from backend.db import utcnow
from backend.errors import Forbidden, Invalid, NotFound
from backend.open311.models import (
    CommunityRef,
    Integration,
    IntegrationCommunity,
    IntegrationCreate,
    IntegrationIssued,
    IntegrationPage,
    IntegrationPublic,
)
from backend.pagination import decode_cursor, encode_cursor
from backend.places.models import Community

KEY_PREFIX = "l311_"


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


async def _communities(session: AsyncSession, integration_id: int) -> list[Community]:
    rows = await session.scalars(
        select(Community)
        .join(IntegrationCommunity, IntegrationCommunity.community_id == Community.id)
        .where(IntegrationCommunity.integration_id == integration_id)
        .order_by(Community.id)
    )
    return list(rows)


async def _public(session: AsyncSession, integration: Integration) -> IntegrationPublic:
    return _present(integration, await _communities(session, integration.id))  # type: ignore[arg-type]


def _present(integration: Integration, communities: list[Community]) -> IntegrationPublic:
    return IntegrationPublic(
        id=integration.id,  # type: ignore[arg-type]
        name=integration.name,
        key_prefix=integration.key_prefix,
        communities=[CommunityRef(id=c.id, slug=c.slug, name=c.name) for c in communities],  # type: ignore[arg-type]
        created_at=integration.created_at,
        revoked_at=integration.revoked_at,
    )


async def issue_key(
    session: AsyncSession, *, name: str, community_ids: list[int], actor: Caller | None
) -> IntegrationIssued:
    """A new integration for these communities; the answer carries the key, shown only now.
    `actor` is the admin who issues it (None: the operator, through the CLI)."""
    wanted = sorted(set(community_ids))
    found = set(await session.scalars(select(Community.id).where(Community.id.in_(wanted))))
    missing = [cid for cid in wanted if cid not in found]
    if missing:
        raise Invalid("community_ids", f"no such community: {missing[0]}")
    api_key = KEY_PREFIX + secrets.token_urlsafe(24)
    integration = Integration(
        name=name,
        key_hash=hash_key(api_key),
        key_prefix=api_key[: len(KEY_PREFIX) + 4],
        created_by=actor.id if actor else None,
        created_at=utcnow(),
    )
    session.add(integration)
    await session.flush()
    account = User(phone=f"0311{integration.id:07d}", name=name)
    session.add(account)
    await session.flush()
    integration.system_user_id = account.id
    session.add_all(
        IntegrationCommunity(integration_id=integration.id, community_id=cid)  # type: ignore[arg-type]
        for cid in wanted
    )
    await session.flush()
    public = await _public(session, integration)
    await audit.record(
        session,
        actor=actor,
        action="integration.create",
        target=("integration", integration.id),
        community_id=_one_or_none(wanted),
        after={"community_ids": wanted, "key_prefix": integration.key_prefix},
    )
    await session.commit()
    return IntegrationIssued(**public.model_dump(), api_key=api_key)


def _one_or_none(community_ids: list[int]) -> int | None:
    """The audit entry's community: the key's one community; a key of several is street-wide."""
    return community_ids[0] if len(community_ids) == 1 else None


def _check_scope(caller: Caller | None, community_ids: list[int]) -> None:
    """An admin issues keys only for communities of their own street (None: the CLI, unlimited)."""
    if caller is None:
        return
    mine = set(caller.communities_with("admin"))
    outside = [cid for cid in sorted(set(community_ids)) if cid not in mine]
    if outside:
        raise Invalid("community_ids", f"no such community among yours: {outside[0]}")


async def issue_for_admin(
    session: AsyncSession, *, caller: Caller, body: IntegrationCreate
) -> IntegrationIssued:
    _check_scope(caller, body.community_ids)
    return await issue_key(session, name=body.name, community_ids=body.community_ids, actor=caller)


def _visible(caller: Caller | None):  # type: ignore[no-untyped-def]
    query = select(Integration)
    if caller is not None:
        query = query.where(
            Integration.id.in_(
                select(IntegrationCommunity.integration_id).where(
                    IntegrationCommunity.community_id.in_(caller.communities_with("admin"))
                )
            )
        )
    return query


async def list_integrations(
    session: AsyncSession, *, caller: Caller | None, cursor: str | None = None, limit: int = 20
) -> IntegrationPage:
    """Integrations touching the caller's communities, newest first (the CLI sees all)."""
    query = _visible(caller)
    if cursor is not None:
        query = query.where(Integration.id < decode_cursor(cursor))
    rows = list(await session.scalars(query.order_by(Integration.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    # One query for every row's communities, not one per row.
    links = await session.execute(
        select(IntegrationCommunity.integration_id, Community)
        .join(Community, Community.id == IntegrationCommunity.community_id)
        .where(IntegrationCommunity.integration_id.in_([r.id for r in page]))
        .order_by(Community.id)
    )
    by_integration: dict[int, list[Community]] = {}
    for integration_id, community in links:
        by_integration.setdefault(integration_id, []).append(community)
    items = [_present(row, by_integration.get(row.id, [])) for row in page]  # type: ignore[arg-type]
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None  # type: ignore[arg-type]
    return IntegrationPage(items=items, next_cursor=next_cursor)


async def revoke(
    session: AsyncSession, *, caller: Caller | None, integration_id: int
) -> IntegrationPublic:
    """Revoke a key for good. An admin must cover every community the key serves."""
    integration = await session.scalar(_visible(caller).where(Integration.id == integration_id))
    if integration is None:
        raise NotFound("integration.not_found", "no such integration among yours")
    communities = [c.id for c in await _communities(session, integration_id)]
    if caller is not None and not set(communities) <= set(caller.communities_with("admin")):
        raise Forbidden("integration.outside_scope", "this key also serves other streets")
    await session.execute(
        update(Integration)
        .where(Integration.id == integration_id, Integration.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await audit.record(
        session,
        actor=caller,
        action="integration.revoke",
        target=("integration", integration_id),
        community_id=_one_or_none(communities),
        before={"revoked": integration.revoked_at is not None},
        after={"revoked": True},
    )
    await session.commit()
    session.expunge_all()
    refreshed = await session.get(Integration, integration_id)
    assert refreshed is not None
    return await _public(session, refreshed)


async def authenticate(session: AsyncSession, api_key: str) -> tuple[Integration, list[int]] | None:
    """The live integration holding this key and its community ids, or None."""
    integration = await session.scalar(
        select(Integration).where(
            Integration.key_hash == hash_key(api_key), Integration.revoked_at.is_(None)
        )
    )
    if integration is None:
        return None
    return integration, [c.id for c in await _communities(session, integration.id)]  # type: ignore[misc]
