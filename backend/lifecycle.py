"""Graceful shutdown: what a process does between SIGTERM and exit.

The server (granian or uvicorn, see `linli serve`) stops accepting connections on SIGTERM and lets
in-flight requests finish. Long-lived answers — server-sent event streams — would hold it until
the kill timeout and then be cut mid-message, so the app also hears the signal: it sets
`shutting_down(app)`, an event that streaming handlers watch to end their stream with a clean
close; the browser's EventSource then reconnects, through the proxy, to a process that stays.
The server's own handler is chained, never replaced.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from litestar import Litestar

log = logging.getLogger("linli.lifecycle")
SIGNALS = (signal.SIGTERM, signal.SIGINT)


def shutting_down(app: Litestar) -> asyncio.Event:
    """Set once this process was asked to stop; streaming handlers end their streams on it."""
    return app.state.shutting_down


@contextmanager
def watch_shutdown_signals(app: Litestar):  # type: ignore[no-untyped-def]
    """For the app's lifespan: set `shutting_down(app)` on SIGTERM/SIGINT, then pass it on."""
    event = asyncio.Event()
    app.state.shutting_down = event
    if threading.current_thread() is not threading.main_thread():
        yield event  # signals reach the main thread only (e.g. an app run inside tests)
        return
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}

    def on_signal(signum: int) -> None:  # runs on the loop, as an ordinary callback
        if not event.is_set():
            log.info("shutdown requested; closing event streams", extra={"signal": signum})
            event.set()

    def chained(signum: int, frame: Any) -> None:
        # A signal handler runs between two bytecodes of whatever the main thread was doing,
        # perhaps halfway through writing a log line to stderr. Logging from here could then fail
        # as a reentrant write (or wait on a lock its own thread holds), the event would never be
        # set and open streams would hold the process until the kill timeout. So the handler does
        # no I/O: it hands the work to the loop.
        loop.call_soon_threadsafe(on_signal, signum)
        before: Callable | Any = previous.get(signum)
        if callable(before):
            before(signum, frame)
        elif before == signal.SIG_DFL:  # nobody else listens: stop the way the default would
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    for signum in SIGNALS:
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, chained)
    try:
        yield event
    finally:
        for signum, before in previous.items():
            if signal.getsignal(signum) is chained:
                signal.signal(signum, before)
