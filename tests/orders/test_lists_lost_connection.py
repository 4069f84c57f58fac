"""After PostgreSQL drops the app's connections (a restart, a failover, an administrator), the
lists answer again at once: the lists run on the asyncpg connection underneath SQLAlchemy's
pool (orders/list_rows.py), so SQLAlchemy must still learn that the pool's connections are gone,
or every list request would draw another dead one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from tests.conftest import KIND
from tests.factories import RESIDENT, WORKER, Api

pytestmark = pytest.mark.skipif(KIND != "postgresql", reason="PostgreSQL's connections")


async def test_the_lists_answer_again_right_after_the_server_drops_the_connections(
    api: Api, engine
) -> None:
    await api.order()
    # Several lists at once, so the pool holds several connections (all of them about to die).
    answers = await asyncio.gather(
        *(api.get(p, "/api/v1/orders", view=v) for p, v in [(WORKER, "community")] * 4)
    )
    assert all(a.status_code == 200 for a in answers)
    async with engine.connect() as conn:
        dropped = await conn.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend' AND query NOT ILIKE 'LISTEN%'"
            )
        )
    assert dropped >= 2
    await asyncio.sleep(0.2)  # the app's side sees the sockets close
    first = await api.get(RESIDENT, "/api/v1/orders", view="mine")
    # The request that meets a dead connection may fail; the ones after it do not.
    assert first.status_code in (200, 500)
    for _ in range(3):
        again = await api.get(RESIDENT, "/api/v1/orders", view="mine")
        assert again.status_code == 200, again.text
        assert len(again.json()["items"]) == 1
