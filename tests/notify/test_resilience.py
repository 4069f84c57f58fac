"""Live events through the faults an operator meets: a process asked to stop while streams are
open (they end cleanly and it exits at once, not after the kill timeout), and the PostgreSQL
connection that listens for other processes' events being cut (it comes back, and what was sent
in between still arrives)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from backend.demo import seed_people
from backend.migrations import upgrade
from backend.notify.pgchannels import APPLICATION_NAME
from tests.conftest import KIND, create_postgres_database, drop_postgres_database
from tests.factories import RESIDENT, WORKER
from tests.notify.conftest import Stream
from tests.notify.test_two_processes import free_port, start, stop, token, wait_ready


@asynccontextmanager
async def database(tmp_path: Path, demo_hash: str) -> AsyncIterator[tuple[str, int]]:
    """A fresh migrated database with the demo people, of the kind the suite runs on."""
    if KIND == "postgresql":
        url = await create_postgres_database("linli_resilience")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    try:
        await upgrade(url)
        engine = create_async_engine(url, poolclass=NullPool)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            communities, _ = await seed_people(session, demo_hash)
        await engine.dispose()
        yield url, communities["demo"].id
    finally:
        if KIND == "postgresql":
            await drop_postgres_database(url)


async def place_order(client: httpx.AsyncClient, base: str, community: int, text: str) -> int:
    resident = await token(client, base, RESIDENT)
    categories = await client.get(
        f"{base}/api/v1/communities/{community}/categories", headers=resident
    )
    category = categories.json()[0]["id"]
    order = await client.post(
        f"{base}/api/v1/orders",
        headers=resident,
        json={"community_id": community, "category_id": category, "description": text},
    )
    assert order.status_code == 201, order.text
    return order.json()["id"]


async def test_sigterm_ends_open_streams_cleanly_and_the_server_exits_promptly(
    tmp_path: Path, demo_hash: str
) -> None:
    async with database(tmp_path, demo_hash) as (url, _community):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Without a clean end the open stream would hold the server until the kill timeout.
        server = await start(
            url,
            secrets.token_urlsafe(48),
            port,
            tmp_path / "server.log",
            # A long kill timeout, so "ended cleanly" and "was killed" are far apart even when a
            # loaded machine makes the clean end take many seconds.
            LINLI_SHUTDOWN_SECONDS="90",
        )
        try:
            # Generous: in the full suite on a loaded machine the first read once took over 10 s.
            async with httpx.AsyncClient(timeout=30) as client:
                await wait_ready(client, base)
                worker = await token(client, base, WORKER)
                async with client.stream("GET", f"{base}/api/v1/events", headers=worker) as answer:
                    events = Stream(answer)
                    assert await events.next(wait=30, comments=True) == {"comment": "linli"}
                    asked = time.monotonic()
                    os.killpg(server.pid, signal.SIGTERM)
                    # The stream ends without error (a complete body), long before the kill timeout.
                    async with asyncio.timeout(45):
                        rest = [line async for line in events.lines]
                    assert not [x for x in rest if x.startswith(("event:", "data:"))], rest
                code = await asyncio.wait_for(server.wait(), 60)
                took = time.monotonic() - asked
            assert code == 0, (tmp_path / "server.log").read_text()[-2000:]
            assert took < 50, f"the server took {took:.1f} s to stop (kill timeout: 90 s)"
        finally:
            await stop(server)


@pytest.mark.skipif(KIND != "postgresql", reason="LISTEN/NOTIFY needs PostgreSQL")
async def test_events_still_arrive_after_the_listening_connection_is_terminated(
    tmp_path: Path, demo_hash: str
) -> None:
    async with database(tmp_path, demo_hash) as (url, community):
        secret = secrets.token_urlsafe(48)
        ports = free_port(), free_port()
        one, other = (f"http://127.0.0.1:{port}" for port in ports)
        servers = [await start(url, secret, p, tmp_path / f"{p}.log") for p in ports]
        admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                for base in (one, other):
                    await wait_ready(client, base)
                worker = await token(client, one, WORKER)
                async with client.stream("GET", f"{one}/api/v1/events", headers=worker) as answer:
                    events = Stream(answer)
                    assert await events.next(comments=True) == {"comment": "linli"}
                    first = await place_order(client, other, community, "断线之前")
                    assert (await events.next())["data"]["order_id"] == first

                    # Cut every listener of both processes, as a failover or an admin would.
                    ended = await admin.fetch(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = $1",
                        f"{APPLICATION_NAME}-listener",
                    )
                    assert len(ended) == 2 and all(row[0] for row in ended)
                    # Placed at once, while nobody listens: the catch-up after the reconnect
                    # brings it; the next one comes the ordinary way.
                    during = await place_order(client, other, community, "断线之间")
                    heard = await events.next(wait=10)
                    assert (heard["event"], heard["data"]["order_id"]) == ("order.submit", during)
                    after = await place_order(client, other, community, "重连之后")
                    heard = await events.next(wait=10)
                    assert (heard["event"], heard["data"]["order_id"]) == ("order.submit", after)
                listeners = await admin.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name = $1",
                    f"{APPLICATION_NAME}-listener",
                )
                assert listeners == 2  # each process listens again, once
        finally:
            await admin.close()
            for server in servers:
                await stop(server)
