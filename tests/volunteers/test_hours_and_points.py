"""Hours from finished orders, bounded and confirmed once; points earned, spent and corrected
through a ledger that never goes negative."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from backend.volunteers.models import PointsPosting
from tests.factories import PARTY, RESIDENT, VOLUNTEER, WORKER, WORKER2
from tests.quality.helpers import age_order, completed_orders, user_id

RATE = {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5}


def community(api, tail: str) -> str:
    return f"/api/v1/communities/{api.world['demo']}/{tail}"


async def _done_by_party(api, hours: float) -> int:
    order = await api.pooled()
    await api.act(PARTY, order["id"], "accept")
    await api.act(PARTY, order["id"], "start")
    await age_order(api, order["id"], started_at=timedelta(hours=2))
    await api.act(PARTY, order["id"], "complete", {"note": "办好了", "hours": hours})
    return order["id"]


async def test_rating_confirms_hours_bounded_by_the_span_and_earns_points(api):
    order_id = await _done_by_party(api, 3)  # reported 3 h, but started only 2 h ago
    assert (await api.get(PARTY, f"/api/v1/orders/{order_id}/hours")).status_code == 404
    assert (await api.act(RESIDENT, order_id, "rate", RATE)).status_code == 200
    hours = (await api.get(PARTY, f"/api/v1/orders/{order_id}/hours")).json()
    assert (hours["reported_hours"], hours["credited_hours"]) == (3.0, 2.0)
    assert (hours["points"], hours["source"]) == (20, "rating")
    # a worker confirming afterwards changes nothing
    again = await api.post(WORKER, f"/api/v1/orders/{order_id}/confirm-hours")
    assert again.status_code == 409 and again.json()["code"] == "hours.already_confirmed"

    statement = (await api.get(PARTY, community(api, "points/statement"))).json()
    assert statement["balance"] == 20 and statement["hours_total"] == 2.0
    [month] = statement["months"]
    assert (month["hours"], month["earned"], month["redeemed"]) == (2.0, 20, 0)
    assert month["movements"][0]["order_id"] == order_id


async def test_worker_confirms_and_a_day_holds_at_most_24_hours(api):
    day = datetime(2026, 10, 15, 6, tzinfo=UTC)
    first, second = await completed_orders(api, 2, at=day, hours=20, span=timedelta(hours=22))
    rule = await api.client.put(
        community(api, "points/rule"),
        json={"points_per_hour": 5},
        headers=await api.headers(WORKER),
    )
    assert rule.json() == {"community_id": api.world["demo"], "points_per_hour": 5}
    one = await api.post(WORKER, f"/api/v1/orders/{first}/confirm-hours")
    two = await api.post(WORKER, f"/api/v1/orders/{second}/confirm-hours")
    assert (one.json()["credited_hours"], one.json()["points"]) == (20.0, 100)
    assert (two.json()["credited_hours"], two.json()["points"]) == (4.0, 20)
    assert (await api.post(WORKER2, f"/api/v1/orders/{first}/confirm-hours")).status_code == 404
    assert (await api.post(PARTY, f"/api/v1/orders/{first}/confirm-hours")).status_code == 403


async def test_redeeming_never_goes_below_zero_and_stock_is_respected(api):
    party = await user_id(api, PARTY)
    give = await api.post(
        WORKER,
        community(api, "points/corrections"),
        {"user_id": party, "points": 30, "reason": "补录"},
    )
    assert give.status_code == 201 and give.json()["balance"] == 30
    reward = await api.post(
        WORKER, community(api, "rewards"), {"name": "大米一袋", "cost": 20, "stock": 5}
    )
    assert reward.status_code == 201
    url = f"/api/v1/rewards/{reward.json()['id']}/redeem"
    too_many = await api.post(PARTY, url, {"quantity": 2})
    assert too_many.status_code == 409 and too_many.json()["code"] == "points.insufficient"
    spent = await api.post(PARTY, url, {"quantity": 1})
    assert spent.status_code == 201 and spent.json()["balance"] == 10
    assert (await api.post(PARTY, url)).status_code == 409
    take = {"user_id": party, "points": -11, "reason": "多记了"}
    assert (await api.post(WORKER, community(api, "points/corrections"), take)).status_code == 409
    no_reason = {"user_id": party, "points": -1, "reason": ""}
    answer = await api.post(WORKER, community(api, "points/corrections"), no_reason)
    assert answer.status_code == 422 and answer.json()["field"] == "reason"
    [listed] = (await api.get(VOLUNTEER, community(api, "rewards"))).json()
    assert listed["stock"] == 4

    statement = (await api.get(PARTY, community(api, "points/statement"))).json()
    [month] = statement["months"]
    assert (month["corrected"], month["redeemed"], statement["balance"]) == (30, -20, 10)
    async with api.sessions() as session:  # double entry: all postings sum to zero
        assert await session.scalar(select(func.sum(PointsPosting.amount))) == 0


async def test_two_volunteers_redeeming_the_last_item_at_once_one_wins(api):
    people = [await user_id(api, PARTY), await user_id(api, VOLUNTEER)]
    for person in people:
        body = {"user_id": person, "points": 50, "reason": "活动奖励"}
        await api.post(WORKER, community(api, "points/corrections"), body)
    reward = await api.post(
        WORKER, community(api, "rewards"), {"name": "毛巾", "cost": 10, "stock": 1}
    )
    url = f"/api/v1/rewards/{reward.json()['id']}/redeem"
    answers = await asyncio.gather(*(api.post(phone, url) for phone in (PARTY, VOLUNTEER) * 3))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409, 409, 409, 409, 409]
    balances = [
        (await api.get(phone, community(api, "points/statement"))).json()["balance"]
        for phone in (PARTY, VOLUNTEER)
    ]
    assert sorted(balances) == [40, 50]


async def test_leaderboard_respects_opt_out(api):
    day = datetime.now(UTC) - timedelta(hours=1)
    for order_id in await completed_orders(api, 2, at=day):
        await api.post(WORKER, f"/api/v1/orders/{order_id}/confirm-hours")
    [order_id] = await completed_orders(api, 1, at=day, taker_phone=VOLUNTEER, prefix="V")
    await api.post(WORKER, f"/api/v1/orders/{order_id}/confirm-hours")
    board = (await api.get(RESIDENT, community(api, "leaderboard"))).json()
    assert [(line["rank"], line["hours"]) for line in board] == [(1, 3.0), (2, 1.5)]
    opt = await api.client.put(
        "/api/v1/volunteers/me/preferences",
        json={"leaderboard_opt_out": True},
        headers=await api.headers(PARTY),
    )
    assert opt.status_code == 200
    board = (await api.get(RESIDENT, community(api, "leaderboard"))).json()
    assert [line["name"] for line in board] == ["刘洋"]
