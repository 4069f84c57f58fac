"""Abuse limits: fixed-window counters per (limit, key), answered with 429 and `Retry-After`.

Counters live in memory when one process serves, and in Redis when several do
(`LINLI_REDIS_URL`), so that every process counts against the same budget. Litestar's own
RateLimitMiddleware keys only by one identifier per middleware and reads no body, and the limits
here key by phone number, client address and account, so a small counter is used instead; it is
applied as route guards (`limited(...)`), never inside services.

Limits are named; each is `count/seconds` and configurable (`LINLI_RATE_<NAME>=count/seconds`,
`0/…` switches one off). See `DEFAULT_LIMITS` in settings.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from backend.errors import TooManyRequests
from backend.settings import Settings


class Counter(Protocol):
    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one hit; answer (hits in the current window, seconds until it ends)."""
        ...

    async def close(self) -> None: ...


class MemoryCounter:
    """One process: a dict of windows. No await between read and write, so hits never race."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + window
            if len(self._windows) > 100_000:  # forget finished windows now and then
                self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
        self._windows[key] = (count + 1, ends)
        return count + 1, max(1, math.ceil(ends - now))

    async def close(self) -> None:
        return None


class RedisCounter:
    """Several processes: INCR plus EXPIRE on first hit, in one round trip."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        name = f"linli:rate:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        return int(count), max(1, int(ttl))

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    def __init__(self, counter: Counter, limits: dict[str, tuple[int, int]]) -> None:
        self.counter = counter
        self.limits = limits

    async def check(self, name: str, key: object) -> None:
        count, seconds = self.limits[name]
        if count <= 0 or key is None or key == "":
            return
        hits, retry_after = await self.counter.hit(f"{name}:{key}", seconds)
        if hits > count:
            raise TooManyRequests(f"rate.{name}", retry_after)


def make_limiter(settings: Settings) -> RateLimiter:
    counter: Counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
    return RateLimiter(counter, dict(settings.rate_limits))


def client_address(connection: ASGIConnection) -> str | None:
    return connection.client.host if connection.client else None


async def _body_field(connection: ASGIConnection, field: str) -> Any:
    if not isinstance(connection, Request):
        return None
    try:
        body = await connection.json()
    except Exception:
        return None
    value = body.get(field) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def limited(name: str, by: str) -> Callable:
    """Guard counting each call against limit `name`, keyed `by` "ip", "caller" or "body.<f>"."""

    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        if by == "ip":
            key = client_address(connection)
        elif by == "caller":
            key = getattr(connection.scope.get("user"), "id", None)
        else:
            key = await _body_field(connection, by.removeprefix("body."))
        await connection.app.state.limiter.check(name, key)

    guard.__name__ = f"limited_{name}"
    return guard
