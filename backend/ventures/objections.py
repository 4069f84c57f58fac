"""Objections during 公示 (announcing): residents of the area object with a reason; an admin
answers each one, and the round cannot leave `announcing` while one is unanswered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import Conflict, NotFound
from backend.notify.service import notify
from backend.ventures import journal, rules
from backend.ventures.access import load_proposal, load_round
from backend.ventures.bodies import AnswerBody, ReasonBody
from backend.ventures.models import Objection, Proposal


def present_objection(o: Objection) -> dict:
    return {
        "id": o.id,
        "round_id": o.round_id,
        "proposal_id": o.proposal_id,
        "reason": o.reason,
        "answer": o.answer,
        "created_at": o.created_at,
        "answered_at": o.answered_at,
    }


async def file_objection(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: ReasonBody
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id)
    rules.may_object(proposal, access, await rules.seat_of(session, proposal, access))
    objection = Objection(
        round_id=proposal.round_id, proposal_id=proposal.id, author_id=caller.id, reason=body.reason
    )
    session.add(objection)
    await session.flush()
    await journal.audited(
        session, caller, "objection_file", proposal, target=("objection", objection.id)
    )
    await session.commit()
    return present_objection(objection)


async def answer_objection(
    session: AsyncSession, *, caller: Caller, objection_id: int, body: AnswerBody
) -> dict:
    objection = await session.get(Objection, objection_id)
    if objection is None:
        raise NotFound("objection.not_found", "no such objection")
    access = await load_round(session, caller, objection.round_id)
    rules.may_answer_objections(access)
    if objection.answer is not None:
        raise Conflict("objection.answered", "this objection was already answered")
    objection.answer, objection.answered_by, objection.answered_at = (
        body.answer,
        caller.id,
        utcnow(),
    )
    journal.record(
        session,
        round_id=objection.round_id,
        proposal_id=objection.proposal_id,
        actor_id=caller.id,
        action="answer_objection",
        note=body.answer,
    )
    await notify(
        session,
        user_ids=[objection.author_id],
        kind="venture.objection_answered",
        payload={"objection_id": objection.id, "proposal_id": objection.proposal_id},
    )
    proposal = await session.get(Proposal, objection.proposal_id)
    await journal.audited(
        session,
        caller,
        "objection_answer",
        proposal,
        target=("objection", objection.id),
        after={"answered": True},
    )
    await session.commit()
    return present_objection(objection)


async def list_objections(session: AsyncSession, *, round_id: int) -> list[dict]:
    """Objections and answers are public (三务公开); the objector's name is not."""
    rows = await session.scalars(
        select(Objection).where(Objection.round_id == round_id).order_by(Objection.id)
    )
    return [present_objection(o) for o in rows]
