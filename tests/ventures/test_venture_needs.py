"""The needs board: residents' needs, needs counted from real orders, screening."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.db import utcnow
from backend.places.models import Building, Grid
from tests.factories import RESIDENT, RESIDENT2, REVIEWER, WORKER, Api
from tests.venture_factories import draft, draft_body, open_round

R = "/api/v1/ventures/rounds"


async def _buildings(api: Api) -> dict[str, int]:
    """Building id → grid name for the demo community."""
    async with api.sessions() as session:
        rows = await session.execute(
            select(Building.id, Grid.name)
            .join(Grid, Grid.id == Building.grid_id)
            .where(Building.community_id == api.world["demo"])
            .order_by(Building.id)
        )
        return {grid: bid for bid, grid in reversed(rows.all())}


async def test_needs_are_counted_from_real_orders_by_category_and_grid(api: Api) -> None:
    buildings = await _buildings(api)
    for _ in range(3):
        await api.order(code="meal", building_id=buildings["第一网格"])
    await api.order(code="meal", building_id=buildings["第二网格"])
    await api.order(code="lighting", building_id=buildings["第一网格"])
    await api.order(RESIDENT2, community="second", code="meal")  # another community: not counted
    rnd = await open_round(api)
    url = f"{R}/{rnd['id']}/derive-needs"
    since = (utcnow() - timedelta(days=90)).isoformat()
    assert (await api.post(RESIDENT, url, {"since": since})).status_code == 403
    derived = await api.post(WORKER, url, {"since": since})
    assert derived.status_code == 200, derived.text
    assert sorted(n["order_count"] for n in derived.json()["items"]) == [1, 1, 3]
    top = derived.json()["items"][0]
    assert top["order_count"] == 3 and "第一网格" in top["title"] and top["source"] == "orders"

    await api.order(code="meal", building_id=buildings["第一网格"])
    again = (await api.post(WORKER, url, {"since": since, "min_orders": 2})).json()["items"]
    assert [(n["id"], n["order_count"]) for n in again] == [(top["id"], 4)]  # refreshed
    board = (await api.get(RESIDENT, f"{R}/{rnd['id']}/needs")).json()["items"]
    assert len(board) == 3  # no duplicates


async def test_residents_post_needs_and_workers_or_reviewers_screen_them(api: Api) -> None:
    rnd = await open_round(api)
    posted = await api.post(RESIDENT, f"{R}/{rnd['id']}/needs", {"title": "小区缺少休息座椅"})
    assert posted.status_code == 201 and posted.json()["screening"] == "pending"
    outsider = await api.post(RESIDENT2, f"{R}/{rnd['id']}/needs", {"title": "x"})
    assert outsider.status_code == 403
    url = f"/api/v1/ventures/needs/{posted.json()['id']}/screen"
    assert (await api.post(RESIDENT, url, {"selected": True})).status_code == 403
    no_reason = await api.post(WORKER, url, {"selected": False})
    assert no_reason.status_code == 422
    screened = await api.post(REVIEWER, url, {"selected": False, "reason": "物业已在安排"})
    assert screened.json()["screening"] == "not_selected"
    assert screened.json()["screening_reason"] == "物业已在安排"

    cited = await draft(api, rnd["id"], need_ids=[posted.json()["id"]])
    assert cited["need_ids"] == [posted.json()["id"]]
    other = await open_round(api)
    foreign = await api.post(
        RESIDENT,
        f"{R}/{other['id']}/proposals",
        {**draft_body(), "need_ids": [posted.json()["id"]]},
    )
    assert foreign.status_code == 422 and foreign.json()["field"] == "need_ids"
