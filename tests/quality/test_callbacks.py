"""Callbacks (回访): a stratified sample, elders first, never twice, the same list when asked
again; calls recorded; a complaint reopens the order; the monthly completion rate."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from tests.factories import RESIDENT, VOLUNTEER, WORKER, WORKER2
from tests.quality.helpers import completed_orders

OCT = datetime(2026, 10, 15, 4, tzinfo=UTC)
SEPT = datetime(2026, 9, 10, 4, tzinfo=UTC)


def lists(api) -> str:
    return f"/api/v1/communities/{api.world['demo']}/callback-lists"


async def test_sample_is_stratified_prefers_elders_and_is_the_same_when_asked_again(api):
    # 张秀英 (born 1948) is an elder; 刘洋 (born 1996) is not
    party_elder = await completed_orders(api, 30, at=OCT, taker_phone="13800000003")
    party_young = await completed_orders(
        api, 30, at=OCT, taker_phone="13800000003", resident_phone="13800000004"
    )
    provider = await completed_orders(api, 20, at=OCT, provider=True, status="closed")
    await completed_orders(api, 5, at=SEPT)  # another month: never drawn for October

    first = await api.post(WORKER, lists(api), {"month": "2026-10", "size": 20})
    assert first.status_code == 200, first.text
    items = first.json()["items"]
    assert len(items) == 20
    strata = Counter(i["stratum"] for i in items)
    # 60 vs 20 orders: 15 and 5 seats
    assert sorted(strata.values()) == [5, 15]
    drawn = {i["order"]["id"] for i in items}
    assert drawn <= set(party_elder) | set(party_young) | set(provider)
    party_drawn = [i for i in items if i["stratum"].startswith("user:")]
    assert all(i["elder"] for i in party_drawn)  # 30 elders' orders fill the 15 seats
    assert all(i["resident"]["phone"] == RESIDENT for i in party_drawn)
    assert party_drawn[0]["resident"]["age"] >= 60

    again = await api.post(WORKER, lists(api), {"month": "2026-10", "size": 99})
    assert again.json() == first.json()
    shown = await api.get(WORKER, f"{lists(api)}/2026-10")
    assert shown.json() == first.json()


async def test_never_the_same_order_twice_and_an_empty_month_is_an_empty_list(api):
    orders = await completed_orders(api, 3, at=OCT)
    october = (await api.post(WORKER, lists(api), {"month": "2026-10"})).json()
    assert sorted(i["order"]["id"] for i in october["items"]) == orders
    empty = await api.post(WORKER, lists(api), {"month": "2026-08"})
    assert empty.status_code == 200 and empty.json()["items"] == []
    # a second community's worker cannot see or make the demo community's list
    assert (await api.get(WORKER2, f"{lists(api)}/2026-10")).status_code == 404
    assert (await api.post(VOLUNTEER, lists(api), {"month": "2026-10"})).status_code == 403
    bad = await api.post(WORKER, lists(api), {"month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "month"


async def test_two_workers_asking_at_once_get_one_list(api):
    await completed_orders(api, 40, at=OCT)
    answers = await asyncio.gather(
        *(api.post(WORKER, lists(api), {"month": "2026-10", "size": 10}) for _ in range(4))
    )
    assert {a.status_code for a in answers} == {200}
    assert len({tuple(i["id"] for i in a.json()["items"]) for a in answers}) == 1


async def test_recording_calls_and_the_monthly_rate(api):
    await completed_orders(api, 4, at=OCT)
    items = (await api.post(WORKER, lists(api), {"month": "2026-10"})).json()["items"]
    url = "/api/v1/callbacks/{}/record"
    missing = await api.post(WORKER, url.format(items[0]["id"]), {"outcome": "reached"})
    assert missing.status_code == 422 and missing.json()["field"] == "on_time"
    reached = await api.post(
        WORKER,
        url.format(items[0]["id"]),
        {"outcome": "reached", "on_time": True, "satisfaction": 5, "notes": "很满意"},
    )
    assert reached.status_code == 200 and reached.json()["satisfaction"] == 5
    again = await api.post(WORKER, url.format(items[0]["id"]), {"outcome": "refused"})
    assert again.status_code == 409
    assert (await api.post(WORKER, url.format(items[1]["id"]), {"outcome": "refused"})).is_success
    no_answer = {"outcome": "not_reached", "notes": "无人接听"}
    assert (await api.post(WORKER, url.format(items[2]["id"]), no_answer)).json()["attempts"] == 1
    assert (await api.post(WORKER, url.format(items[2]["id"]), no_answer)).json()["attempts"] == 2
    assert (await api.post(WORKER2, url.format(items[3]["id"]), no_answer)).status_code == 404

    rates = await api.get(
        WORKER, f"/api/v1/communities/{api.world['demo']}/callback-rates", year=2026
    )
    assert rates.json() == [
        {
            "month": "2026-10",
            "total": 4,
            "reached": 1,
            "not_reached": 1,
            "refused": 1,
            "pending": 1,
            "completion_rate": 0.5,
            "reach_rate": 0.25,
        }
    ]


async def test_a_complaint_reopens_an_unrated_order_but_not_a_closed_one(api):
    [order_id] = await completed_orders(api, 1, at=OCT)
    [rated_id] = await completed_orders(api, 1, at=OCT, status="closed", prefix="R")
    items = (await api.post(WORKER, lists(api), {"month": "2026-10"})).json()["items"]
    [call] = [i for i in items if i["order"]["id"] == order_id]
    [rated] = [i for i in items if i["order"]["id"] == rated_id]
    bad = await api.post(
        WORKER, f"/api/v1/callbacks/{call['id']}/record", {"outcome": "refused", "reopen": True}
    )
    assert bad.status_code == 422
    answer = await api.post(
        WORKER,
        f"/api/v1/callbacks/{call['id']}/record",
        {
            "outcome": "reached",
            "on_time": False,
            "satisfaction": 1,
            "complaint": True,
            "reopen": True,
            "notes": "根本没来",
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["complaint"] is True and answer.json()["order"]["status"] == "submitted"
    detail = (await api.get(WORKER, f"/api/v1/orders/{order_id}")).json()
    assert detail["timeline"][-1]["action"] == "complaint"
    assert detail["timeline"][-1]["note"] == "根本没来"
    assert "dispatch" in detail["allowed_actions"]

    # closed stays closed: the complaint is not recorded either (one transaction)
    complaint = {"outcome": "reached", "on_time": True, "satisfaction": 2, "complaint": True}
    refused = await api.post(
        WORKER, f"/api/v1/callbacks/{rated['id']}/record", complaint | {"reopen": True}
    )
    assert refused.status_code == 409
    kept = await api.post(WORKER, f"/api/v1/callbacks/{rated['id']}/record", complaint)
    assert kept.status_code == 200 and kept.json()["attempts"] == 1
    assert kept.json()["order"]["status"] == "closed"
