"""The district generator (benchmarks/generate.py) at a tiny size, so it cannot rot unnoticed.

It fills a fresh database of the engine under test; the app then serves that district: a
generated resident signs in with the documented password and pages through their orders, a
worker sees the community's, a volunteer the hall.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from backend.app import create_app
from backend.settings import ROOT, Settings, normalise_database_url
from tests.conftest import KIND, PG_URL, drop_postgres_database

SIZE = ["--orders", "2000", "--users", "2000", "--communities", "10", "--until", "2026-11-22"]
PER_COMMUNITY = 200  # users / communities: the first 5 are workers, the next 40 volunteers


@pytest.fixture
async def district(tmp_path: Path):
    if KIND == "postgresql":
        base = PG_URL.rpartition("/")[0].replace("postgresql+asyncpg://", "postgresql://")
        url = f"{base}/linli_perf_smoke_{uuid.uuid4().hex[:8]}"
    else:
        url = f"sqlite:///{tmp_path / 'perf.db'}"
    done = await asyncio.create_subprocess_exec(
        sys.executable, "benchmarks/generate.py", "--url", url, *SIZE, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(done.communicate(), timeout=120)
    assert done.returncode == 0, errors.decode()
    yield normalise_database_url(url)
    if KIND == "postgresql":
        await drop_postgres_database(url)


async def _sign_in(client: AsyncTestClient, user_id: int) -> dict[str, str]:
    answer = await client.post(
        "/api/v1/auth/token", json={"phone": str(13_000_000_000 + user_id), "password": "perf1234"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_generated_district_is_served(district: str, tmp_path: Path) -> None:
    settings = Settings(
        env="test",
        database_url=district,
        secret_key="x" * 48,
        pwa_dist=tmp_path,
        jobs_enabled=False,
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        worker = await _sign_in(client, 1)
        seen, cursor, statuses = 0, None, set()
        while True:
            params = {"view": "community", "limit": 100} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/api/v1/orders", params=params, headers=worker)).json()
            seen += len(page["items"])
            statuses |= {o["status"] for o in page["items"]}
            if not (cursor := page["next_cursor"]):
                break
        assert seen > 50  # a tenth of the district's orders, give or take the community's weight
        assert {"closed", "completed", "cancelled", "rejected"} <= statuses

        resident_id = next(
            o["resident"]["id"]
            for o in (await client.get("/api/v1/orders?view=community", headers=worker)).json()[
                "items"
            ]
        )
        mine = await client.get(
            "/api/v1/orders?view=mine", headers=await _sign_in(client, resident_id)
        )
        assert mine.status_code == 200 and mine.json()["items"]
        assert all(o["resident"]["id"] == resident_id for o in mine.json()["items"])

        closed = next(o for o in mine.json()["items"] if o["status"] == "closed")
        detail = (await client.get(f"/api/v1/orders/{closed['id']}", headers=worker)).json()
        assert closed["rating"]["stars"] in range(1, 6)
        assert [e["action"] for e in detail["timeline"]] == [
            "submit", "dispatch", "accept", "start", "complete", "rate"
        ]  # fmt: skip

        hall = await client.get("/api/v1/orders?view=pool", headers=await _sign_in(client, 6))
        assert hall.status_code == 200
