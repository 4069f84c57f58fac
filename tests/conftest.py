"""Test fixtures: a real, freshly migrated database (SQLite file or PostgreSQL), the real app.

`LINLI_TEST_DB=sqlite` (default) or `postgresql`; for PostgreSQL `LINLI_TEST_PG_URL` names a
database to connect to (default postgresql://postgres@127.0.0.1:5432/test), from which a fresh
database is created for this run and dropped after it. Under `CI=true` an unreachable
PostgreSQL fails the run instead of skipping it.

Every test starts from the same world: the demo places, catalogue, provider and accounts
(no orders), reseeded after emptying every table, so ids are the same in every test.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from backend.app import create_app
from backend.auth.passwords import hash_password
from backend.demo import DEMO_PASSWORD, seed_people
from backend.migrations import upgrade
from backend.models import metadata
from backend.settings import DEFAULT_LIMITS, Settings
from tests.factories import Api

KIND = os.environ.get("LINLI_TEST_DB", "sqlite")
PG_URL = os.environ.get("LINLI_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def _server_url(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


async def create_postgres_database(prefix: str = "linli_test") -> str:
    """A fresh database on the configured server; answers its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return _server_url(PG_URL, name)


async def drop_postgres_database(url: str) -> None:
    name = url.rpartition("/")[2]
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


async def fresh_database_url(tmp: Path) -> str:
    if KIND == "postgresql":
        return await create_postgres_database()
    return f"sqlite+aiosqlite:///{tmp / f'linli-{uuid.uuid4().hex[:8]}.db'}"


def pytest_report_header() -> str:
    return f"linli test database: {KIND}"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if KIND == "postgresql":
        try:
            url = await create_postgres_database()
        except (OSError, Exception) as exc:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL unreachable under CI: {exc}")
            pytest.skip(f"PostgreSQL unreachable: {exc}")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'linli.db'}"
    await upgrade(url)
    yield url
    if KIND == "postgresql":
        await drop_postgres_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(48),
        access_token_minutes=60,
        pwa_dist=tmp_path_factory.mktemp("no-pwa"),
        jobs_enabled=False,  # tests drive the jobs by hand, at the times they choose
        files_dir=tmp_path_factory.mktemp("files"),
        # One test client (one address, a handful of accounts) makes thousands of calls; the
        # abuse limits are tested on apps of their own in tests/security/test_limits.py.
        rate_limits={name: (1_000_000, seconds) for name, (_, seconds) in DEFAULT_LIMITS.items()},
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def demo_hash() -> str:
    return hash_password(DEMO_PASSWORD)


@pytest.fixture(scope="session")
def engine(database_url: str) -> AsyncEngine:
    return create_async_engine(database_url, poolclass=NullPool)


# PostgreSQL: DELETE children first and restart every sequence (all are owned by id columns),
# in one round trip. TRUNCATE … RESTART IDENTITY did the same but cost 1.5–3 s per test on a
# loaded machine (it makes new files for 65 tables); this takes ~0.1 s for a test's few rows.
_PG_EMPTY = "; ".join(
    ["BEGIN"]
    + [f'DELETE FROM "{t.name}"' for t in reversed(metadata.sorted_tables)]  # noqa: S608 (our names)
    + ["SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'", "COMMIT"]
)


async def _empty(engine: AsyncEngine) -> None:
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.execute(_PG_EMPTY)  # asyncpg's simple protocol: many statements, one trip
        return
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(table.delete())


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for the tests' own reads and writes. The app's engines belong to the event loop
    the test client runs the app in, so tests never borrow their connections."""
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
async def world(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], demo_hash: str
) -> dict:
    """The demo world without orders; answers the two communities and the provider id."""
    await _empty(engine)
    async with sessions() as session:
        communities, provider_id = await seed_people(session, demo_hash)
    return {
        "demo": communities["demo"].id,
        "second": communities["second"].id,
        "provider": provider_id,
    }


@pytest.fixture
async def api(
    client: AsyncTestClient, world: dict, app: Litestar, sessions: async_sessionmaker[AsyncSession]
) -> Api:
    return Api(client, world, app, sessions)
