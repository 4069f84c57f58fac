"""SIGTERM reaches the app as well as the server: streaming answers get a signal to close
cleanly, and the server's own handler (which drains in-flight requests) still runs.
The whole path — a real server, in-flight requests, exit 0 — is in scripts/loopback_cluster.py."""

from __future__ import annotations

import asyncio
import os
import signal

from litestar import Litestar

from backend.lifecycle import shutting_down, watch_shutdown_signals


async def test_sigterm_sets_the_shutdown_event_and_still_reaches_the_server() -> None:
    app = Litestar(route_handlers=[])
    server_heard: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: server_heard.append(signum))
    try:
        with watch_shutdown_signals(app):
            assert not shutting_down(app).is_set()
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(shutting_down(app).wait(), timeout=5)
        assert server_heard == [signal.SIGTERM]
        # Leaving the lifespan puts the server's handler back (no more app event in between).
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.sleep(0)
        assert server_heard == [signal.SIGTERM, signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
