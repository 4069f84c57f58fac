"""Database engines, the per-request session, and the column types every model shares.

SQLite is the one-box default and PostgreSQL the production engine. On SQLite, two volunteers
claiming one order at once must queue, not fail with "database is locked": connections run in
WAL mode with a busy timeout, and writing requests open their transaction with BEGIN IMMEDIATE so
the write lock is taken up front instead of upgraded mid-transaction (which SQLite refuses).
Reading requests use a second engine whose transactions stay deferred, so readers never queue.

On PostgreSQL every write queues on a few shared locks (the day's order-number row, the audit
chain's advisory lock), so a transaction whose client stops talking must not keep them: a
process that hangs (a frozen VM, a stuck event loop) or whose host vanishes would otherwise
stall every other process's writes until TCP notices, two hours by default. Each connection
therefore asks the server to end a transaction left idle longer than
`LINLI_DB_IDLE_TRANSACTION_SECONDS`, to notice a gone client while a query still waits
(`client_connection_check_interval`, PostgreSQL 14+), and to probe a silent peer with TCP
keepalives. (A process killed outright is not the danger: its kernel closes the sockets and
PostgreSQL rolls back at once.) `pg_stat_activity` shows the app's connections as `linli`.

On PostgreSQL a route that only reads may say so (`opt=PLAIN_READ`): its session runs each
statement on its own, without BEGIN and ROLLBACK around it (asyncpg's autocommit), so a list
page is one round trip instead of three. Under READ COMMITTED every statement of a transaction
takes its own snapshot anyway, so a reader sees nothing it would not have seen inside one.
Anything that writes — the audit chain's transaction-scoped lock above all — needs a real
transaction, which is why this is opt-in per route and never the default for GET.

Connections are not pinged on checkout (`pool_pre_ping`): with asyncpg a ping outside a
transaction is BEGIN, `;`, ROLLBACK — three round trips before every request's first query.
After a database restart the first statement on a dead connection fails instead (that request
answers 500), and SQLAlchemy then discards every connection the pool held from before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.types import DateTime, TypeDecorator

from backend.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Route option of handlers that only read (see the module docstring): `@get(..., opt=PLAIN_READ)`.
PLAIN_READ = {"plain_read": True}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always handed back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Linli stores aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        # asyncpg already hands back every `timestamptz` aware and in UTC: no call per value
        # (an order list reads ~170 timestamps a page).
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)


def _sqlite_pragmas(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: object, _record: object) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
        cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: object) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")  # type: ignore[attr-defined]


def postgres_session_settings(idle_transaction_seconds: int) -> dict[str, str]:
    """What each PostgreSQL connection asks of its server session (none when switched off with
    0, e.g. behind PgBouncer, which refuses startup parameters: set them on the role instead)."""
    if idle_transaction_seconds <= 0:
        return {}
    return {
        "application_name": "linli",
        "idle_in_transaction_session_timeout": str(idle_transaction_seconds * 1000),
        "client_connection_check_interval": "2000",
        # A peer that stops answering is given up after about 30 + 3 × 10 seconds.
        "tcp_keepalives_idle": "30",
        "tcp_keepalives_interval": "10",
        "tcp_keepalives_count": "3",
    }


def make_engine(
    url: str, *, immediate: bool = True, idle_transaction_seconds: int = 0, **kwargs: object
) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=10, max_overflow=40, pool_timeout=60, **kwargs)
        _sqlite_pragmas(engine.sync_engine, immediate=immediate)
        return engine
    session = postgres_session_settings(idle_transaction_seconds)
    # Up to 30 connections, each kept once opened: an "overflow" connection would be closed
    # when it comes back, so under steady load beyond the pool's size every request paid a new
    # connection (TLS attempt, a server process forked, its prepared statements lost).
    return create_async_engine(
        url,
        pool_size=30,
        max_overflow=0,
        pool_timeout=30,
        connect_args={"server_settings": session} if session else {},
        **kwargs,
    )


@dataclass
class Database:
    """The engines of one running app: `writer` for changes, `reader` for safe requests, and
    `plain_reader` (and its `plain_read_sessions`) for routes marked PLAIN_READ (on PostgreSQL
    the writer's pool without transactions; on SQLite the reader)."""

    writer: AsyncEngine
    reader: AsyncEngine
    plain_reader: AsyncEngine
    writer_sessions: async_sessionmaker[AsyncSession]
    reader_sessions: async_sessionmaker[AsyncSession]
    plain_read_sessions: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, settings: Settings) -> Database:
        writer = make_engine(
            settings.database_url,
            immediate=True,
            idle_transaction_seconds=settings.db_idle_transaction_seconds,
        )
        reader = (
            make_engine(settings.database_url, immediate=False) if settings.is_sqlite else writer
        )
        # The same pool as the writer: autocommit is a flag of the asyncpg adapter, set on
        # checkout and reset on return, no round trip.
        plain = (
            reader if settings.is_sqlite else writer.execution_options(isolation_level="AUTOCOMMIT")
        )
        return cls(
            writer=writer,
            reader=reader,
            plain_reader=plain,
            writer_sessions=async_sessionmaker(writer, expire_on_commit=False),
            reader_sessions=async_sessionmaker(reader, expire_on_commit=False),
            plain_read_sessions=async_sessionmaker(plain, expire_on_commit=False),
        )

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


async def flush_pending(session: AsyncSession) -> None:
    """Flush the session's pending ORM changes, if any, before a Core statement that may refer
    to them (a Core INSERT does not autoflush); a clean session costs no await."""
    if session.new or session.dirty or session.deleted:
        await session.flush()


async def plain_reads_from_here(session: AsyncSession) -> None:
    """After a commit, a request that only reads back its answer needs no transaction for it
    (PostgreSQL; see PLAIN_READ): the session's next connection runs without BEGIN/ROLLBACK.
    On SQLite the begin hook decides, and reading inside a deferred transaction costs nothing."""
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


async def provide_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; services commit their unit of work, anything else rolls back."""
    database: Database = request.app.state.database
    if request.method not in SAFE_METHODS:
        makers = database.writer_sessions
    elif request.route_handler.opt.get("plain_read"):
        makers = database.plain_read_sessions
    else:
        makers = database.reader_sessions
    async with makers() as session:
        yield session
