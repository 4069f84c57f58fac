"""The public record of a round (every phase change and decision, who and when) and the
notices it sends to those concerned through the inbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
