"""Rounds: opening one, reading it, and moving it through its phases (forward only, dated).

Entering `reviewing` seats reviewers on every proposal that qualifies; entering `announcing`
runs the selection and publishes it (公示); leaving `announcing` needs every objection answered.
"""

from __future__ import annotations

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.errors import Conflict, Forbidden, Invalid
from backend.pagination import decode_key, encode_key
from backend.places.models import Community, Street
from backend.ventures import journal, review, rules, selection
from backend.ventures.access import RoundAccess, area, areas, load_round, open_objections
from backend.ventures.bodies import AdvanceBody, RoundCreate, RoundPage, RoundPublic
from backend.ventures.models import VentureRound
from backend.ventures.phases import check_schedule, next_phase, starts


def present_round(
    rnd: VentureRound, communities: list[int], access: RoundAccess | None = None
) -> RoundPublic:
    """The round; with the caller's `access`, what they may do now (public pages: nothing)."""
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
        allowed_actions=[] if access is None else rules.allowed(rules.ROUND_RULES, access),
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
    await journal.audited_round(
        session,
        caller,
        "round_open",
        rnd,
        after={"phase": rnd.phase, "pool_fen": rnd.pool_fen, "communities": communities},
    )
    await session.commit()
    return present_round(rnd, communities, RoundAccess(rnd, communities, caller))


async def list_rounds(
    session: AsyncSession, *, caller: Caller, phase: str | None, cursor: str | None, limit: int
) -> RoundPage:
    """Rounds of the caller's own area first (a round of their community or of its whole
    street), then the others; newest first within each. Keyset-paginated on (group, id)."""
    communities = sorted(caller.roles)
    streets = select(Community.street_id).where(Community.id.in_(communities))
    own = or_(
        VentureRound.community_id.in_(communities),
        and_(VentureRound.community_id.is_(None), VentureRound.street_id.in_(streets)),
    )
    group = case((own, 0), else_=1)
    query = select(VentureRound, group)
    if phase is not None:
        query = query.where(VentureRound.phase == phase)
    if cursor is not None:
        after_group, after_id = _decode_round_cursor(cursor)
        query = query.where(
            or_(group > after_group, and_(group == after_group, VentureRound.id < after_id))
        )
    rows = (
        await session.execute(query.order_by(group, VentureRound.id.desc()).limit(limit + 1))
    ).all()
    page = [rnd for rnd, _ in rows[:limit]]
    covered = await areas(session, page)
    objecting = await open_objections(session, page)
    items = [
        present_round(
            rnd,
            covered[rnd.id],
            RoundAccess(rnd, covered[rnd.id], caller, objecting.get(rnd.id, 0)),
        )
        for rnd in page
    ]
    more = len(rows) > limit
    next_cursor = encode_key(rows[limit - 1][1], rows[limit - 1][0].id) if more else None
    return RoundPage(items=items, next_cursor=next_cursor)


def _decode_round_cursor(cursor: str) -> tuple[int, int]:
    group, row_id = decode_key(cursor, 2)
    if group not in ("0", "1") or not row_id.isdigit():
        raise Invalid("cursor", "not a cursor this API handed out")
    return int(group), int(row_id)


async def get_round(session: AsyncSession, *, caller: Caller, round_id: int) -> RoundPublic:
    access = await load_round(session, caller, round_id)
    return present_round(access.round, access.communities, access)


async def advance(
    session: AsyncSession, *, caller: Caller, round_id: int, body: AdvanceBody
) -> RoundPublic:
    access = await load_round(session, caller, round_id)
    rules.may_advance(access, body.to)
    rnd = access.round
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
    await journal.audited_round(
        session, caller, "round_advance", rnd, before={"phase": previous}, after={"phase": body.to}
    )
    await session.commit()
    return present_round(rnd, access.communities, access)


async def _on_enter(session: AsyncSession, access: RoundAccess, caller: Caller) -> None:
    rnd = access.round
    if rnd.phase == "reviewing":
        # Only proposals a worker found eligible and residents supported enough are reviewed.
        await review.seat_reviewers(session, rnd=rnd, communities=access.communities)
    elif rnd.phase == "announcing":
        await selection.run(session, rnd=rnd, publish=True)
