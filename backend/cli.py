"""The `linli` command: serve, migrate, seed demo data, back up and restore, make secrets."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from backend.settings import load_settings


@click.group()
def main() -> None:
    """Linli (邻里): community services — 点单 → 派单 → 接单 → 评单."""


@main.command()
@click.option("--host", default=None, help="Address to bind (default: HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default: PORT or 8000).")
@click.option(
    "--workers",
    default=None,
    type=int,
    help="Worker processes (default: LINLI_WORKERS or 1; one per container in Kubernetes).",
)
@click.option(
    "--server",
    type=click.Choice(["granian", "uvicorn"]),
    default=None,
    help="HTTP server (default: LINLI_SERVER or granian; see docs/operations.md).",
)
def serve(host: str | None, port: int | None, workers: int | None, server: str | None) -> None:
    """Serve the API and the PWA; SIGTERM drains in-flight requests, then stops."""
    from backend.serve import run

    settings = load_settings()
    run(
        settings,
        server=server or settings.server,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
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


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 if any entry was edited, removed or reordered."""
    result = asyncio.run(_verify())
    for problem in result.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    click.echo(f"{result.entries} entries, head {result.head}: {'ok' if result.ok else 'BROKEN'}")
    if not result.ok:
        raise SystemExit(1)


async def _verify():  # type: ignore[no-untyped-def]
    from backend.audit.service import verify
    from backend.db import Database

    database = Database.connect(load_settings())
    try:
        async with database.reader_sessions() as session:
            return await verify(session)
    finally:
        await database.dispose()


@main.command()
def secret() -> None:
    """Print a fresh random value for LINLI_SECRET_KEY."""
    click.echo(secrets.token_urlsafe(48))


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite") and ":///" in url:
        path = Path(url.split(":///", 1)[1])
        path.parent.mkdir(parents=True, exist_ok=True)


@main.group()
def integration() -> None:
    """Open311 integrations: issue, list and revoke API keys."""


@integration.command("create")
@click.option("--name", required=True, help="Who the key is for, shown on order timelines.")
@click.option(
    "--community", "slugs", multiple=True, required=True, help="Community slug (repeatable)."
)
def integration_create(name: str, slugs: tuple[str, ...]) -> None:
    """Issue a key for one or more communities; the key is printed once, never stored."""
    asyncio.run(_integration_create(name, list(slugs)))


async def _integration_create(name: str, slugs: list[str]) -> None:
    from sqlalchemy import select

    from backend.open311.integrations import issue_key
    from backend.places.models import Community

    async with _session() as session:
        rows = dict((await session.execute(select(Community.slug, Community.id))).all())
        missing = [slug for slug in slugs if slug not in rows]
        if missing:
            raise click.BadParameter(f"no such community: {missing[0]}", param_hint="--community")
        issued = await issue_key(
            session, name=name, community_ids=[rows[s] for s in slugs], actor=None
        )
    click.echo(f"integration {issued.id} ({issued.name}) for {', '.join(slugs)}")
    click.echo(f"api_key: {issued.api_key}")
    click.echo("Keep it now: only its hash is stored.")


@integration.command("list")
def integration_list() -> None:
    """Every integration, newest first: id, state, key prefix, name, communities."""
    asyncio.run(_integration_list())


async def _integration_list() -> None:
    from backend.open311.integrations import list_integrations

    async with _session() as session:
        page = await list_integrations(session, caller=None, limit=100)
    for item in page.items:
        state = "revoked" if item.revoked_at else "active"
        slugs = ",".join(c.slug for c in item.communities)
        click.echo(f"{item.id}\t{state}\t{item.key_prefix}…\t{item.name}\t{slugs}")


@integration.command("revoke")
@click.argument("integration_id", type=int)
def integration_revoke(integration_id: int) -> None:
    """Revoke a key for good."""
    asyncio.run(_integration_revoke(integration_id))


async def _integration_revoke(integration_id: int) -> None:
    from backend.errors import NotFound
    from backend.open311.integrations import revoke

    async with _session() as session:
        try:
            item = await revoke(session, caller=None, integration_id=integration_id)
        except NotFound as exc:
            raise click.ClickException(f"no integration {integration_id}") from exc
    click.echo(f"integration {item.id} ({item.name}) revoked at {item.revoked_at}")


@asynccontextmanager
async def _session() -> AsyncIterator[AsyncSession]:
    from backend.db import Database

    database = Database.connect(load_settings())
    try:
        async with database.writer_sessions() as session:
            yield session
    finally:
        await database.dispose()


@main.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path) -> None:
    """Back up the database to TARGET while the app keeps serving.

    SQLite: a checked copy made by SQLite's online backup API. PostgreSQL: pg_dump's custom
    format (needs the PostgreSQL client tools on PATH).
    """
    from backend.backup import BackupError, backup_postgres, backup_sqlite, sqlite_path

    settings = load_settings()
    try:
        if settings.is_sqlite:
            orders = backup_sqlite(sqlite_path(settings.database_url), target)
            click.echo(f"backed up {orders} orders to {target}")
        else:
            backup_postgres(settings.database_url, target)
            click.echo(f"pg_dump written to {target}")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore(source: Path, yes: bool) -> None:
    """Replace the database by the backup in SOURCE. Stop every app process first."""
    from backend.backup import BackupError, restore_postgres, restore_sqlite, sqlite_path

    settings = load_settings()
    if not yes:
        click.confirm(f"Replace everything in {settings.database_url} by {source}?", abort=True)
    try:
        if settings.is_sqlite:
            orders = restore_sqlite(source, sqlite_path(settings.database_url))
            click.echo(f"restored {orders} orders from {source}")
        else:
            restore_postgres(source, settings.database_url)
            click.echo(f"restored {source} with pg_restore")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
