"""PostgreSQL LISTEN/NOTIFY for Litestar channels, surviving a dropped connection.

Litestar's own asyncpg backend listens on one connection for the life of the process: when
PostgreSQL restarts, fails over, or an administrator ends that backend, the process silently
stops hearing events from the others. It also opens a connection per publish and, when that
fails, ends the plugin's publishing task for good. This backend keeps

- one listening connection, watched: asyncpg's termination callback (the server closed it) and a
  periodic `SELECT 1` (a network that vanished without closing it) both lead to a reconnect with
  backoff, re-issuing `LISTEN` for every channel; then `on_reconnect(since)` runs with the last
  time the old connection was known to work, so the hub can catch up from the stored events on
  what was sent while nobody listened;
- one publishing connection, reopened on failure; a NOTIFY that cannot be sent is logged and
  dropped rather than raised (the event is already stored; other processes catch up on their
  next reconnect, and clients resume with Last-Event-ID).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from datetime import datetime, timedelta

import asyncpg
from litestar.channels.backends.base import ChannelsBackend

from backend.db import utcnow

log = logging.getLogger("linli.events")
APPLICATION_NAME = "linli-events"  # how the listener shows in pg_stat_activity
CHECK_SECONDS = 10.0
CHECK_TIMEOUT = 5.0
MAX_BACKOFF = 5.0
# Events committed shortly before the last sign of life may still have been in flight.
MARGIN = timedelta(seconds=5)


class ReconnectingPgChannels(ChannelsBackend):
    def __init__(
        self,
        dsn: str,
        *,
        on_reconnect: Callable[[datetime], Awaitable[None]] | None = None,
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.dsn = dsn
        self.on_reconnect = on_reconnect
        self.check_seconds = check_seconds
        self.channels: set[str] = set()
        self.reconnects = 0  # how often the listener came back (for tests and logs)
        self.alive_at = utcnow()  # the listener's last sign of life
        self._queue: asyncio.Queue[tuple[str, bytes]] | None = None
        self._listener: asyncpg.Connection | None = None
        self._publisher: asyncpg.Connection | None = None
        self._publish_lock = asyncio.Lock()
        self._lost = asyncio.Event()
        self._watchdog: asyncio.Task | None = None

    async def _connect(self, role: str) -> asyncpg.Connection:
        return await asyncpg.connect(
            self.dsn, server_settings={"application_name": f"{APPLICATION_NAME}-{role}"}
        )

    async def on_startup(self) -> None:
        self._queue = asyncio.Queue()
        self._lost = asyncio.Event()
        self._publish_lock = asyncio.Lock()
        await self._listen()
        self._watchdog = asyncio.create_task(self._watch())

    async def on_shutdown(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        for conn in (self._listener, self._publisher):
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), CHECK_TIMEOUT)
        self._listener = self._publisher = None
        self.channels.clear()
        self._queue = None

    async def _listen(self) -> None:
        """Open the listening connection and LISTEN on every channel wanted so far."""
        conn = await self._connect("listener")
        # Only the current listener's end matters (not one we are replacing).
        conn.add_termination_listener(lambda c: c is self._listener and self._lost.set())
        for channel in self.channels:
            await conn.add_listener(channel, self._heard)
        self._listener = conn
        self.alive_at = utcnow()

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self.check_seconds)
            if not self._lost.is_set():
                try:
                    assert self._listener is not None
                    await asyncio.wait_for(self._listener.fetchval("SELECT 1"), CHECK_TIMEOUT)
                    self.alive_at = utcnow()
                    continue
                except Exception as exc:  # closed, broken or silent: all mean "listen again"
                    log.info("the live-event listener did not answer: %r", exc)
            await self._reconnect()

    async def _reconnect(self) -> None:
        log.warning("lost the PostgreSQL connection that listens for live events; reconnecting")
        since = self.alive_at - MARGIN
        old, self._listener = self._listener, None
        if old is not None:
            old.terminate()  # no goodbye to a server that may be gone
        delay = 0.1
        while True:
            self._lost.clear()
            try:
                await self._listen()
                break
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("cannot listen for live events yet (%s); retry in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF)
        self.reconnects += 1
        log.info("listening for live events again")
        if self.on_reconnect is not None:
            try:
                await self.on_reconnect(since)
            except Exception:
                log.exception("could not catch up on live events after reconnecting")

    def _heard(self, _conn: object, _pid: int, channel: str, payload: object) -> None:
        if self._queue is not None and isinstance(payload, str):
            self._queue.put_nowait((channel, payload.encode()))

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        text = data.decode()
        async with self._publish_lock:
            for attempt in range(2):  # a stale connection gets one fresh one
                try:
                    if self._publisher is None or self._publisher.is_closed():
                        self._publisher = await self._connect("publisher")
                    for channel in channels:
                        await self._publisher.execute("SELECT pg_notify($1, $2)", channel, text)
                    return
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    if self._publisher is not None:
                        self._publisher.terminate()
                    self._publisher = None
                    if attempt:
                        log.warning("could not send a live event to other processes: %s", exc)

    async def subscribe(self, channels: Iterable[str]) -> None:
        for channel in set(channels) - self.channels:
            self.channels.add(channel)
            if self._listener is not None and not self._listener.is_closed():
                await self._listener.add_listener(channel, self._heard)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        for channel in set(channels) & self.channels:
            self.channels.discard(channel)
            if self._listener is not None and not self._listener.is_closed():
                await self._listener.remove_listener(channel, self._heard)

    async def stream_events(self) -> AsyncGenerator[tuple[str, bytes], None]:
        queue = self._queue
        if queue is None:
            raise RuntimeError("the channels backend has not started")
        while True:
            channel, message = await queue.get()
            if channel in self.channels:  # an UNLISTEN may have crossed this message
                yield channel, message

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError  # replay comes from the stored events, not the channel
