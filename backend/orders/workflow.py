"""The order state machine — the one and only copy of it.

Each row: from status, action, the relations to the order that may perform it, to status.
Relations are what a caller *is to this order* (see `orders/access.py`), not global roles:

- owner     the resident who ordered it, or the worker who ordered on an elder's behalf (代下单)
- worker    a community worker of the order's community
- assignee  the named volunteer, party member or provider staff it was dispatched to
- claimant  an eligible volunteer or party member of the community, for an order in the pool
- taker     whoever accepted it (the assignee or the winning claimant)

Controllers and the PWA never re-encode this table: the API answers `allowed_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

REOPEN_WINDOW = timedelta(days=7)
CONTACT_WINDOW = timedelta(days=7)

STATUSES = (
    "submitted",
    "dispatched",
    "accepted",
    "in_progress",
    "completed",
    "closed",
    "rejected",
    "cancelled",
)
ACTIONS = (
    "dispatch",
    "accept",
    "decline",
    "start",
    "complete",
    "rate",
    "cancel",
    "reject",
    "reopen",
    "complaint",
)


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    relations: frozenset[str]
    target: str


def _t(source: str, action: str, relations: str, target: str) -> Transition:
    return Transition(source, action, frozenset(relations.split()), target)


TRANSITIONS: tuple[Transition, ...] = (
    _t("submitted", "dispatch", "worker", "dispatched"),
    _t("submitted", "reject", "worker", "rejected"),
    _t("submitted", "cancel", "owner worker", "cancelled"),
    _t("dispatched", "accept", "assignee claimant", "accepted"),
    _t("dispatched", "decline", "assignee", "submitted"),
    _t("dispatched", "cancel", "owner worker", "cancelled"),
    _t("accepted", "start", "taker", "in_progress"),
    _t("accepted", "cancel", "worker", "cancelled"),
    _t("in_progress", "complete", "taker", "completed"),
    _t("in_progress", "cancel", "worker", "cancelled"),
    _t("completed", "rate", "owner", "closed"),
    _t("completed", "reopen", "owner", "submitted"),
    # a complaint found by a callback (回访) sends an unrated job back to work; `closed` stays
    # terminal, so a rated job's complaint is recorded (and scored) but reopens nothing
    _t("completed", "complaint", "worker", "submitted"),
)

_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}
_RELATIONS_BY_ACTION: dict[str, frozenset[str]] = {}
for _tr in TRANSITIONS:
    _RELATIONS_BY_ACTION[_tr.action] = (
        _RELATIONS_BY_ACTION.get(_tr.action, frozenset()) | _tr.relations
    )
# status → its transitions in the table's order (every listed order asks: keep it a lookup)
_FROM: dict[str, tuple[Transition, ...]] = {
    s: tuple(t for t in TRANSITIONS if t.source == s) for s in STATUSES
}


def find(source: str, action: str) -> Transition | None:
    return _BY_KEY.get((source, action))


def may_ever(action: str, relations: set[str] | frozenset[str]) -> bool:
    """Whether any status lets a caller with these relations perform `action` (else: 403)."""
    return bool(_RELATIONS_BY_ACTION.get(action, frozenset()) & relations)


def within_time_limit(action: str, completed_at: datetime | None, now: datetime) -> bool:
    """The one time-bound rule: a resident may reopen only within 7 days of completion."""
    if action != "reopen":
        return True
    return completed_at is not None and now - completed_at <= REOPEN_WINDOW


def allowed_actions(
    status: str,
    relations: set[str] | frozenset[str],
    *,
    completed_at: datetime | None = None,
    now: datetime,
) -> list[str]:
    """The actions these relations may take from `status` now, in the table's order."""
    return [
        t.action
        for t in _FROM.get(status, ())
        if t.relations & relations and within_time_limit(t.action, completed_at, now)
    ]
