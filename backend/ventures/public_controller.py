"""三务公开: the public pages of rounds and projects, and their CSV/XLSX export (no sign-in)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.ventures import disclosure
from backend.ventures.bodies import (
    RoundPage,
)
from backend.ventures.project_bodies import (
    DisclosurePublic,
    ProjectPublic,
)

Db = NamedDependency[AsyncSession]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DisclosureController(Controller):
    path = "/api/v1/ventures/public"
    tags = ["ventures"]
    opt = {"exclude_from_auth": True}
    security = []

    @get("/rounds", operation_id="publicRounds")
    async def rounds(
        self,
        db: Db,
        cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> RoundPage:
        """Every round, newest first, keyset-paginated."""
        return await disclosure.public_rounds(db, cursor=cursor, limit=limit)

    @get("/rounds/{round_id:int}", operation_id="publicRound")
    async def round(self, round_id: FromPath[int], db: Db) -> DisclosurePublic:
        """Pool, ranking with reasons, funded projects and their money, objections and answers."""
        return await disclosure.public_round(db, round_id=round_id)

    @get("/projects/{proposal_id:int}", operation_id="publicProject")
    async def project(self, proposal_id: FromPath[int], db: Db) -> ProjectPublic:
        """One funded project: budget lines, tranches, receipts, milestones, evaluation."""
        return await disclosure.public_project(db, proposal_id=proposal_id)

    @get("/rounds/{round_id:int}/export", operation_id="exportRound")
    async def export(
        self, round_id: FromPath[int], db: Db, format: FromQuery[Literal["csv", "xlsx"]] = "csv"
    ) -> Response[bytes]:
        """Every budget line of every funded project, as CSV (UTF-8) or XLSX."""
        rows = await disclosure.export_rows(db, round_id=round_id)
        body, media = (
            (disclosure.to_csv(rows), "text/csv; charset=utf-8")
            if format == "csv"
            else (disclosure.to_xlsx(rows), XLSX)
        )
        name = f"round-{round_id}.{format}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
