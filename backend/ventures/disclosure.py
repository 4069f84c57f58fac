"""Public disclosure (三务公开), readable without signing in: each round's pool, outcome,
funded projects with money disbursed and spent per budget line, receipts, milestones,
evaluations, objections and answers; and the same figures as CSV or XLSX. The photos of its
receipts and completed milestones are served to the same public by the files service
(`discloses_file`).

Nothing about a round's ranking is public before 公示 (announcing); drafts never are.
"""

from __future__ import annotations

import csv
import io

import xlsxwriter
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from backend.errors import NotFound
from backend.pagination import decode_cursor, encode_cursor
from backend.ventures.access import area, areas
from backend.ventures.bodies import (
    ObjectionPublic,
    RoundPage,
    SelectionRow,
)
from backend.ventures.models import Expense, Proposal, VentureRound
from backend.ventures.objections import list_objections
from backend.ventures.phases import at_least
from backend.ventures.project import project_view
from backend.ventures.project_bodies import (
    DisclosurePublic,
    ProjectPublic,
    Totals,
)
from backend.ventures.rounds import present_round
from backend.ventures.selection import selection_row

# Every project that got money or was promised it, including one that failed its evaluation:
# the public sees what was paid out to it and what it was spent on.
FUNDED = ("selected", "contracted", "completed", "failed")


async def _round(session: AsyncSession, round_id: int) -> VentureRound:
    rnd = await session.get(VentureRound, round_id)
    if rnd is None:
        raise NotFound("round.not_found", "no such round")
    return rnd


async def public_rounds(session: AsyncSession, *, cursor: str | None, limit: int) -> RoundPage:
    """Every round, newest first, keyset-paginated on the id."""
    query = select(VentureRound).order_by(VentureRound.id.desc()).limit(limit + 1)
    if cursor is not None:
        query = query.where(VentureRound.id < decode_cursor(cursor))
    rows = list(await session.scalars(query))
    page = rows[:limit]
    covered = await areas(session, page)
    return RoundPage(
        items=[present_round(rnd, covered[rnd.id]) for rnd in page],
        next_cursor=encode_cursor(page[-1].id) if len(rows) > limit else None,
    )


async def _projects(session: AsyncSession, rnd: VentureRound) -> list[ProjectPublic]:
    if not at_least(rnd.phase, "announcing"):
        return []
    rows = await session.scalars(
        select(Proposal)
        .where(Proposal.round_id == rnd.id, Proposal.status.in_(FUNDED))
        .order_by(Proposal.rank, Proposal.id)
    )
    return [await project_view(session, p) for p in rows]


async def public_round(session: AsyncSession, *, round_id: int) -> DisclosurePublic:
    rnd = await _round(session, round_id)
    announced = at_least(rnd.phase, "announcing")
    projects = await _projects(session, rnd)
    ranking = []
    if announced:
        rows = await session.scalars(
            select(Proposal)
            .where(Proposal.round_id == rnd.id, Proposal.submitted_at.is_not(None))
            .order_by(Proposal.rank.is_(None), Proposal.rank, Proposal.id)
        )
        ranking = [SelectionRow.model_validate(selection_row(p)) for p in rows]
    objections = await list_objections(session, round_id=rnd.id) if announced else []
    return DisclosurePublic(
        round=present_round(rnd, await area(session, rnd)),
        totals=Totals(
            pool_fen=rnd.pool_fen,
            approved_fen=sum(p.approved_fen for p in projects),
            disbursed_fen=sum(p.disbursed_fen for p in projects),
            spent_fen=sum(p.spent_fen for p in projects),
        ),
        ranking=ranking,
        projects=projects,
        objections=[ObjectionPublic.model_validate(o) for o in objections],
    )


async def is_disclosed(session: AsyncSession, proposal: Proposal | None) -> bool:
    """A funded project of a round that has reached 公示: its page is public."""
    if proposal is None or proposal.status not in FUNDED:
        return False
    rnd = await session.get(VentureRound, proposal.round_id)
    return rnd is not None and at_least(rnd.phase, "announcing")


async def public_project(session: AsyncSession, *, proposal_id: int) -> ProjectPublic:
    proposal = await session.get(Proposal, proposal_id)
    if not await is_disclosed(session, proposal):
        raise NotFound("project.not_found", "no such project")
    return await project_view(session, proposal)  # type: ignore[arg-type]


# Milestones whose completed-evidence photos include a file. `photo_ids` is a JSON array, so
# each engine looks inside it its own way.
_MILESTONES_SHOWING = {
    "postgresql": "SELECT proposal_id FROM milestone "
    "WHERE CAST(photo_ids AS jsonb) @> CAST(:ids AS jsonb)",
    "sqlite": "SELECT proposal_id FROM milestone, json_each(milestone.photo_ids) "
    "WHERE json_each.value = :file_id",
}


async def discloses_file(session: AsyncSession, file_id: int) -> bool:
    """Whether a file is a receipt or a milestone photo of a disclosed project: the public page
    lists it, so whoever may read the page may see it. Proposal attachments never are."""
    proposal_ids = set(
        await session.scalars(select(Expense.proposal_id).where(Expense.receipt_file_id == file_id))
    )
    query = _MILESTONES_SHOWING[session.bind.dialect.name]  # type: ignore[union-attr]
    rows = await session.execute(text(query), {"file_id": file_id, "ids": f"[{file_id}]"})
    proposal_ids.update(row[0] for row in rows)
    for proposal_id in sorted(proposal_ids):
        if await is_disclosed(session, await session.get(Proposal, proposal_id)):
            return True
    return False


COLUMNS = (
    "project_id",
    "project",
    "status",
    "budget_line",
    "quantity",
    "unit_price_fen",
    "budget_fen",
    "allowed_fen",
    "spent_fen",
    "project_disbursed_fen",
)


async def export_rows(session: AsyncSession, *, round_id: int) -> list[tuple]:
    """One row per budget line of every funded project."""
    rnd = await _round(session, round_id)
    rows = []
    for project in await _projects(session, rnd):
        for line in project.budget_lines:
            rows.append(
                (
                    project.proposal_id,
                    project.title,
                    project.status,
                    line.item,
                    line.quantity,
                    line.unit_price_fen,
                    line.total_fen,
                    line.allowed_fen,
                    line.spent_fen,
                    project.disbursed_fen,
                )
            )
    return rows


def to_csv(rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    # A byte-order mark so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(rows: list[tuple]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("三务公开")
    sheet.write_row(0, 0, COLUMNS)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()
