"""Open311's two statuses, read off the one order state machine (never re-encoded here).

`closed` means nothing more will be done: a status no transition leaves, or `completed`, where
the work is done and only the resident's rating (or a reopen) remains. Everything else is open.
"""

from __future__ import annotations

from backend.orders.workflow import STATUSES, TRANSITIONS

WORK_DONE = frozenset({"completed"})
_LEAVABLE = frozenset(t.source for t in TRANSITIONS)


def open311_status(status: str) -> str:
    return "closed" if status in WORK_DONE or status not in _LEAVABLE else "open"


def linli_statuses(wanted: list[str]) -> list[str]:
    return [s for s in STATUSES if open311_status(s) in wanted]
