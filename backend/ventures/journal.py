"""The public record of a round (every phase change and decision, who and when), the audit
entries of its changes, and the notices it sends to those concerned through the inbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import Caller
from backend.notify.service import notify
from backend.ventures.models import Proposal, ReviewAssignment, VentureEvent, VentureRound


def record(
    session: AsyncSession,
    *,
    round_id: int,
    actor_id: int | None,
    action: str,
    proposal_id: int | None = None,
    note: str | None = None,
) -> None:
    session.add(
        VentureEvent(
            round_id=round_id,
            proposal_id=proposal_id,
            actor_id=actor_id,
            action=action,
            note=note,
        )
    )


async def audited(
    session: AsyncSession,
    caller: Caller,
    action: str,
    proposal: Proposal,
    *,
    before: dict | None = None,
    after: dict | None = None,
    target: tuple[str, int | None] | None = None,
) -> None:
    """`venture.<action>` on a proposal (or a `target` of it) in the proposal's community; call
    it last before the commit, like `audit.record` (docs/architecture.md, "The audit log")."""
    await audit.record(
        session,
        actor=caller,
        action=f"venture.{action}",
        target=target or ("proposal", proposal.id),
        community_id=proposal.community_id,
        before=before,
        after=after,
    )


async def audited_round(
    session: AsyncSession,
    caller: Caller,
    action: str,
    rnd: VentureRound,
    *,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """`venture.<action>` on a round: its community's, or street-wide (None) for a street's."""
    await audit.record(
        session,
        actor=caller,
        action=f"venture.{action}",
        target=("round", rnd.id),
        community_id=rnd.community_id,
        before=before,
        after=after,
    )


async def tell_round(session: AsyncSession, *, rnd: VentureRound, phase: str) -> None:
    """A phase change concerns everyone with a proposal in the round and its seated reviewers."""
    authors = await session.scalars(select(Proposal.author_id).where(Proposal.round_id == rnd.id))
    reviewers = await session.scalars(
        select(ReviewAssignment.reviewer_id)
        .join(Proposal, Proposal.id == ReviewAssignment.proposal_id)
        .where(Proposal.round_id == rnd.id)
    )
    await notify(
        session,
        user_ids=sorted(set(authors) | set(reviewers)),
        kind="venture.phase_changed",
        payload={"round_id": rnd.id, "title": rnd.title, "phase": phase},
    )


async def tell_author(session: AsyncSession, *, proposal: Proposal) -> None:
    """A proposal's status changed (eligibility, selection, contract, evaluation)."""
    await notify(
        session,
        user_ids=[proposal.author_id],
        kind="venture.proposal_status",
        payload={"proposal_id": proposal.id, "title": proposal.title, "status": proposal.status},
    )
