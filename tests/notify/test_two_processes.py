"""Two real `linli serve` processes on one PostgreSQL database: an event published by a change
made through one reaches an SSE stream held open on the other (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from backend.demo import seed_people
from backend.migrations import upgrade
from tests.conftest import KIND, create_postgres_database, drop_postgres_database
from tests.factories import PASSWORD, RESIDENT, WORKER
from tests.notify.conftest import Stream

pytestmark = pytest.mark.skipif(KIND != "postgresql", reason="needs PostgreSQL")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start(
    url: str, secret: str, port: int, log: Path, **extra: str
) -> asyncio.subprocess.Process:
    env = {**os.environ, "DATABASE_URL": url, "LINLI_ENV": "test", "LINLI_SECRET_KEY": secret}
    env.update(extra)
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            "uv", "run", "linli", "serve", "--port", str(port),
            cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip


async def wait_ready(client: httpx.AsyncClient, base: str) -> None:
    for _ in range(300):
        try:
            if (await client.get(f"{base}/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{base} did not become ready in 30 s")


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 5)
    except TimeoutError:
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


async def token(client: httpx.AsyncClient, base: str, phone: str) -> dict[str, str]:
    answer = await client.post(
        f"{base}/api/v1/auth/token", json={"phone": phone, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_an_event_crosses_from_one_process_to_another(tmp_path: Path, demo_hash: str) -> None:
    url = await create_postgres_database("linli_live")
    processes: list[asyncio.subprocess.Process] = []
    try:
        await upgrade(url)
        engine = create_async_engine(url, poolclass=NullPool)
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            communities, _ = await seed_people(session, demo_hash)
        await engine.dispose()
        secret = secrets.token_urlsafe(48)
        bases = []
        for name in ("a", "b"):
            port = free_port()
            processes.append(await start(url, secret, port, tmp_path / f"{name}.log"))
            bases.append(f"http://127.0.0.1:{port}")
        one, other = bases
        async with httpx.AsyncClient(timeout=10) as client:
            for base in bases:
                await wait_ready(client, base)
            worker = await token(client, one, WORKER)
            async with client.stream("GET", f"{one}/api/v1/events", headers=worker) as response:
                assert response.status_code == 200
                events = Stream(response)
                assert await events.next(comments=True) == {"comment": "linli"}
                resident = await token(client, other, RESIDENT)
                demo = communities["demo"].id
                categories = await client.get(
                    f"{other}/api/v1/communities/{demo}/categories", headers=resident
                )
                order = await client.post(
                    f"{other}/api/v1/orders",
                    headers=resident,
                    json={
                        "community_id": demo,
                        "category_id": categories.json()[0]["id"],
                        "description": "两个进程之间",
                    },
                )
                assert order.status_code == 201, order.text
                heard = await events.next(wait=5)
                assert heard["event"] == "order.submit"
                assert heard["data"]["order_id"] == order.json()["id"]
    finally:
        for process in processes:
            await stop(process)
        await drop_postgres_database(url)
