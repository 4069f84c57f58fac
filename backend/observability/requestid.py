"""The request id: one per request, in the logs, in the `X-Request-ID` answer header and in
every problem-details answer as `request_id`, so a resident's screenshot leads to the log lines.

A reverse proxy in front (Caddy, an ingress) may already have given the request an id; a
well-formed one is kept so the proxy's log and ours agree, anything else is replaced.
The id lives in a context variable, which the log-record factory and errors.py read.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
current_request_id: ContextVar[str | None] = ContextVar("linli_request_id", default=None)
access_log = logging.getLogger("linli.access")


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _ACCEPTABLE.match(candidate):
                return candidate
    return new_request_id()


def request_id_for(scope: Scope) -> str:
    """The id of this request; requests no middleware saw (an unknown path) get one now."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = current_request_id.get() or incoming_id(scope)
    return state["request_id"]


class RequestIdMiddleware:
    """Outermost ASGI wrapper: sets the id, echoes it in the answer, writes the access log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = incoming_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope.get("path", "")
            if not path.startswith(("/health", "/metrics")):
                access_log.info(
                    "%s %s %s",
                    scope.get("method"),
                    path,
                    status,
                    extra={
                        "method": scope.get("method"),
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            current_request_id.reset(token)
