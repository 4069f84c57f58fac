"""Rounds: opening one, reading it, and moving it through its phases (forward only, dated).

Entering `reviewing` seats reviewers on every proposal that qualifies; entering `announcing`
runs the selection and publishes it (公示); leaving `announcing` needs every objection answered.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import Conflict, Forbidden, Invalid
from backend.places.models import Community, Street
from backend.ventures import journal, review, selection
from backend.ventures.access import RoundAccess, area, load_round
from backend.ventures.bodies import AdvanceBody, RoundCreate, RoundPublic
from backend.ventures.models import Objection, VentureRound
from backend.ventures.phases import check_advance, check_schedule, next_phase, starts


def present_round(rnd: VentureRound, communities: list[int]) -> RoundPublic:
    return RoundPublic(
        id=rnd.id,
        title=rnd.title,
        street_id=rnd.street_id,
        community_id=rnd.community_id,
        area_community_ids=communities,
        pool_fen=rnd.pool_fen,
        min_fen=rnd.min_fen,
        max_fen=rnd.max_fen,
        support_threshold=rnd.support_threshold,
        reviewers_per_proposal=rnd.reviewers_per_proposal,
        phase=rnd.phase,
        next_phase=next_phase(rnd.phase),
        schedule=starts(rnd),
        created_at=rnd.created_at,
    )


async def _street_of(session: AsyncSession, body: RoundCreate) -> int:
    if (body.community_id is None) == (body.street_id is None):
        raise Invalid("community_id", "give exactly one of community_id or street_id")
    if body.community_id is not None:
        street_id = await session.scalar(
            select(Community.street_id).where(Community.id == body.community_id)
        )
        if street_id is None:
            raise Invalid("community_id", "no such community", "round.unknown_community")
        return street_id
    if await session.get(Street, body.street_id) is None:
        raise Invalid("street_id", "no such street", "round.unknown_street")
    return body.street_id  # type: ignore[return-value]


async def create_round(session: AsyncSession, *, caller: Caller, body: RoundCreate) -> RoundPublic:
    street_id = await _street_of(session, body)
    if body.min_fen > body.max_fen:
        raise Invalid("min_fen", "must not exceed max_fen", "round.bracket_inverted")
    if body.max_fen > body.pool_fen:
        raise Invalid("max_fen", "must not exceed the pool", "round.bracket_over_pool")
    check_schedule(starts(body))
    rnd = VentureRound(
        street_id=street_id,
        phase="collecting",
        created_by=caller.id,
        **body.model_dump(exclude={"street_id"}),
    )
    communities = await area(session, rnd)
    if not all("admin" in caller.roles_in(c) for c in communities):
        raise Forbidden("venture.role_required", "only an admin of the area opens a round")
    session.add(rnd)
    await session.flush()
    journal.record(session, round_id=rnd.id, actor_id=caller.id, action="open")
    await session.commit()
    return present_round(rnd, communities)


async def list_rounds(session: AsyncSession, *, caller: Caller, phase: str | None) -> list[dict]:
    """Rounds, newest first; those of the caller's own communities first of all."""
    mine = set(caller.roles)
    query = select(VentureRound).order_by(VentureRound.id.desc())
    if phase is not None:
        query = query.where(VentureRound.phase == phase)
    own, other = [], []
    for rnd in await session.scalars(query.limit(200)):
        communities = await area(session, rnd)
        answer = present_round(rnd, communities).model_dump(mode="json")
        (own if mine & set(communities) else other).append(answer)
    return own + other


async def get_round(session: AsyncSession, *, caller: Caller, round_id: int) -> RoundPublic:
    access = await load_round(session, caller, round_id)
    return present_round(access.round, access.communities)


async def advance(
    session: AsyncSession, *, caller: Caller, round_id: int, body: AdvanceBody
) -> RoundPublic:
    access = await load_round(session, caller, round_id)
    access.require("admin")
    rnd = access.round
    check_advance(rnd.phase, body.to, starts(rnd), utcnow())
    if rnd.phase == "announcing":
        open_objections = await session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(Objection.round_id == rnd.id, Objection.answer.is_(None))
        )
        if open_objections:
            raise Conflict("round.objections_open", f"{open_objections} objection(s) unanswered")
    # The conditional UPDATE decides a race between two admins: one moves the round, one 409s.
    moved = await session.execute(
        update(VentureRound)
        .where(VentureRound.id == rnd.id, VentureRound.phase == rnd.phase)
        .values(phase=body.to)
    )
    if moved.rowcount != 1:
        raise Conflict("round.phase_changed", "the round moved meanwhile")
    previous, rnd.phase = rnd.phase, body.to
    await _on_enter(session, access, caller)
    await journal.tell_round(session, rnd=rnd, phase=body.to)
    journal.record(
        session,
        round_id=rnd.id,
        actor_id=caller.id,
        action=f"phase:{previous}->{body.to}",
        note=body.note,
    )
    await session.commit()
    return present_round(rnd, access.communities)


async def _on_enter(session: AsyncSession, access: RoundAccess, caller: Caller) -> None:
    rnd = access.round
    if rnd.phase == "reviewing":
        # Only proposals a worker found eligible and residents supported enough are reviewed.
        await review.seat_reviewers(session, rnd=rnd, communities=access.communities)
    elif rnd.phase == "announcing":
        await selection.run(session, rnd=rnd, publish=True)
