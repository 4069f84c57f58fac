"""Routes of the dashboards and the XLSX / CSV exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.quality import dashboard, exports
from backend.quality.dashboard_models import Dashboard, StreetDashboard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


@dataclass
class ExportOperation(Operation):
    """An export answers a workbook or a CSV file, as `format` asks: the schema names both."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if ok is not None and hasattr(ok, "content"):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {
                XLSX: OpenAPIMediaType(schema=binary),
                CSV: OpenAPIMediaType(schema=binary),
            }


Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]
Period = Annotated[str | None, QueryParameter(max_length=7, description="2026-11 or 2026Q4")]


class DashboardController(Controller):
    path = "/api/v1/quality"
    tags = ["quality"]

    @get("/communities/{community_id:int}/dashboard", operation_id="communityDashboard")
    async def community(
        self, community_id: FromPath[int], caller: Who, db: Db, period: Period = None
    ) -> Dashboard:
        """Workers and admins: the community's period at a glance (default this month)."""
        return await dashboard.community_dashboard(
            db, caller=caller, community_id=community_id, period=period
        )

    @get("/streets/{street_id:int}/dashboard", operation_id="streetDashboard")
    async def street(
        self, street_id: FromPath[int], caller: Who, db: Db, period: Period = None
    ) -> StreetDashboard:
        """Admins of the street: the street's total and each community's line."""
        return await dashboard.street_dashboard(
            db, caller=caller, street_id=street_id, period=period
        )

    @get(
        "/communities/{community_id:int}/exports/{dataset:str}",
        operation_id="exportQualityData",
        media_type="application/octet-stream",
        operation_class=ExportOperation,
    )
    async def export(
        self,
        request: Request,
        community_id: FromPath[int],
        dataset: FromPath[Literal["orders", "callbacks", "scorecards", "hours"]],
        caller: Who,
        db: Db,
        period: Period = None,
        format: FromQuery[Literal["xlsx", "csv"]] = "xlsx",
    ) -> Response[bytes]:
        """Workers and admins: orders, callbacks, scorecards or hours of a period, with Chinese
        column headers, as an Excel workbook or UTF-8 CSV (with BOM, so Excel opens it)."""
        settings = request.app.state.settings
        name, body = await exports.export(
            db,
            caller=caller,
            community_id=community_id,
            dataset=dataset,
            period=period,
            fmt=format,
            weights=dict(settings.score_weights),
            min_sample=settings.score_min_sample,
        )
        media = CSV if format == "csv" else XLSX
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
