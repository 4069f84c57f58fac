"""The `linli` command: serve, migrate, seed demo data, make secrets, add accounts."""

from __future__ import annotations

import asyncio
import secrets

import click

from backend.settings import load_settings


@click.group()
def main() -> None:
    """Linli (邻里): community services — 点单 → 派单 → 接单 → 评单."""


@main.command()
@click.option("--host", default=None, help="Address to bind (default: HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default: PORT or 8000).")
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API and the PWA."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@main.command()
def migrate() -> None:
    """Apply every pending migration."""
    from backend.migrations import upgrade

    settings = load_settings()
    _ensure_sqlite_dir(settings.database_url)
    asyncio.run(upgrade(settings.database_url))
    click.echo("database migrated to head")


@main.command("demo-data")
def demo_data() -> None:
    """Seed the demo communities, accounts and orders — only into an empty database."""
    asyncio.run(_seed())


async def _seed() -> None:
    from backend.db import Database
    from backend.demo import is_empty, seed_demo

    database = Database.connect(load_settings())
    try:
        async with database.writer_sessions() as session:
            if not await is_empty(session):
                click.echo("database already has data; demo data not added")
                return
            await seed_demo(session)
            click.echo("demo data added (accounts in README.md, password demo1234)")
    finally:
        await database.dispose()


@main.command()
def secret() -> None:
    """Print a fresh random value for LINLI_SECRET_KEY."""
    click.echo(secrets.token_urlsafe(48))


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url:
        from pathlib import Path

        path = Path(url.split(":///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)
