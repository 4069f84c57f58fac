"""Liveness and readiness probes (ready = the database answers and is migrated to head)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import HTTPException
from sqlalchemy.exc import SQLAlchemyError

from backend.migrations import current_revision, head_revision


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    opt = {"exclude_from_auth": True}
    security = []

    @get("/live", operation_id="healthLive")
    async def live(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @get("/ready", operation_id="healthReady")
    async def ready(self, request: Request) -> dict[str, str]:
        """The database is reachable and migrated to the newest revision."""
        try:
            revision = await current_revision(request.app.state.database.reader)
        except (SQLAlchemyError, OSError) as exc:
            raise HTTPException(status_code=503, detail="database unreachable") from exc
        if revision != head_revision():
            raise HTTPException(status_code=503, detail="database not migrated")
        return {"status": "ok", "revision": revision}
