"""The demo data holds a round in its supporting phase and a closed round whose project is
disclosed, readable without signing in."""

from __future__ import annotations

from backend.demo import seed_demo
from tests.conftest import _empty


async def test_demo_rounds_one_supporting_one_closed_and_disclosed(engine, sessions, client):
    await _empty(engine)
    async with sessions() as session:
        await seed_demo(session)
    rounds = (await client.get("/api/v1/ventures/public/rounds")).json()["items"]
    assert sorted(r["phase"] for r in rounds) == ["closed", "supporting"]
    closed = next(r for r in rounds if r["phase"] == "closed")
    page = (await client.get(f"/api/v1/ventures/public/rounds/{closed['id']}")).json()
    (project,) = page["projects"]
    assert project["status"] == "completed" and project["evaluation"]["passed"] is True
    assert project["disbursed_fen"] == project["approved_fen"] == 900_000
    assert project["spent_fen"] == sum(line["spent_fen"] for line in project["budget_lines"])
    assert page["totals"]["spent_fen"] == project["spent_fen"] == 880_000
    assert project["progress_pct"] == 100
