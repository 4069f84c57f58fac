"""Liveness and readiness probes.

Ready = the database answers and its schema is this code's head, or a newer revision this code
does not know. Upgrades run migrations before new code (docs/operations.md), and migrations are
written to keep the previous release working, so the old processes must stay ready while the
schema is one step ahead of them; a schema *behind* the code is never ready.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import HTTPException
from sqlalchemy.exc import SQLAlchemyError

from backend.migrations import current_revision, head_revision, known_revisions


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
        """The database is reachable and migrated to this code's revision (or past it)."""
        try:
            revision = await current_revision(request.app.state.database.reader)
        except (SQLAlchemyError, OSError) as exc:
            raise HTTPException(status_code=503, detail="database unreachable") from exc
        if revision is None or (revision != head_revision() and revision in known_revisions()):
            raise HTTPException(status_code=503, detail="database not migrated")
        return {"status": "ok", "revision": revision}
