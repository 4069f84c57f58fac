"""Routes of quarterly rankings of providers and volunteer teams."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.quality import rankings
from backend.quality.score_models import Ranking


class RankingController(Controller):
    path = "/api/v1/quality"
    tags = ["quality"]

    @get("/rankings", operation_id="qualityRanking")
    async def ranking(
        self,
        request: Request,
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        kind: FromQuery[Literal["provider", "team"]] = "provider",
        quarter: Annotated[str | None, QueryParameter(max_length=6)] = None,
    ) -> Ranking:
        """Workers and admins: a quarter's 100-point scores with the formula and every input;
        rank 1 holds the rolling award, the bottom three a notice. Past quarters are frozen."""
        settings = request.app.state.settings
        return await rankings.ranking(
            db,
            caller=caller,
            quarter=quarter,
            kind=kind,
            weights=dict(settings.score_weights),
            min_sample=settings.score_min_sample,
        )
