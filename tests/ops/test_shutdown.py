"""SIGTERM reaches the app as well as the server: streaming answers get a signal to close
cleanly, and the server's own handler (which drains in-flight requests) still runs.
The whole path — a real server, in-flight requests, exit 0 — is in scripts/loopback_cluster.py."""

from __future__ import annotations

import asyncio
import logging
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


async def test_a_signal_during_a_log_write_still_closes_the_streams() -> None:
    """The handler runs between two bytecodes of whatever the main thread was doing. Landing in
    the middle of a log write, a handler that logged itself failed as a reentrant write (CI saw a
    worker keep its event stream open until the kill timeout): the handler must do no I/O and
    leave the logging to the loop."""
    app = Litestar(route_handlers=[])
    writing = False
    lines: list[str] = []

    class Stderr(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if writing:
                raise RuntimeError("reentrant call inside <_io.BufferedWriter name='<stderr>'>")
            lines.append(record.getMessage())

    logger = logging.getLogger("linli.lifecycle")
    handler = Stderr()
    logger.addHandler(handler)
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        with watch_shutdown_signals(app):
            writing = True  # the signal arrives while a line is being written
            os.kill(os.getpid(), signal.SIGTERM)
            writing = False
            await asyncio.wait_for(shutting_down(app).wait(), timeout=5)
        assert lines == ["shutdown requested; closing event streams"]
    finally:
        signal.signal(signal.SIGTERM, previous)
        logger.removeHandler(handler)
