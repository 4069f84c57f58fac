"""Who a caller is to a round: its area (the communities it covers) and the caller's roles there.

`admin` and `reviewer` are held per street and spread over the street's communities in the
token, so "admin of the round" means admin in any community of its area. A round whose area the
caller has no role in is still readable: rounds are publicly disclosed (三务公开). Acting on it
needs a role in its area (403 otherwise); a draft is "not found" (404) to all but its author.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.errors import Conflict, Forbidden, NotFound
from backend.places.models import Community
from backend.ventures.models import Objection, Proposal, VentureRound


async def area(session: AsyncSession, rnd: VentureRound) -> list[int]:
    """The communities a round covers: its own, or every community of its street."""
    if rnd.community_id is not None:
        return [rnd.community_id]
    rows = await session.scalars(select(Community.id).where(Community.street_id == rnd.street_id))
    return sorted(rows)


async def areas(session: AsyncSession, rounds: list[VentureRound]) -> dict[int, list[int]]:
    """`area` of many rounds in one query: a page of rounds costs one read, not one per row."""
    streets = {r.street_id for r in rounds if r.community_id is None}
    by_street: dict[int, list[int]] = {s: [] for s in streets}
    if streets:
        rows = await session.execute(
            select(Community.street_id, Community.id)
            .where(Community.street_id.in_(streets))
            .order_by(Community.id)
        )
        for street_id, community_id in rows:
            by_street[street_id].append(community_id)
    return {
        r.id: [r.community_id] if r.community_id is not None else by_street[r.street_id]
        for r in rounds
    }


def roles_over(caller: Caller, communities: list[int]) -> frozenset[str]:
    held: set[str] = set()
    for community_id in communities:
        held |= caller.roles_in(community_id)
    return frozenset(held)


class RoundAccess:
    """A round as one caller sees it."""

    def __init__(
        self,
        rnd: VentureRound,
        communities: list[int],
        caller: Caller,
        open_objections: int = 0,
    ) -> None:
        self.round = rnd
        self.communities = communities
        self.caller = caller
        self.roles = roles_over(caller, communities)
        # Unanswered objections keep a round in 公示 (counted only while it is announcing).
        self.open_objections = open_objections

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def require(self, *roles: str) -> None:
        if not self.has(*roles):
            raise Forbidden("venture.role_required", f"needs one of: {', '.join(roles)}")

    def require_phase(self, *phases: str) -> None:
        if self.round.phase not in phases:
            raise Conflict(
                "round.wrong_phase", f"the round is {self.round.phase}, not {' or '.join(phases)}"
            )

    def resident_communities(self) -> list[int]:
        return [c for c in self.communities if "resident" in self.caller.roles_in(c)]

    def worker_of(self, community_id: int) -> bool:
        return bool({"worker", "admin"} & self.caller.roles_in(community_id))


async def load_round(session: AsyncSession, caller: Caller, round_id: int) -> RoundAccess:
    rnd = await session.get(VentureRound, round_id)
    if rnd is None:
        raise NotFound("round.not_found", "no such round")
    counts = await open_objections(session, [rnd])
    return RoundAccess(rnd, await area(session, rnd), caller, counts.get(rnd.id, 0))


async def open_objections(session: AsyncSession, rounds: list[VentureRound]) -> dict[int, int]:
    """Unanswered objections per round, for the rounds in 公示 (one query for a page)."""
    announcing = [r.id for r in rounds if r.phase == "announcing"]
    if not announcing:
        return {}
    rows = await session.execute(
        select(Objection.round_id, func.count())
        .where(Objection.round_id.in_(announcing), Objection.answer.is_(None))
        .group_by(Objection.round_id)
    )
    return {round_id: count for round_id, count in rows}


async def load_proposal(
    session: AsyncSession, caller: Caller, proposal_id: int, *, lock: bool = False
) -> tuple[Proposal, RoundAccess]:
    """A proposal and its round; a draft is visible only to its author (404 to anyone else)."""
    query = select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        query = query.with_for_update()
    proposal = await session.scalar(query)
    if proposal is None:
        raise NotFound("proposal.not_found", "no such proposal")
    access = await load_round(session, caller, proposal.round_id)
    if proposal.status == "draft" and proposal.author_id != caller.id:
        raise NotFound("proposal.not_found", "no such proposal")
    return proposal, access
