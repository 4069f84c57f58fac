"""The periodic-work runner started from the app's lifespan.

Every app process runs one. Each tick it asks every job to do whatever is due *now*, which
includes whatever fell due while no process was running: jobs look at the database, not at a
timer, so a start after downtime catches up in its first tick. Exactly-once comes from the
claims in `jobs/claims.py`, never from there being one runner. Ticks are spaced by
`LINLI_JOBS_INTERVAL` seconds with ±20 % jitter so replicas started together drift apart.
`LINLI_JOBS=off` starts no runner (the test suite drives jobs by hand).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db import utcnow

log = logging.getLogger("linli.jobs")

Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Job:
    name: str
    # Does everything due at `now`; answers how many occasions this process handled.
    run: Callable[[Sessions, datetime], Awaitable[int]]


class JobRunner:
    def __init__(self, sessions: Sessions, jobs: list[Job], *, interval: float) -> None:
        self.sessions = sessions
        self.jobs = jobs
        self.interval = interval
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """One tick: every job once. A failing job is logged and retried next tick."""
        done: dict[str, int] = {}
        for job in self.jobs:
            try:
                done[job.name] = await job.run(self.sessions, now or utcnow())
            except Exception:
                log.exception("job %s failed; it will be retried next tick", job.name)
                done[job.name] = 0
        return done

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            handled = await self.run_once()
            if any(handled.values()):
                log.info("jobs handled %s", handled)
            pause = self.interval * random.uniform(0.8, 1.2)  # noqa: S311
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)

    def start(self) -> None:
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._loop(), name="linli-jobs")

    async def stop(self, grace: float = 30.0) -> None:
        """Let a tick in progress finish its transaction (a cancelled one could leave a
        connection mid-transaction), then end; cancel only if it overruns `grace` seconds."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(self._task, timeout=grace)
        except TimeoutError:
            log.warning("a job tick overran the shutdown grace; cancelled")
        self._task = None
