"""Health probes, settings safety, the OpenAPI schema, the PWA fallback and the demo data."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import DEV_SECRET, Settings, SettingsError, load_settings
from tests.factories import Api


async def test_health_probes(api: Api) -> None:
    assert (await api.client.get("/health/live")).json() == {"status": "ok"}
    ready = await api.client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


async def test_ready_is_503_on_an_unmigrated_database(tmp_path: Path) -> None:
    settings = Settings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    async with AsyncTestClient(app=create_app(settings)) as client:
        answer = await client.get("/health/ready")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_production_refuses_default_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_ENV", "production")
    monkeypatch.delenv("LINLI_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError, match="LINLI_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("LINLI_SECRET_KEY", DEV_SECRET)
    with pytest.raises(SettingsError):
        load_settings()
    monkeypatch.setenv("LINLI_SECRET_KEY", "k" * 48)
    with pytest.raises(SettingsError, match="SMS"):
        load_settings()
    monkeypatch.setenv("LINLI_SMS_BACKEND", "webhook")
    monkeypatch.setenv("LINLI_SMS_WEBHOOK_URL", "http://127.0.0.1:9/sms")
    assert load_settings().env == "production"


def test_database_url_forms_operators_paste(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/linli")
    assert load_settings().database_url == "postgresql+asyncpg://u@db:5432/linli"
    monkeypatch.setenv("PORT", "eighty")
    with pytest.raises(SettingsError, match="PORT"):
        load_settings()


async def test_every_route_has_an_operation_id(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) >= 15
    missing = [(p, m) for p, m, op in operations if not op.get("operationId")]
    assert missing == []
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))


async def test_api_paths_never_fall_back_to_the_app_page(api: Api, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>邻里</title>")
    (dist / "assets" / "app-1234.js").write_text("console.log(1)")
    settings = Settings(env="test", database_url=api.app.state.settings.database_url, pwa_dist=dist)
    async with AsyncTestClient(app=create_app(settings)) as client:
        page = await client.get("/orders/12")
        assert page.status_code == 200 and "邻里" in page.text
        assert page.headers["content-type"].startswith("text/html")
        asset = await client.get("/assets/app-1234.js")
        assert "immutable" in asset.headers["cache-control"]
        assert "javascript" in asset.headers["content-type"]
        for path in (
            "/api/v1/nothing",
            "/schema-x",
            "/health/none",
            "/open311/v2/x.json",
            "/assets/missing.js",
            "/../pyproject.toml",
        ):
            answer = await client.get(path)
            assert answer.status_code == 404, path
            assert "<title>" not in answer.text


async def test_precompressed_copies_are_sent_to_clients_that_accept_them(
    api: Api, tmp_path: Path
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    page_html = "<!doctype html><title>邻里</title>"
    (dist / "index.html").write_text(page_html)
    (dist / "index.html.gz").write_bytes(gzip.compress(page_html.encode()))
    script = dist / "assets" / "app-1234.js"
    script.write_text("console.log(1)")
    script.with_name("app-1234.js.gz").write_bytes(gzip.compress(b"console.log(1)"))
    script.with_name("app-1234.js.br").write_bytes(b"brotli bytes")  # sent as they are
    (dist / "assets" / "plain-1234.css").write_text("body{}")
    settings = Settings(env="test", database_url=api.app.state.settings.database_url, pwa_dist=dist)
    async with AsyncTestClient(app=create_app(settings)) as client:
        brotli = await client.get("/assets/app-1234.js", headers={"Accept-Encoding": "gzip, br"})
        assert brotli.headers["content-encoding"] == "br"
        assert brotli.content == b"brotli bytes"
        assert "javascript" in brotli.headers["content-type"]
        assert brotli.headers["vary"] == "Accept-Encoding"
        assert "immutable" in brotli.headers["cache-control"]

        gzipped = await client.get(
            "/assets/app-1234.js", headers={"Accept-Encoding": "br;q=0, gzip"}
        )
        assert gzipped.headers["content-encoding"] == "gzip"
        assert gzipped.text == "console.log(1)"

        wildcard = await client.get("/assets/app-1234.js", headers={"Accept-Encoding": "br;q=0, *"})
        assert wildcard.headers["content-encoding"] == "gzip"  # `*` does not undo br;q=0
        plain = await client.get("/assets/app-1234.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.text == "console.log(1)" and plain.headers["vary"] == "Accept-Encoding"

        page = await client.get("/orders/12", headers={"Accept-Encoding": "gzip"})
        assert page.headers["content-encoding"] == "gzip" and "邻里" in page.text
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-cache"

        # No compressed copy (a small file the build left alone): sent as is, no Vary.
        css = await client.get("/assets/plain-1234.css", headers={"Accept-Encoding": "gzip, br"})
        assert "content-encoding" not in css.headers and "vary" not in css.headers
        assert css.text == "body{}"


async def test_demo_data_has_orders_in_every_status(engine, sessions, client) -> None:
    from sqlalchemy import select

    from backend.demo import seed_demo
    from backend.orders.models import Order
    from tests.conftest import _empty

    await _empty(engine)
    async with sessions() as session:
        await seed_demo(session)
        statuses = set((await session.scalars(select(Order.status))).all())
    assert statuses == {
        "submitted",
        "dispatched",
        "accepted",
        "in_progress",
        "completed",
        "closed",
        "rejected",
        "cancelled",
    }
    signed_in = await client.post(
        "/api/v1/auth/token", json={"phone": "13800000002", "password": "demo1234"}
    )
    board = await client.get(
        "/api/v1/orders",
        params={"view": "community"},
        headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    )
    assert len(board.json()["items"]) >= 10
