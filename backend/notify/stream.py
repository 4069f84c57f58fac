"""`GET /api/v1/events`: the signed-in caller's live events as Server-Sent Events.

A stream first replays what the caller missed (ids after `Last-Event-ID`, within the replay
window), then forwards live events from the hub. If what was missed can no longer be replayed
(the window passed, or more than `REPLAY_LIMIT` events), it sends `event: reset`, telling the
client to reload its lists. A comment line every `LINLI_SSE_HEARTBEAT_SECONDS` keeps proxies
from closing an idle stream. A stream ends by itself after the access-token lifetime, so a client
reconnects with a fresh token (and fresh roles); `retry` tells it how soon. When the process is
stopping, the hub ends every stream cleanly and the client reconnects (to another process).

The bytes of a live event are made once by the hub and shared by every stream that sends them.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from litestar.response import Stream
from sqlalchemy import select

from backend.auth.caller import Caller
from backend.db import Database, utcnow
from backend.errors import DomainError
from backend.notify.events import visible, wire
from backend.notify.hub import CLOSE, RECONNECT, EventHub, current, encode
from backend.notify.models import LiveEvent
from backend.settings import Settings

REPLAY_LIMIT = 500
RETRY_MS = 3000
HELLO = f": linli\r\nretry: {RETRY_MS}\r\n\r\n".encode()
RESET = b"event: reset\r\ndata: {}\r\n\r\n"


class Unavailable(DomainError):
    status = 503
    code = "events.unavailable"


def open_connections() -> int:
    """Open SSE streams in this process (for metrics)."""
    hub = current()
    return hub.count if hub is not None else 0


async def missed(
    database: Database, settings: Settings, caller: Caller, after: int
) -> list[dict[str, Any]] | None:
    """Events after id `after` that the caller may see, or None when they cannot be replayed."""
    since = utcnow() - timedelta(minutes=settings.events_replay_minutes)
    async with database.reader_sessions() as session:
        if await session.get(LiveEvent, after) is None:
            return None  # pruned (older than the window) or never existed here
        rows = await session.scalars(
            select(LiveEvent)
            .where(LiveEvent.id > after, LiveEvent.at >= since)
            .order_by(LiveEvent.id)
            .limit(REPLAY_LIMIT * 4)
        )
        found = [e for e in map(wire, rows) if visible(e, caller)]
    return found if len(found) <= REPLAY_LIMIT else None


async def _stream(
    hub: EventHub, database: Database, settings: Settings, caller: Caller, last_id: int | None
) -> AsyncIterator[bytes]:
    sub = hub.subscribe(caller)  # before the replay query, so nothing falls in between
    try:
        yield HELLO
        replayed: set[int] = set()
        if last_id is not None:
            found = await missed(database, settings, caller, last_id)
            if found is None:
                yield RESET
            else:
                for event in found:
                    replayed.add(event["id"])
                    yield encode(event)
        ends = time.monotonic() + settings.access_token_minutes * 60
        while True:
            # Events, the hub's heartbeats, or an end marker: all that queued up while the last
            # write went out leaves in one write (the same bytes, fewer sends).
            chunk, last = [], False
            for item in await sub.take():
                if item is CLOSE or item is RECONNECT:
                    chunk.append(item[1])
                    last = True
                    break
                event_id, data = item
                if event_id is None or event_id not in replayed:
                    chunk.append(data)
            body = b"".join(chunk)
            if body:  # (a clean close adds nothing: the body just ends)
                yield body
            if last or time.monotonic() >= ends:  # at most one heartbeat late
                return
    finally:
        hub.unsubscribe(sub)


class EventStreamController(Controller):
    path = "/api/v1/events"
    tags = ["events"]

    @get("/", operation_id="streamEvents", media_type="text/event-stream")
    async def stream(
        self,
        request: Request,
        caller: NamedDependency[Caller],
        last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID")] = None,
    ) -> Stream:
        """Live events for the caller (their orders; their community's board if a worker; the
        order hall if a volunteer; their inbox). Resume with `Last-Event-ID`."""
        hub = current()
        if hub is None:
            raise Unavailable(detail="live events are not running")
        last_id = None
        if last_event_id is not None:  # garbage or out of range: resume impossible → reset
            digits = last_event_id.strip()
            last_id = int(digits) if digits.isdigit() and len(digits) < 10 else 0
        return Stream(
            _stream(hub, request.app.state.database, hub.settings, caller, last_id),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
