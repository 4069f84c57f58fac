"""The process's event hub: one channel subscription, fanned out to the open SSE streams.

Events cross processes on Litestar channels: the memory backend when one process serves
(SQLite), PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL (replicas need nothing else),
or Redis pub/sub when `LINLI_EVENTS_BACKEND=redis`. Each process listens once and hands every
event to the streams whose caller may see it (`events.visible`).

A stream's queue is bounded (`LINLI_SSE_QUEUE_SIZE`). A client that stops reading fills it; it is
then dropped from the hub, its queue emptied and left holding one "reconnect" marker, so a stalled
client costs a bounded amount of memory and, if it ever reads again, is told to reconnect (and
replays what it missed with `Last-Event-ID`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin
from sqlalchemy import delete

from backend.auth.caller import Caller
from backend.db import Database, utcnow
from backend.notify.events import visible
from backend.notify.models import LiveEvent
from backend.notify.push import vapid_key
from backend.notify.sms import SmsSender
from backend.settings import Settings

log = logging.getLogger("linli.events")
CHANNEL = "linli_events"
RECONNECT: dict[str, Any] = {"kind": "reconnect"}
PRUNE_SECONDS = 60

# Hubs of the apps running in this process, newest last (one in production; tests may run two).
_running: list[EventHub] = []


def _backend(settings: Settings) -> ChannelsBackend:
    transport = settings.events_transport
    if transport == "postgres":
        dsn = settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        return AsyncPgChannelsBackend(dsn=dsn)
    if transport == "redis":
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    return MemoryChannelsBackend()


class Subscription:
    """One open stream: who is listening and the bounded queue of events waiting for them."""

    __slots__ = ("caller", "dropped", "queue")

    def __init__(self, caller: Caller, size: int) -> None:
        self.caller = caller
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=size)
        self.dropped = False


class EventHub(InitPlugin):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.channels = ChannelsPlugin(
            backend=_backend(settings), channels=[CHANNEL], create_ws_route_handlers=False
        )
        self.subscriptions: set[Subscription] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.database: Database | None = None
        self.sms: SmsSender | None = None
        self._tasks: set[asyncio.Task] = set()

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        # The channels plugin starts first and stops last, around the hub's own lifespan.
        self.channels.on_app_init(app_config)
        app_config.lifespan.append(self.lifespan)
        return app_config

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        self.loop = asyncio.get_running_loop()
        self.database, self.sms = app.state.database, app.state.sms
        await self._ensure_vapid_key()
        async with self.channels.start_subscription([CHANNEL]) as subscriber:
            tasks = [
                asyncio.create_task(self._pump(subscriber.iter_events())),
                asyncio.create_task(self._prune(app.state.database)),
            ]
            _running.append(self)
            try:
                yield
            finally:
                _running.remove(self)
                for task in tasks:
                    task.cancel()
                for sub in list(self.subscriptions):
                    self.drop(sub)

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
        sub = Subscription(caller, self.settings.sse_queue_size)
        self.subscriptions.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.subscriptions.discard(sub)

    def drop(self, sub: Subscription) -> None:
        """Forget a stream that cannot keep up, keeping only the marker telling it to reconnect."""
        self.subscriptions.discard(sub)
        sub.dropped = True
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(RECONNECT)

    def fan_out(self, event: dict[str, Any]) -> int:
        delivered = 0
        for sub in list(self.subscriptions):
            if not visible(event, sub.caller):
                continue
            try:
                sub.queue.put_nowait(event)
                delivered += 1
            except asyncio.QueueFull:
                log.info("dropping a stream of user %s that stopped reading", sub.caller.id)
                self.drop(sub)
        return delivered

    async def _pump(self, events: AsyncIterator[bytes]) -> None:
        async for raw in events:
            try:
                self.fan_out(json.loads(raw))
            except Exception:  # one bad message must not stop live updates for everyone
                log.exception("could not deliver a live event")

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
    return _running[-1] if _running else None


def publish(event: dict[str, Any]) -> None:
    """Hand a committed event to this process's hub (nothing to do when no app is running)."""
    hub = current()
    if hub is not None and hub.loop is not None and not hub.loop.is_closed():
        hub.publish(event)
