"""Listing and maintaining the provider directory (admins) and volunteer teams (workers)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.auth.models import Membership, User
from backend.catalog.models import Provider, ProviderCommunity, ProviderStaff
from backend.directory.models import (
    PersonBrief,
    ProviderCreate,
    ProviderPublic,
    StaffAdd,
    TeamCreate,
    TeamPublic,
    VolunteerTeam,
    VolunteerTeamMember,
)
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.jobs.claims import claim
from backend.places.models import Community
from backend.quality.access import require_worker


def _require_admin(caller: Caller) -> None:
    if not caller.has_any("admin"):
        raise Forbidden("auth.role_required", "needs the role: admin")


async def list_providers(
    session: AsyncSession, *, caller: Caller, community_id: int | None = None
) -> list[ProviderPublic]:
    query = select(Provider).order_by(Provider.id)
    if community_id is not None:
        query = query.join(ProviderCommunity, ProviderCommunity.provider_id == Provider.id).where(
            ProviderCommunity.community_id == community_id
        )
    providers = list(await session.scalars(query))
    ids = [p.id for p in providers]
    served: dict[int, list[int]] = defaultdict(list)
    for pid, cid in await session.execute(
        select(ProviderCommunity.provider_id, ProviderCommunity.community_id)
        .where(ProviderCommunity.provider_id.in_(ids))
        .order_by(ProviderCommunity.community_id)
    ):
        served[pid].append(cid)
    staff: dict[int, list[PersonBrief]] = defaultdict(list)
    sees_staff = caller.has_any("admin", "worker")
    if sees_staff:
        for pid, uid, name in await session.execute(
            select(ProviderStaff.provider_id, User.id, User.name)
            .join(User, User.id == ProviderStaff.user_id)
            .where(ProviderStaff.provider_id.in_(ids))
            .order_by(User.id)
        ):
            staff[pid].append(PersonBrief(id=uid, name=name))
    return [
        ProviderPublic(
            id=p.id,
            name=p.name,
            uscc=p.uscc,
            grade=p.grade,
            categories=list(p.categories or []),
            contact_name=p.contact_name,
            contact_phone=p.contact_phone,
            community_ids=served[p.id],
            staff=staff[p.id],
        )
        for p in providers
    ]


async def _one(session: AsyncSession, caller: Caller, provider_id: int) -> ProviderPublic:
    for found in await list_providers(session, caller=caller):
        if found.id == provider_id:
            return found
    raise NotFound("provider.not_found", "no such organisation")


async def create_provider(
    session: AsyncSession, *, caller: Caller, body: ProviderCreate
) -> ProviderPublic:
    _require_admin(caller)
    known = set(
        await session.scalars(select(Community.id).where(Community.id.in_(body.community_ids)))
    )
    for cid in body.community_ids:
        if cid not in known:
            raise Invalid("community_ids", f"no such community: {cid}")
    provider = Provider(**body.model_dump(exclude={"community_ids"}))
    session.add(provider)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("provider.uscc_taken", "an organisation with this code exists") from exc
    for cid in sorted(known):
        session.add(ProviderCommunity(provider_id=provider.id, community_id=cid))
    await audit.record(
        session,
        actor=caller,
        action="provider.create",
        target=("provider", provider.id),
        after={"uscc": provider.uscc, "community_ids": sorted(known)},
    )
    await session.commit()
    return await _one(session, caller, provider.id)


async def add_staff(
    session: AsyncSession, *, caller: Caller, provider_id: int, body: StaffAdd
) -> ProviderPublic:
    _require_admin(caller)
    if await session.get(Provider, provider_id) is None:
        raise NotFound("provider.not_found", "no such organisation")
    if await session.get(User, body.user_id) is None:
        raise Invalid("user_id", "no such person")
    if await claim(session, ProviderStaff, provider_id=provider_id, user_id=body.user_id):
        await audit.record(
            session,
            actor=caller,
            action="provider.staff_add",
            target=("provider", provider_id),
            after={"staff_user_id": body.user_id},
        )
    await session.commit()
    return await _one(session, caller, provider_id)


async def _team(session: AsyncSession, team: VolunteerTeam) -> TeamPublic:
    members = await session.execute(
        select(User.id, User.name)
        .join(VolunteerTeamMember, VolunteerTeamMember.user_id == User.id)
        .where(VolunteerTeamMember.team_id == team.id)
        .order_by(User.id)
    )
    return TeamPublic(
        id=team.id,
        community_id=team.community_id,
        name=team.name,
        members=[PersonBrief(id=i, name=n) for i, n in members],
    )


async def create_team(
    session: AsyncSession, *, caller: Caller, community_id: int, body: TeamCreate
) -> TeamPublic:
    require_worker(caller, community_id)
    volunteers = set(
        await session.scalars(
            select(Membership.user_id).where(
                Membership.community_id == community_id,
                Membership.role.in_(sorted(VOLUNTEER_ROLES)),
                Membership.user_id.in_(body.member_ids),
            )
        )
    )
    for uid in body.member_ids:
        if uid not in volunteers:
            raise Invalid("member_ids", f"not a volunteer of this community: {uid}")
    team = VolunteerTeam(community_id=community_id, name=body.name)
    session.add(team)
    await session.flush()
    for uid in sorted(volunteers):
        session.add(VolunteerTeamMember(team_id=team.id, user_id=uid))
    await audit.record(
        session,
        actor=caller,
        action="team.create",
        target=("volunteer_team", team.id),
        community_id=community_id,
        after={"member_ids": sorted(volunteers)},
    )
    await session.commit()
    return await _team(session, team)


async def list_teams(
    session: AsyncSession, *, caller: Caller, community_id: int
) -> list[TeamPublic]:
    if not caller.roles_in(community_id):
        raise NotFound("community.not_found", "no such community among yours")
    teams = await session.scalars(
        select(VolunteerTeam)
        .where(VolunteerTeam.community_id == community_id)
        .order_by(VolunteerTeam.id)
    )
    return [await _team(session, t) for t in teams]
