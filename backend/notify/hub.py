"""The process's event hub: one channel subscription, fanned out to the open SSE streams.

Events cross processes on Litestar channels: the memory backend when one process serves
(SQLite), PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL (replicas need nothing else;
`pgchannels.py` reconnects a dropped listener and catches up from the stored events), or Redis
pub/sub when `LINLI_EVENTS_BACKEND=redis`. Each process listens once and hands every event to the
streams whose caller may see it (`events.visible`).

Fan-out cost is what limits how many streams one process holds, so per event the hub does the
per-stream minimum: the event is encoded to SSE bytes once, visibility is decided once per
audience (streams of callers with the same id, roles and organisations share one decision), and
each stream gets the same bytes object on its queue. Heartbeats come from one hub timer, not one
timer per stream, and in slices spread over the period, so they never wake every stream at once.

A stream's queue is bounded (`LINLI_SSE_QUEUE_SIZE`). A client that stops reading fills it; it is
then dropped from the hub, its queue emptied and left holding one "reconnect" marker, so a stalled
client costs a bounded amount of memory and, if it ever reads again, is told to reconnect (and
replays what it missed with `Last-Event-ID`). When the process is asked to stop
(`backend.lifecycle.shutting_down`), every stream gets a "close" marker and ends cleanly, so the
server can finish in-flight requests and exit without waiting for streams that never end.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin
from sqlalchemy import delete, select

from backend.auth.caller import Caller
from backend.db import Database, utcnow
from backend.lifecycle import shutting_down
from backend.notify.events import for_client, visible, wire
from backend.notify.models import LiveEvent
from backend.notify.pgchannels import ReconnectingPgChannels
from backend.notify.push import vapid_key
from backend.notify.sms import SmsSender
from backend.settings import Settings

log = logging.getLogger("linli.events")
CHANNEL = "linli_events"
PRUNE_SECONDS = 60
# Recent events by (id, time): a catch-up after a reconnect then delivers nothing twice. The time
# is part of the key because SQLite reuses the ids of pruned rows once its table is empty.
SEEN = 20_000
CATCH_UP_LIMIT = 5_000
# Heartbeats go out in this many slices, one per tick, spread over the heartbeat period: each
# stream is still pinged once a period, but 10,000 streams never all wake in the same instant.
HEARTBEAT_SLICES = 10

# What a stream's queue holds: (event id, the bytes to send). Markers have no id.
Item = tuple[int | None, bytes]
RECONNECT: Item = (None, b"event: reconnect\r\ndata: {}\r\n\r\n")
PING: Item = (None, b": ping\r\n\r\n")
CLOSE: Item = (None, b"")

# Hubs of the apps running in this process, newest last (one in production; tests may run two).
_running: list[EventHub] = []


def encode(event: dict[str, Any]) -> bytes:
    """The event as one SSE message, as every subscriber receives it (no audience fields)."""
    data = json.dumps(for_client(event), ensure_ascii=False, separators=(",", ":"))
    return f"id: {event['id']}\r\nevent: {event['kind']}\r\ndata: {data}\r\n\r\n".encode()


def audience_key(caller: Caller) -> Hashable:
    """Callers with equal keys see exactly the same events (`visible` reads nothing else)."""
    roles = tuple(sorted((cid, tuple(sorted(held))) for cid, held in caller.roles.items()))
    return (caller.id, roles, tuple(sorted(caller.provider_ids)))


class Subscription:
    """One open stream: who is listening and the bounded queue of what waits to be sent.

    Not an `asyncio.Queue`: a fan-out puts one item into thousands of these in one go, and a
    queue wakes its reader once per item (a future, a loop callback, a task step each). Here the
    reader sleeps on one future only while nothing is pending, so items that arrive while its
    stream is still writing just wait in the deque and leave with the next write, together.
    """

    __slots__ = ("bucket", "caller", "dropped", "key", "pending", "size", "waiter")

    def __init__(self, caller: Caller, size: int, bucket: int = 0) -> None:
        self.caller = caller
        self.key = audience_key(caller)
        self.pending: deque[Item] = deque()
        self.size = size
        self.waiter: asyncio.Future[None] | None = None
        self.dropped = False
        self.bucket = bucket  # which heartbeat tick pings it (ticks are spread over a period)

    def offer(self, item: Item) -> bool:
        """Queue `item`; False (nothing queued) when the stream is `size` items behind."""
        if len(self.pending) >= self.size:
            return False
        self.pending.append(item)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def end_with(self, marker: Item) -> None:
        """Empty the queue and leave only `marker` in it (the last thing the stream sends)."""
        self.pending.clear()
        self.offer(marker)

    async def take(self) -> list[Item]:
        """Everything queued, oldest first, waiting until there is something."""
        while not self.pending:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        items = list(self.pending)
        self.pending.clear()
        return items


class EventHub(InitPlugin):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.channels = ChannelsPlugin(
            backend=self._backend(), channels=[CHANNEL], create_ws_route_handlers=False
        )
        # Streams grouped by audience: one visibility decision per group and event.
        self.groups: dict[Hashable, set[Subscription]] = {}
        # The same streams by heartbeat slice (round robin as they subscribe).
        self.slices: list[set[Subscription]] = [set() for _ in range(HEARTBEAT_SLICES)]
        self.count = 0
        self._subscribed = 0
        self.closing = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.database: Database | None = None
        self.sms: SmsSender | None = None
        self._tasks: set[asyncio.Task] = set()
        self._seen: deque[tuple[int, str]] = deque(maxlen=SEEN)
        self._seen_set: set[tuple[int, str]] = set()

    def _backend(self) -> ChannelsBackend:
        transport = self.settings.events_transport
        if transport == "postgres":
            dsn = self.settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
            return ReconnectingPgChannels(dsn, on_reconnect=self.catch_up)
        if transport == "redis":
            from litestar.channels.backends.redis import RedisChannelsPubSubBackend
            from redis.asyncio import Redis

            return RedisChannelsPubSubBackend(redis=Redis.from_url(self.settings.redis_url))
        return MemoryChannelsBackend()

    @property
    def subscriptions(self) -> set[Subscription]:
        return {sub for piece in self.slices for sub in piece}

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        # The channels plugin starts first and stops last, around the hub's own lifespan.
        self.channels.on_app_init(app_config)
        app_config.lifespan.append(self.lifespan)
        return app_config

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        self.loop = asyncio.get_running_loop()
        self.database, self.sms = app.state.database, app.state.sms
        self.closing = False
        await self._ensure_vapid_key()
        async with self.channels.start_subscription([CHANNEL]) as subscriber:
            tasks = [
                asyncio.create_task(self._pump(subscriber.iter_events())),
                asyncio.create_task(self._prune(app.state.database)),
                asyncio.create_task(self._heartbeat()),
                asyncio.create_task(self._close_on(shutting_down(app))),
            ]
            _running.append(self)
            try:
                yield
            finally:
                _running.remove(self)
                for task in tasks:
                    task.cancel()
                self.close_all()

    async def _ensure_vapid_key(self) -> None:
        """Web Push keys are made on first start (kept in the database from then on)."""
        try:
            async with self.database.writer_sessions() as session:  # type: ignore[union-attr]
                await vapid_key(session)
        except Exception:  # e.g. not migrated yet: made on first use instead
            log.warning("could not prepare the Web Push key yet", exc_info=True)

    def publish(self, event: dict[str, Any]) -> None:
        """Send to every process; safe from any thread (a committing test, a worker thread)."""
        assert self.loop is not None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.channels.publish(event, CHANNEL)
        else:
            self.loop.call_soon_threadsafe(self.channels.publish, event, CHANNEL)

    def run_soon(self, work: Callable[..., Awaitable[None]], *args: Any) -> None:
        """Run `work(*args)` in the background on the hub's loop; safe from any thread."""
        assert self.loop is not None

        def start() -> None:
            task = asyncio.ensure_future(work(*args))
            self._tasks.add(task)  # keep a reference until it is done
            task.add_done_callback(self._tasks.discard)

        self.loop.call_soon_threadsafe(start)

    def subscribe(self, caller: Caller) -> Subscription:
        self._subscribed += 1
        sub = Subscription(
            caller, self.settings.sse_queue_size, self._subscribed % HEARTBEAT_SLICES
        )
        if self.closing:  # the process is stopping: the stream ends at once, cleanly
            sub.dropped = True
            sub.end_with(CLOSE)
            return sub
        self.groups.setdefault(sub.key, set()).add(sub)
        self.slices[sub.bucket].add(sub)
        self.count += 1
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        group = self.groups.get(sub.key)
        if group is not None and sub in group:
            group.discard(sub)
            self.slices[sub.bucket].discard(sub)
            self.count -= 1
            if not group:
                del self.groups[sub.key]

    def _end(self, sub: Subscription, marker: Item) -> None:
        """Forget a stream, leaving only `marker` in its queue."""
        self.unsubscribe(sub)
        sub.dropped = True
        sub.end_with(marker)

    def drop(self, sub: Subscription) -> None:
        """Forget a stream that cannot keep up, keeping only the marker telling it to reconnect."""
        log.info("dropping a stream of user %s that stopped reading", sub.caller.id)
        self._end(sub, RECONNECT)

    def close_all(self) -> None:
        """End every stream cleanly (the process is stopping); new ones end at once."""
        self.closing = True
        for sub in self.subscriptions:
            self._end(sub, CLOSE)

    def _put_all(self, subs: list[Subscription], item: Item) -> int:
        delivered = 0
        for sub in subs:
            if sub.offer(item):
                delivered += 1
            else:
                self.drop(sub)
        return delivered

    def fan_out(self, event: dict[str, Any]) -> int:
        """Queue `event` for every stream that may see it; answers how many got it."""
        event_id, seen = event["id"], (event["id"], event["at"])
        if seen in self._seen_set:
            return 0  # already delivered (a catch-up crossing a live message)
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(seen)
        self._seen_set.add(seen)
        audience = [
            sub
            for group in list(self.groups.values())
            if group and visible(event, next(iter(group)).caller)
            for sub in group
        ]
        if not audience:
            return 0
        return self._put_all(audience, (event_id, encode(event)))

    async def catch_up(self, since: datetime) -> None:
        """Deliver the stored events from `since` on that were not heard (the listener was away)."""
        assert self.database is not None
        async with self.database.reader_sessions() as session:
            rows = await session.scalars(
                select(LiveEvent)
                .where(LiveEvent.at >= since)
                .order_by(LiveEvent.id)
                .limit(CATCH_UP_LIMIT)
            )
            found = [wire(row) for row in rows]
        missed = [e for e in found if (e["id"], e["at"]) not in self._seen_set]
        for event in missed:
            self.fan_out(event)
        if missed:
            log.info("caught up on %d live events after reconnecting", len(missed))

    async def _pump(self, events: AsyncIterator[bytes]) -> None:
        async for raw in events:
            try:
                self.fan_out(json.loads(raw))
            except Exception:  # one bad message must not stop live updates for everyone
                log.exception("could not deliver a live event")

    async def _heartbeat(self) -> None:
        """A comment to every stream every heartbeat interval (streams also check their end),
        one slice of the streams per tick."""
        tick = self.settings.sse_heartbeat_seconds / HEARTBEAT_SLICES
        for n in itertools.count():
            await asyncio.sleep(tick)
            self._put_all(list(self.slices[n % HEARTBEAT_SLICES]), PING)

    async def _close_on(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        log.info("closing %d event streams: the process is stopping", self.count)
        self.close_all()

    async def _prune(self, database: Database) -> None:
        """Forget events older than the replay window, once a minute."""
        window = timedelta(minutes=self.settings.events_replay_minutes)
        while True:
            await asyncio.sleep(PRUNE_SECONDS)
            try:
                async with database.writer_sessions() as session:
                    await session.execute(delete(LiveEvent).where(LiveEvent.at < utcnow() - window))
                    await session.commit()
            except Exception:  # the database may be briefly away; try again next time
                log.warning("could not prune old live events", exc_info=True)


def current() -> EventHub | None:
    """The hub of the app this code runs in: the one on the running event loop, else the newest
    whose loop is alive (a commit from a worker thread). A hub whose loop has closed without
    shutting down — an app abandoned by a test — is never chosen."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    alive = [hub for hub in _running if hub.loop is not None and not hub.loop.is_closed()]
    for hub in reversed(alive):
        if hub.loop is loop:
            return hub
    return alive[-1] if alive else None


def publish(event: dict[str, Any]) -> None:
    """Hand a committed event to this process's hub (nothing to do when no app is running)."""
    hub = current()
    if hub is not None and hub.loop is not None and not hub.loop.is_closed():
        hub.publish(event)
