"""`linli backup` then `linli restore` into an empty database: every order comes back, as it was.

SQLite goes through its online backup API; PostgreSQL through pg_dump / pg_restore, restored
into a database created for the test.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from backend.cli import main
from backend.orders.models import Order
from tests.conftest import KIND, create_postgres_database, drop_postgres_database
from tests.factories import RESIDENT, VOLUNTEER, WORKER, Api


async def _orders(url: str) -> dict[str, str]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(Order.number, Order.status))
            return dict(rows.all())
    finally:
        await engine.dispose()


def _linli(url: str, *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": url, "LINLI_ENV": "test"})
    assert result.exit_code == 0, result.output
    return result.output


async def test_a_restored_backup_holds_every_order(api: Api, tmp_path: Path) -> None:
    closed = await api.pooled()
    for action, body in [
        ("accept", None),
        ("start", None),
        ("complete", {"note": "好了", "hours": 1}),
    ]:
        await api.act(VOLUNTEER, closed["id"], action, body)
    await api.act(RESIDENT, closed["id"], "rate", dict.fromkeys(
        ("stars", "timeliness", "attitude", "quality"), 5))  # fmt: skip
    waiting = await api.order()
    cancelled = await api.order()
    await api.act(WORKER, cancelled["id"], "cancel", {"reason": "重复"})
    live_url = api.app.state.settings.database_url
    before = await _orders(live_url)
    assert set(before.values()) == {"closed", "submitted", "cancelled"}

    backup = tmp_path / "linli.backup"
    said = _linli(live_url, "backup", str(backup))
    assert backup.stat().st_size > 0
    if KIND == "sqlite":
        assert "backed up 3 orders" in said
        empty_url = f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
    else:
        empty_url = await create_postgres_database("linli_restore")
    try:
        _linli(empty_url, "restore", "--yes", str(backup))
        assert await _orders(empty_url) == before
        assert waiting["number"] in before
    finally:
        if KIND == "postgresql":
            await drop_postgres_database(empty_url)


def test_restore_refuses_a_damaged_backup(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 100)
    result = CliRunner().invoke(
        main,
        ["restore", "--yes", str(broken)],
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'target.db'}", "LINLI_ENV": "test"},
    )
    assert result.exit_code == 1 and "not an intact SQLite backup" in result.output
    assert not (tmp_path / "target.db").exists() or (tmp_path / "target.db").stat().st_size == 0
