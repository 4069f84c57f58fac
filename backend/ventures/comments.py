"""Comments on proposals: residents of the area comment; three reports hide a comment until a
worker of the proposal's community keeps it (shown again) or removes it."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import User
from backend.errors import Conflict, Forbidden, NotFound
from backend.ventures import journal
from backend.ventures.access import load_proposal
from backend.ventures.bodies import CommentCreate, ModerateBody, ReportBody
from backend.ventures.models import CommentReport, ProposalComment

HIDE_AFTER = 3


def _present(comment: ProposalComment, author: str, *, moderator: bool) -> dict:
    visible = not comment.hidden or moderator
    return {
        "id": comment.id,
        "proposal_id": comment.proposal_id,
        "author": author if visible else None,
        "body": comment.body if visible else None,
        "hidden": comment.hidden,
        "moderation": comment.moderation,
        "created_at": comment.created_at,
    }


async def add_comment(
    session: AsyncSession, *, caller: Caller, proposal_id: int, body: CommentCreate
) -> dict:
    proposal, access = await load_proposal(session, caller, proposal_id)
    if not access.has("resident", "worker", "provider"):
        raise Forbidden("venture.out_of_area", "only people of the round's area comment")
    comment = ProposalComment(proposal_id=proposal.id, author_id=caller.id, body=body.body)
    session.add(comment)
    await session.flush()
    await journal.audited(session, caller, "comment_add", proposal, target=("comment", comment.id))
    await session.commit()
    return _present(comment, caller.name, moderator=False)


async def list_comments(session: AsyncSession, *, caller: Caller, proposal_id: int) -> list[dict]:
    proposal, access = await load_proposal(session, caller, proposal_id)
    moderator = access.worker_of(proposal.community_id)
    query = (
        select(ProposalComment, User.name)
        .join(User, User.id == ProposalComment.author_id)
        .where(ProposalComment.proposal_id == proposal.id)
        .order_by(ProposalComment.id)
    )
    if not moderator:
        query = query.where(ProposalComment.moderation.is_distinct_from("removed"))
    return [_present(c, name, moderator=moderator) for c, name in await session.execute(query)]


async def _comment(session: AsyncSession, caller: Caller, comment_id: int):
    comment = await session.get(ProposalComment, comment_id)
    if comment is None:
        raise NotFound("comment.not_found", "no such comment")
    proposal, access = await load_proposal(session, caller, comment.proposal_id)
    return comment, proposal, access


async def report(
    session: AsyncSession, *, caller: Caller, comment_id: int, body: ReportBody
) -> dict:
    comment, proposal, access = await _comment(session, caller, comment_id)
    if not access.roles:
        raise Forbidden("venture.out_of_area", "only people of the round's area report")
    session.add(CommentReport(comment_id=comment.id, user_id=caller.id, reason=body.reason))
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("comment.already_reported", "you already reported it") from exc
    reports = await session.scalar(
        select(func.count())
        .select_from(CommentReport)
        .where(CommentReport.comment_id == comment.id)
    )
    if reports >= HIDE_AFTER and comment.moderation is None:
        await session.execute(
            update(ProposalComment).where(ProposalComment.id == comment.id).values(hidden=True)
        )
        comment.hidden = True
    await journal.audited(
        session,
        caller,
        "comment_report",
        proposal,
        target=("comment", comment.id),
        after={"reports": reports, "hidden": comment.hidden},
    )
    await session.commit()
    return {"id": comment.id, "reports": reports, "hidden": comment.hidden}


async def moderate(
    session: AsyncSession, *, caller: Caller, comment_id: int, body: ModerateBody
) -> dict:
    comment, proposal, access = await _comment(session, caller, comment_id)
    if not access.worker_of(proposal.community_id):
        raise Forbidden("venture.role_required", "a worker of the community moderates")
    before = {"moderation": comment.moderation, "hidden": comment.hidden}
    comment.moderation = "kept" if body.decision == "keep" else "removed"
    comment.hidden = body.decision == "remove"
    comment.moderated_by = caller.id
    await journal.audited(
        session,
        caller,
        "comment_moderate",
        proposal,
        target=("comment", comment.id),
        before=before,
        after={"moderation": comment.moderation, "hidden": comment.hidden},
    )
    await session.commit()
    author = await session.get(User, comment.author_id)
    return _present(comment, author.name, moderator=True)
