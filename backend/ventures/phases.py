"""The round's phases, in their one order, and the rules for moving between them.

Phases only move forward, one step at a time, by an admin, and never before the date the
round's schedule sets for the next phase. 公示 (announcing) lasts at least five days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

from backend.errors import Conflict, Invalid

PHASES = (
    "collecting",
    "supporting",
    "reviewing",
    "announcing",
    "implementing",
    "evaluating",
    "closed",
)
MIN_ANNOUNCING = timedelta(days=5)


def starts(round_or_body: object) -> dict[str, datetime]:
    """The schedule: the earliest start of each phase."""
    return {phase: getattr(round_or_body, f"{phase}_from") for phase in PHASES}


def check_schedule(schedule: dict[str, datetime]) -> None:
    """Dates strictly in phase order, and 公示 at least five days long (422 naming the field)."""
    for earlier, later in pairwise(PHASES):
        if schedule[later] <= schedule[earlier]:
            raise Invalid(f"{later}_from", f"must be after {earlier}_from", "round.schedule_order")
    if schedule["implementing"] - schedule["announcing"] < MIN_ANNOUNCING:
        raise Invalid(
            "implementing_from",
            "公示 (announcing) must last at least 5 days",
            "round.announcing_too_short",
        )


def next_phase(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def check_advance(current: str, target: str, schedule: dict[str, datetime], now: datetime) -> None:
    """One step forward and not before its date; anything else is a 409."""
    if PHASES.index(target) <= PHASES.index(current):
        raise Conflict("round.phase_backwards", f"the round is already {current}")
    if target != next_phase(current):
        raise Conflict("round.phase_skipped", f"the next phase is {next_phase(current)}")
    if now < schedule[target]:
        raise Conflict("round.phase_too_early", f"{target} starts {schedule[target].isoformat()}")


def at_least(current: str, phase: str) -> bool:
    return PHASES.index(current) >= PHASES.index(phase)
