"""Security headers on every answer, and CORS closed unless origins are configured.

The Content-Security-Policy fits the built PWA: Vite emits only external module scripts (no
inline script), Vant sets inline `style` attributes (hence 'unsafe-inline' for styles only),
photos arrive as blob:/data: previews, and the service worker and manifest come from 'self'.
`/schema` (the Scalar API browser) loads its script from a CDN and gets its own, looser policy.
HSTS is sent only when the request arrived over TLS (uvicorn's proxy_headers sets the scheme
from X-Forwarded-Proto of a trusted proxy), so plain-HTTP development is not pinned to HTTPS.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

APP_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SCHEMA_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com",
        "font-src 'self' data: https://fonts.scalar.com",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    )
)
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"


async def security_headers(message: Message, scope: Scope) -> None:
    """`before_send` hook: it sees every answer, errors from middleware and unknown paths too."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in COMMON.items():
        headers.setdefault(name, value)
    csp = SCHEMA_CSP if scope["path"].startswith("/schema") else APP_CSP
    headers.setdefault("Content-Security-Policy", csp)
    if scope.get("scheme") == "https":
        headers["Strict-Transport-Security"] = HSTS


def cors_config(origins: tuple[str, ...]) -> CORSConfig | None:
    """No CORS at all by default: the PWA is served from the API's own origin."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        allow_credentials=False,
        max_age=600,
    )
