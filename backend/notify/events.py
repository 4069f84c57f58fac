"""Domain events: recorded in the transaction of the change, published after it commits.

Any domain announces a change with one line before its commit:

    await publish_after_commit(session, Event(kind="order.accepted", community_id=..., ...))

The event row (`LiveEvent`) joins the caller's transaction, so a rolled-back change leaves no
event behind, and the id it gets is the SSE id clients resume from (`Last-Event-ID`). When the
session's outermost transaction commits, the event goes out on the process's `EventHub`
(`backend/notify/hub.py`), which carries it to every process (memory, PostgreSQL NOTIFY or Redis)
and to the streams of those in its audience. On rollback the pending events are forgotten.

`Event.kind` is a stable dotted code (`order.dispatched`, `inbox.new`, `escalation.raised`, …);
`payload` is small JSON without private details: everyone in the audience gets the same bytes,
and a client that needs more fetches the object through the API, which applies its own rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from backend.auth.caller import Caller
from backend.db import flush_pending, utcnow
from backend.notify.models import LiveEvent
from backend.orders.access import may_take

PENDING = "linli.pending_events"
# One Core statement, built once: every transition writes one or two events, and an ORM object
# plus a unit-of-work flush per event cost more of the worker's CPU than the INSERT itself.
_TABLE = LiveEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(_TABLE).returning(_TABLE.c.id)


@dataclass(frozen=True)
class Event:
    """What happened and who may hear of it (see `visible`)."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    community_id: int | None = None
    order_id: int | None = None
    user_ids: Sequence[int] = ()
    roles: Sequence[str] = ()  # holders of these roles in the community (any, if no community)
    taker_kinds: Sequence[str] | None = None  # volunteers who may take these, in the community
    provider_ids: Sequence[int] = ()


async def publish_after_commit(session: AsyncSession, event: Event) -> None:
    """Record `event` in the session's transaction; publish it once that transaction commits.

    Never commits. Flushes, so the event gets its id (and any pending rows are checked) now.
    """
    await flush_pending(session)
    row = {
        "at": utcnow(),
        "kind": event.kind,
        "community_id": event.community_id,
        "order_id": event.order_id,
        "user_ids": sorted(set(event.user_ids)),
        "roles": sorted(set(event.roles)),
        "taker_kinds": None if event.taker_kinds is None else sorted(set(event.taker_kinds)),
        "provider_ids": sorted(set(event.provider_ids)),
        "payload": dict(event.payload),
    }
    row["id"] = (await session.execute(_INSERT, row)).scalar_one()
    session.sync_session.info.setdefault(PENDING, []).append(_wired(row))


_FIELDS = ("id", "at", "kind", "community_id", "order_id", "user_ids", "roles", "taker_kinds")
_FIELDS += ("provider_ids", "payload")


def wire(row: LiveEvent) -> dict[str, Any]:
    """The event as it travels between processes and is stored for replay."""
    return _wired({k: getattr(row, k) for k in _FIELDS})


def _wired(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in _FIELDS} | {"at": values["at"].isoformat()}


def visible(event: dict[str, Any], caller: Caller) -> bool:
    """May `caller` hear of this event? Same rule for live delivery and for replay."""
    if caller.id in event["user_ids"]:
        return True
    if caller.provider_ids and not caller.provider_ids.isdisjoint(event["provider_ids"]):
        return True
    community = event["community_id"]
    if community is None:
        return bool(event["roles"]) and caller.has_any(*event["roles"])
    held = caller.roles_in(community)
    if not held:
        return False
    if not held.isdisjoint(event["roles"]):
        return True
    kinds = event["taker_kinds"]
    return kinds is not None and may_take(held, kinds)


def for_client(event: dict[str, Any]) -> dict[str, Any]:
    """What a subscriber receives: the event without its audience."""
    keys = ("id", "at", "kind", "community_id", "order_id", "payload")
    return {k: event[k] for k in keys}


@sa_event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        from backend.notify.hub import publish  # the hub imports this module

        for item in pending:
            publish(item)


@sa_event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
