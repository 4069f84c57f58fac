"""Security headers on every answer, HSTS only over TLS, and CORS closed unless configured."""

from __future__ import annotations

import dataclasses

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import Settings
from tests.factories import RESIDENT, Api


async def test_every_answer_carries_the_headers(api: Api) -> None:
    for answer in (
        await api.client.get("/"),
        await api.get(RESIDENT, "/api/v1/me"),
        await api.client.get("/api/v1/orders"),  # a 401 problem too
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "strict-transport-security" not in answer.headers  # plain HTTP


async def test_hsts_only_over_tls(app, world: dict) -> None:
    async with AsyncTestClient(app=app, base_url="https://linli.example") as tls:
        answer = await tls.get("/health/live")
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_cors_is_closed_by_default(api: Api) -> None:
    preflight = await api.client.options(
        "/api/v1/orders",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = await api.client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_cors_opens_only_to_configured_origins(settings: Settings, world: dict) -> None:
    app = create_app(dataclasses.replace(settings, cors_origins=("https://app.example",)))
    async with AsyncTestClient(app=app) as client:
        ok = await client.get("/health/live", headers={"Origin": "https://app.example"})
        evil = await client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in evil.headers
