"""The jobs every app process runs, in order, each tick."""

from __future__ import annotations

from backend.jobs.runner import Job
from backend.quality.escalation import ESCALATION
from backend.quality.rankings import scorecard_job
from backend.settings import Settings


def jobs_for(settings: Settings) -> list[Job]:
    return [
        ESCALATION,
        scorecard_job(dict(settings.score_weights), settings.score_min_sample),
    ]
