"""在职党员报到: a volunteer declares branch and work unit; the community verifies (granting the
`party_member` role, which shows as the badge on their claims) or rejects with a reason; a
verified member checks in every six months and workers see who is overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import VOLUNTEER_ROLES, Caller
from backend.auth.models import Membership, User
from backend.db import utcnow
from backend.errors import Conflict, Forbidden, NotFound
from backend.jobs.claims import claim
from backend.quality.access import require_worker
from backend.volunteers.bodies import (
    PartyCheckinBody,
    PartyDeclare,
    PartyRegistrationPublic,
    PartyReject,
)
from backend.volunteers.models import PartyCheckin, PartyRegistration

CHECKIN_EVERY = timedelta(days=182)


async def _public(session: AsyncSession, reg: PartyRegistration) -> PartyRegistrationPublic:
    name = await session.scalar(select(User.name).where(User.id == reg.user_id))
    due = reg.next_checkin_due
    return PartyRegistrationPublic(
        **reg.model_dump(exclude={"decided_by"}),
        name=name or "",
        checkin_overdue=reg.status == "verified" and due is not None and due < utcnow(),
    )


async def declare(
    session: AsyncSession, *, caller: Caller, community_id: int, body: PartyDeclare
) -> PartyRegistrationPublic:
    roles = caller.roles_in(community_id)
    if not roles:
        raise NotFound("community.not_found", "no such community among yours")
    if not roles & VOLUNTEER_ROLES:
        raise Forbidden("party.volunteers_only", "register as a volunteer first")
    now = utcnow()
    if not await claim(
        session,
        PartyRegistration,
        user_id=caller.id,
        community_id=community_id,
        branch=body.branch,
        work_unit=body.work_unit,
        status="pending",
        declared_at=now,
    ):
        # declaring again is allowed only after a rejection
        changed = await session.execute(
            update(PartyRegistration)
            .where(
                PartyRegistration.user_id == caller.id,
                PartyRegistration.community_id == community_id,
                PartyRegistration.status == "rejected",
            )
            .values(
                branch=body.branch,
                work_unit=body.work_unit,
                status="pending",
                reason=None,
                declared_at=now,
                decided_at=None,
                decided_by=None,
            )
        )
        if changed.rowcount != 1:
            raise Conflict("party.already_declared", "already declared in this community")
    await audit.record(
        session,
        actor=caller,
        action="party.declare",
        target=("user", caller.id),
        community_id=community_id,
        after={"status": "pending"},
    )
    await session.commit()
    return await _mine_in(session, caller.id, community_id)


async def _mine_in(session: AsyncSession, user_id: int, community_id: int):
    reg = await session.scalar(
        select(PartyRegistration).where(
            PartyRegistration.user_id == user_id, PartyRegistration.community_id == community_id
        )
    )
    return await _public(session, reg)


async def mine(session: AsyncSession, *, caller: Caller) -> list[PartyRegistrationPublic]:
    rows = await session.scalars(
        select(PartyRegistration)
        .where(PartyRegistration.user_id == caller.id)
        .order_by(PartyRegistration.id)
    )
    return [await _public(session, r) for r in rows]


async def list_for_community(
    session: AsyncSession, *, caller: Caller, community_id: int, status: str | None
) -> list[PartyRegistrationPublic]:
    require_worker(caller, community_id)
    query = select(PartyRegistration).where(PartyRegistration.community_id == community_id)
    if status is not None:
        query = query.where(PartyRegistration.status == status)
    rows = await session.scalars(query.order_by(PartyRegistration.id))
    return [await _public(session, r) for r in rows]


async def _load_for_worker(
    session: AsyncSession, caller: Caller, registration_id: int
) -> PartyRegistration:
    reg = await session.get(PartyRegistration, registration_id)
    if reg is None or not caller.roles_in(reg.community_id):
        raise NotFound("party.not_found", "no such registration")
    require_worker(caller, reg.community_id)
    return reg


async def decide(
    session: AsyncSession,
    *,
    caller: Caller,
    registration_id: int,
    verify: bool,
    body: PartyReject | None = None,
) -> PartyRegistrationPublic:
    reg = await _load_for_worker(session, caller, registration_id)
    now = utcnow()
    values = {"decided_at": now, "decided_by": caller.id}
    if verify:
        values |= {"status": "verified", "reason": None, "next_checkin_due": now + CHECKIN_EVERY}
    else:
        values |= {"status": "rejected", "reason": body.reason if body else None}
    changed = await session.execute(
        update(PartyRegistration)
        .where(PartyRegistration.id == reg.id, PartyRegistration.status == "pending")
        .values(**values)
    )
    if changed.rowcount != 1:
        raise Conflict("party.already_decided", "this registration was decided already")
    if verify:
        await claim(
            session,
            Membership,
            user_id=reg.user_id,
            community_id=reg.community_id,
            role="party_member",
        )
    await audit.record(
        session,
        actor=caller,
        action="party.verify" if verify else "party.reject",
        target=("party_registration", reg.id),
        community_id=reg.community_id,
        before={"status": "pending"},
        after={"status": values["status"]} | ({"role": "party_member"} if verify else {}),
    )
    await session.commit()
    await session.refresh(reg)
    return await _public(session, reg)


async def checkin(
    session: AsyncSession, *, caller: Caller, registration_id: int, body: PartyCheckinBody
) -> PartyRegistrationPublic:
    reg = await session.get(PartyRegistration, registration_id)
    if reg is None or reg.user_id != caller.id:
        raise NotFound("party.not_found", "no such registration")
    if reg.status != "verified":
        raise Conflict("party.not_verified", "only a verified member checks in")
    now = utcnow()
    session.add(PartyCheckin(registration_id=reg.id, note=body.note, at=now))
    reg.last_checkin_at, reg.next_checkin_due = now, now + CHECKIN_EVERY
    await audit.record(
        session,
        actor=caller,
        action="party.checkin",
        target=("party_registration", reg.id),
        community_id=reg.community_id,
        after={"next_checkin_due": reg.next_checkin_due},
    )
    await session.commit()
    return await _public(session, reg)
