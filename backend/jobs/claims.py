"""The two primitives every job is built from: a herd-avoiding lock and an exactly-once claim.

`claim` inserts a row under a unique key with ON CONFLICT DO NOTHING (both SQLite and
PostgreSQL speak it) and answers whether this transaction got the key. On PostgreSQL a
concurrent insert of the same key waits for the other transaction and then does nothing if it
committed, so two processes can never both do the work; on SQLite writers are serialised by
BEGIN IMMEDIATE, so the second one simply sees the row.

`try_lock` is only an optimisation: on PostgreSQL, `pg_try_advisory_xact_lock` lets one
process sweep while the others skip their tick instead of all scanning the same rows and
queueing on the same keys. It is released at the end of the transaction. SQLite needs none.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name  # type: ignore[union-attr]


def lock_key(name: str) -> int:
    """A stable 32-bit key per job name (advisory locks take a bigint)."""
    return zlib.crc32(f"linli-job:{name}".encode())


async def try_lock(session: AsyncSession, name: str) -> bool:
    if _dialect(session) != "postgresql":
        return True
    got = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": lock_key(name)}
    )
    return bool(got)


async def claim(session: AsyncSession, model: type[SQLModel], **values: Any) -> bool:
    """Insert one claim row unless its unique key is taken; True when this transaction won."""
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    result = await session.execute(insert(table).values(**values).on_conflict_do_nothing())
    return result.rowcount == 1
