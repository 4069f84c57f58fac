"""Rate limit per API key for Open311 writes, on the app's one abuse-limit counter.

`LINLI_OPEN311_RATE_LIMIT` requests (default 60) per `LINLI_OPEN311_RATE_WINDOW` seconds
(default 60) per key, read at each request so operators (and tests) can change them without a
rebuild. Counting goes through the same counter as every other abuse limit
(`backend/security/limits.py`): Redis when `LINLI_REDIS_URL` is set, so N processes share one
budget per key; memory when one process serves. It is called from the controller rather than
being a route guard because the key arrives in the form body, which guards do not read here.
"""

from __future__ import annotations

import os

from litestar import Litestar

from backend.errors import TooManyRequests
from backend.settings import SettingsError


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
    # Keyed by the key's hash, not the integration id: ids may be reused, keys never are.
    hits, retry_after = await app.state.limiter.counter.hit(
        f"open311:{key_hash[:24]}:{window}", window
    )
    if hits > limit:
        raise TooManyRequests("open311.rate_limited", retry_after)
