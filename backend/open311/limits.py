"""Rate limit per API key for Open311 writes: a fixed window counted in a Litestar store.

`LINLI_OPEN311_RATE_LIMIT` requests (default 60) per `LINLI_OPEN311_RATE_WINDOW` seconds
(default 60) per key, read at each request so operators (and tests) can change them without a
rebuild. The count lives in the app's `open311_rate_limit` store: in memory per process unless
the app registers a shared store under that name.
"""

from __future__ import annotations

import asyncio
import os
import time

from litestar import Litestar

from backend.errors import TooManyRequests
from backend.settings import SettingsError

STORE = "open311_rate_limit"


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc
    if value < 1:
        raise SettingsError(f"{name} must be at least 1")
    return value


def limits() -> tuple[int, int]:
    return _positive("LINLI_OPEN311_RATE_LIMIT", 60), _positive("LINLI_OPEN311_RATE_WINDOW", 60)


async def spend(app: Litestar, key_hash: str) -> None:
    """Count one request for this key; over the limit → 429 with Retry-After."""
    limit, window = limits()
    now = time.time()
    # Keyed by the key's hash, not the integration id: ids may be reused, keys never are.
    bucket = f"{key_hash[:24]}:{window}:{int(now // window)}"
    store = app.stores.get(STORE)
    # Read-and-increment must not interleave within this process.
    lock = app.state.setdefault("open311_rate_lock", asyncio.Lock())
    async with lock:
        raw = await store.get(bucket)
        count = int(raw or 0) + 1
        await store.set(bucket, str(count), expires_in=window)
    if count > limit:
        raise TooManyRequests("open311.rate_limited", max(1, int(window - now % window) + 1))
