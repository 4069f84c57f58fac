"""A fresh, migrated database holding the demo people (no orders), for servers in child
processes: SQLite in a temporary directory, or a new database on the test PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from backend.auth.passwords import hash_password
from backend.demo import DEMO_PASSWORD, seed_people
from backend.migrations import upgrade
from tests.conftest import KIND, create_postgres_database, drop_postgres_database


@asynccontextmanager
async def seeded_database(workdir: Path) -> AsyncIterator[str]:
    if KIND == "postgresql":
        url = await create_postgres_database("linli_live")
    else:
        url = f"sqlite+aiosqlite:///{workdir / 'live.db'}"
    try:
        await upgrade(url)
        engine = create_async_engine(url, poolclass=NullPool)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            await seed_people(session, hash_password(DEMO_PASSWORD))
        await engine.dispose()
        yield url
    finally:
        if KIND == "postgresql":
            await drop_postgres_database(url)
