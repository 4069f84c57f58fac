"""Applying Alembic migrations from Python (CLI, tests, readiness check) on either engine."""

from __future__ import annotations

from functools import cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from alembic import command
from backend.settings import ROOT


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    return config


@cache
def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {heads}")
    return heads[0]


@cache
def known_revisions() -> frozenset[str]:
    return frozenset(
        r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


def migration_engine(url: str) -> AsyncEngine:
    # Plain engine: no foreign-key pragma, so SQLite batch migrations may rebuild tables.
    return create_async_engine(url, poolclass=pool.NullPool)


async def _run(url: str, fn, revision: str) -> None:  # type: ignore[no-untyped-def]
    engine = migration_engine(url)
    try:
        async with engine.begin() as conn:

            def _apply(sync_conn) -> None:  # type: ignore[no-untyped-def]
                config = alembic_config()
                config.attributes["connection"] = sync_conn
                fn(config, revision)

            await conn.run_sync(_apply)
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, command.upgrade, revision)


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, command.downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )
