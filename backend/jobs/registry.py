"""The jobs every app process runs, in order, each tick."""

from __future__ import annotations

from backend.jobs.runner import Job
from backend.quality.escalation import ESCALATION

JOBS: list[Job] = [ESCALATION]
