"""Readiness across an upgrade: migrations run before new code, so the old processes must stay
in service when the schema is ahead of them — and nothing is ready on a schema behind its code."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.migrations import upgrade
from backend.settings import Settings


async def _ready(url: str) -> tuple[int, dict]:
    async with AsyncTestClient(app=create_app(Settings(env="test", database_url=url))) as client:
        answer = await client.get("/health/ready")
    return answer.status_code, answer.json()


async def test_old_processes_stay_ready_once_the_next_release_migrated(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ahead.db'}"
    await upgrade(url)
    with sqlite3.connect(tmp_path / "ahead.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '29991231_next_release'")
    status, body = await _ready(url)
    assert status == 200 and body["revision"] == "29991231_next_release"


async def test_a_schema_behind_the_code_is_not_ready(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    sqlite3.connect(tmp_path / "empty.db").close()
    status, body = await _ready(url)
    assert status == 503 and body["code"] == "request.error"
