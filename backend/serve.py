"""`linli serve`: the production server, granian or uvicorn, with the same behaviour either way.

Both are measured in benchmarks/servers.py (numbers in docs/operations.md). Either way:
- one process per container or one process per core (`--workers`), each holding no state another
  process needs, so N of them behind a proxy act as one;
- X-Forwarded-For/-Proto are believed only from FORWARDED_ALLOW_IPS (the proxy), so client
  addresses stay real behind Caddy or an ingress;
- SIGTERM stops accepting, lets in-flight requests finish for up to LINLI_SHUTDOWN_SECONDS, and
  tells streaming handlers to close (backend/lifecycle.py); then the database pool is closed;
- the app writes its own access log (with the request id), so the server's is off;
- the garbage collector is tuned for a process holding thousands of open streams (`tune_gc`).
"""

from __future__ import annotations

import gc
import os
from typing import Any

from backend.settings import Settings

SERVERS = ("granian", "uvicorn")


def trusted_proxies() -> list[str]:
    raw = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return [part.strip() for part in raw.split(",") if part.strip()]


# Collect the youngest generation every 50,000 net allocations instead of CPython's 700.
GC_THRESHOLDS = (50_000, 20, 10)


def tune_gc() -> None:
    """Keep the cyclic garbage collector from stalling event fan-out; called once per worker
    after the app is built.

    Each open SSE stream keeps about 100 objects the collector tracks (10,000 streams: 1.4
    million). With CPython's default thresholds, an event sent to 10,000 streams makes 10,000
    loop callbacks and futures alive at once; young collections every 700 allocations promote
    them, the older generations fill, and full collections walk every stream's objects in the
    middle of a fan-out (measured: pauses of 0.4–4 s wall on the loaded box, the cause of most
    of the p99). A young generation of 50,000 lets such bursts die young, so older
    collections become rare. Everything made while importing and building the app lives as
    long as the process, so it is frozen out of all collections (`gc.freeze`).
    """
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


def granian_app() -> Any:
    """The factory granian calls in each worker: the app, behind the proxy-header translator."""
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    from backend.app import create_app

    hosts = trusted_proxies()
    app = wrap_asgi_with_proxy_headers(create_app(), "*" if "*" in hosts else hosts)
    tune_gc()
    return app


def uvicorn_app() -> Any:
    """The factory uvicorn calls in each worker: the app (uvicorn reads proxy headers itself)."""
    from backend.app import create_app

    app = create_app()
    tune_gc()
    return app


def run(settings: Settings, *, server: str, host: str, port: int, workers: int) -> None:
    if server == "granian":
        _granian(settings, host=host, port=port, workers=workers)
    else:
        _uvicorn(settings, host=host, port=port, workers=workers)


def _granian(settings: Settings, *, host: str, port: int, workers: int) -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    Server(
        "backend.serve:granian_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        log_access=False,
        log_level=settings.log_level.lower(),  # type: ignore[arg-type]
        workers_kill_timeout=settings.shutdown_seconds,
        # Requests in flight per worker; granian's default (1024) would also cap open SSE streams.
        backpressure=settings.max_connections,
        respawn_failed_workers=True,
    ).serve()


def _uvicorn(settings: Settings, *, host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "backend.serve:uvicorn_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies(),
        access_log=False,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=settings.shutdown_seconds,
    )
