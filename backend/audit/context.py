"""The client address of the request being served, for audit entries ("from where").

A tiny ASGI middleware puts it in a context variable, so services need not thread the request
through every call. Behind a proxy, uvicorn's `proxy_headers` has already put the real client
in the ASGI scope (it trusts X-Forwarded-For from the addresses in FORWARDED_ALLOW_IPS).
"""

from __future__ import annotations

from contextvars import ContextVar

from litestar.types import ASGIApp, Receive, Scope, Send

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def remember_client_ip(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = client_ip.set(client[0] if client else None)
        try:
            await app(scope, receive, send)
        finally:
            client_ip.reset(token)

    return middleware
