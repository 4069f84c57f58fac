"""How a list statement (lists.py) fetches its rows on each engine, chosen once per engine.

On PostgreSQL SQLAlchemy's execute path cost a page ~1.1 ms of CPU more than the asyncpg
query itself (docs/performance.md, "Round four"), so there each statement is compiled once, per
shape, to asyncpg's own SQL (`$n` parameters, lists bound as arrays: lists.py), and sent on the
asyncpg connection underneath a pooled connection of the PLAIN_READ engine, through asyncpg's
prepared-statement cache. The pool, its settings and the connection's autocommit stay
SQLAlchemy's (db.py). SQLite keeps the SQLAlchemy Core path.

Either way a row comes back as a named tuple of the statement's columns: presenting reads
~60 fields of every row, and a SQLAlchemy Row resolves each name through `__getattr__` (~20× a
named tuple's field); asyncpg's Record has no attribute access at all.
"""

from __future__ import annotations

import contextlib
from collections import namedtuple
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncEngine


class Rows(Protocol):
    arrays: bool  # lists of ids are bound as one array parameter (lists.py)

    async def fetch(self, shape: Any, values: dict[str, Any]) -> list[Any]: ...

    def sql(self, shape: Any, values: dict[str, Any]) -> tuple[str, list[Any]]: ...


def for_engine(engine: AsyncEngine, statement: Callable[[Any], Select]) -> Rows:
    """The fetcher for `engine`; `statement(shape)` builds a shape's statement."""
    if engine.dialect.driver == "asyncpg":
        return AsyncpgRows(engine, statement)
    return CoreRows(engine, statement)


@lru_cache(maxsize=16)
def _record_type(keys: tuple[str, ...]) -> type:
    return namedtuple("OrderRow", keys)  # type: ignore[misc]


class CoreRows:
    """The statement as SQLAlchemy Core on a connection of the engine (SQLite)."""

    arrays = False

    def __init__(self, engine: AsyncEngine, statement: Callable[[Any], Select]) -> None:
        self._engine, self._statement = engine, statement

    async def fetch(self, shape: Any, values: dict[str, Any]) -> list[Any]:
        async with self._engine.connect() as connection:
            result = await connection.execute(self._statement(shape), values)
            as_record = _record_type(tuple(result.keys()))._make
            return [as_record(row) for row in result]

    def sql(self, shape: Any, values: dict[str, Any]) -> tuple[str, list[Any]]:
        raise NotImplementedError("explained on PostgreSQL only")


class _Compiled(NamedTuple):
    """A shape's statement as asyncpg takes it."""

    sql: str
    # Per `$n`: the name of the request's value to bind (None: a constant of the statement),
    # the constant, and the bind processor of the column's type (e.g. UTC for timestamps).
    slots: tuple[tuple[str | None, Any, Callable[[Any], Any] | None], ...]
    record: Callable[[Any], Any]  # a Record to the row's named tuple

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        out = []
        for name, constant, process in self.slots:
            if name is None:
                out.append(constant)
            else:
                value = values[name]
                out.append(value if process is None or value is None else process(value))
        return out


def _compile(engine: AsyncEngine, statement: Select) -> _Compiled:
    dialect = engine.dialect
    compiled = statement.compile(dialect=dialect)
    asked = {name for name, bind in compiled.binds.items() if bind.required}
    # Constant IN lists (the open statuses) are "expanding" parameters, rendered per execution
    # by SQLAlchemy; expand them here, once, as SQLAlchemy would (the request's own values are
    # never expanding: lists.py binds them as arrays).
    expanded = compiled.construct_expanded_state(dict.fromkeys(asked))
    slots = []
    for name in expanded.positiontup or ():
        if name in asked:
            process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            slots.append((name, None, process))
            continue
        constant = expanded.parameters[name]
        bind = compiled.binds.get(name)
        process = (
            expanded.processors.get(name)
            if bind is None
            else bind.type.dialect_impl(dialect).bind_processor(dialect)
        )
        slots.append((None, constant if process is None else process(constant), None))
    keys = tuple(statement.selected_columns.keys())
    return _Compiled(expanded.statement, tuple(slots), _record_type(keys)._make)


class AsyncpgRows:
    """The statement compiled once per shape, run on the asyncpg connection underneath a
    pooled connection of the engine (PostgreSQL).

    Result types: asyncpg hands back what SQLAlchemy's asyncpg dialect would for these columns
    (timestamps aware in UTC, `double precision` as float, JSON decoded by the codec the dialect
    installs on every connection), which tests/orders/test_list_answers.py checks by the bytes.
    """

    arrays = True

    def __init__(self, engine: AsyncEngine, statement: Callable[[Any], Select]) -> None:
        self._engine, self._statement = engine, statement
        self._compiled: dict[Any, _Compiled] = {}

    def _of(self, shape: Any) -> _Compiled:
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = _compile(self._engine, self._statement(shape))
        return compiled

    async def fetch(self, shape: Any, values: dict[str, Any]) -> list[Any]:
        compiled = self._of(shape)
        arguments = compiled.arguments(values)
        async with self._engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            try:
                records = await raw.fetch(compiled.sql, *arguments)
            except Exception:
                if raw.is_closed():
                    await _hand_over_lost(connection)
                raise
        as_record = compiled.record
        return [as_record(r) for r in records]

    def sql(self, shape: Any, values: dict[str, Any]) -> tuple[str, list[Any]]:
        compiled = self._of(shape)
        return compiled.sql, compiled.arguments(values)


async def _hand_over_lost(connection: Any) -> None:
    """The server went away under a list's statement, which SQLAlchemy did not see: one more
    statement through SQLAlchemy on the dead connection lets it do what it does for its own
    (invalidate this connection and every one the pool held from before; db.py), so the next
    requests get fresh connections instead of the pool's other dead ones."""
    with contextlib.suppress(Exception):  # its error is the one the caller already has
        await connection.exec_driver_sql("SELECT 1")
