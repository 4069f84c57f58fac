"""Alembic makes the schema: up, down and up again on this engine; models and migrations agree."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from backend.migrations import downgrade, head_revision, upgrade
from backend.models import metadata
from tests.conftest import KIND, drop_postgres_database, fresh_database_url


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _drift(url: str) -> list:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), metadata
                )
            )
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_and_no_drift(tmp_path: Path) -> None:
    url = await fresh_database_url(tmp_path)
    try:
        await upgrade(url)
        expected = {t.name for t in metadata.sorted_tables}
        assert expected <= await _tables(url)
        assert await _drift(url) == []
        await downgrade(url, "base")
        assert (await _tables(url)) - {"alembic_version"} == set()
        await upgrade(url)
        assert expected <= await _tables(url)
        assert await _drift(url) == []
    finally:
        if KIND == "postgresql":
            await drop_postgres_database(url)


def test_migrations_have_one_head() -> None:
    assert head_revision()
