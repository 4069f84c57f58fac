"""Provider directory (USCC checksum), volunteer teams, quarterly scores and frozen rankings."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from backend.orders.models import Rating
from backend.quality import periods
from backend.quality.models import Callback
from tests.factories import ADMIN, PARTY, RESIDENT, VOLUNTEER, WORKER, uscc
from tests.quality.helpers import completed_orders, user_id

JULY = datetime(2026, 7, 20, 4, tzinfo=UTC)  # 2026Q3, a past quarter
GOOD_USCC = "91310000MA1FL8TQ36"  # the demo provider's


async def _provider(api, name: str, body17: str) -> int:
    answer = await api.post(
        ADMIN,
        "/api/v1/providers",
        {
            "name": name,
            "uscc": uscc(body17),
            "grade": "4A",
            "categories": ["meal"],
            "contact_name": "王经理",
            "contact_phone": "13912345678",
            "community_ids": [api.world["demo"]],
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def test_directory_checks_the_code_and_lists_contact_and_staff(api):
    bad = await api.post(
        ADMIN, "/api/v1/providers", {"name": "假机构", "uscc": GOOD_USCC[:-1] + "0"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "uscc"
    taken = await api.post(ADMIN, "/api/v1/providers", {"name": "重复", "uscc": GOOD_USCC})
    assert taken.status_code == 409
    assert (
        await api.post(WORKER, "/api/v1/providers", {"name": "某机构", "uscc": GOOD_USCC})
    ).status_code == 403
    new = await _provider(api, "乐龄助浴", "91310000MA1FL8TQ5")
    staff = await api.post(
        ADMIN, f"/api/v1/providers/{new}/staff", {"user_id": await user_id(api, VOLUNTEER)}
    )
    assert staff.json()["staff"] == [{"id": await user_id(api, VOLUNTEER), "name": "刘洋"}]
    listed = (await api.get(WORKER, "/api/v1/providers", community_id=api.world["demo"])).json()
    assert [p["name"] for p in listed] == ["银发餐桌", "乐龄助浴"]
    assert listed[1]["grade"] == "4A" and listed[1]["contact_phone"] == "13912345678"
    assert (await api.get(RESIDENT, "/api/v1/providers")).json()[1]["staff"] == []


async def test_quarter_scores_rank_award_notice_and_minimum_sample(api):
    team = await api.post(
        WORKER,
        f"/api/v1/communities/{api.world['demo']}/teams",
        {"name": "红梅服务队", "member_ids": [await user_id(api, PARTY)]},
    )
    assert team.status_code == 201
    others = [await _provider(api, f"机构{n}", f"9132000{n}MA1FL8TQ3") for n in range(5)]
    # the demo provider: 12 orders, all on time, rated 5 → the top
    best = await completed_orders(api, 12, at=JULY, provider=True, status="closed", prefix="A")
    async with api.sessions() as session:
        for order_id in best:
            session.add(
                Rating(order_id=order_id, rater_id=1, stars=5, timeliness=5, attitude=5, quality=5)
            )
        await session.commit()
    # five more providers, each 10 late orders; the team has 3 orders (too few)
    for n, pid in enumerate(others):
        ids = await completed_orders(api, 10, at=JULY, provider=True, late=n < 3, prefix=f"P{n}")
        async with api.sessions() as session:
            from backend.orders.models import Order

            await session.execute(
                update(Order).where(Order.id.in_(ids)).values(assignee_provider_id=pid)
            )
            await session.commit()
    await completed_orders(api, 3, at=JULY, prefix="T")

    answer = await api.get(WORKER, "/api/v1/quality/rankings", quarter="2026Q3")
    assert answer.status_code == 200, answer.text
    ranking = answer.json()
    assert ranking["frozen"] is True
    assert ranking["formula"]["weights"] == {
        "ratings": 40,
        "callbacks": 30,
        "on_time": 20,
        "complaints": 10,
    }
    top = ranking["items"][0]
    assert (top["name"], top["score"], top["rank"], top["award"]) == ("银发餐桌", 100.0, 1, True)
    # unrated, no callbacks: on-time and complaints carry the weight (20 + 10)
    on_time = [x for x in ranking["items"] if x["name"] in ("机构3", "机构4")]
    assert {x["score"] for x in on_time} == {100.0}
    late = [x for x in ranking["items"] if x["name"] in ("机构0", "机构1", "机构2")]
    assert {x["score"] for x in late} == {33.3}
    assert all(x["notice"] for x in late) and not any(x["notice"] for x in on_time)

    teams = (
        await api.get(WORKER, "/api/v1/quality/rankings", quarter="2026Q3", kind="team")
    ).json()
    [line] = teams["items"]
    assert (
        line["sample"] == 3
        and line["insufficient_sample"]
        and line["score"] is None
        and line["rank"] is None
    )

    # the past quarter stays as computed, even when its data changes afterwards
    async with api.sessions() as session:
        await session.execute(update(Rating).values(stars=1))
        await session.commit()
    again = (await api.get(WORKER, "/api/v1/quality/rankings", quarter="2026Q3")).json()
    assert again["items"][0]["score"] == 100.0 and again["computed_at"] == ranking["computed_at"]
    assert (await api.get(RESIDENT, "/api/v1/quality/rankings")).status_code == 403
    future = await api.get(WORKER, "/api/v1/quality/rankings", quarter="2099Q1")
    assert future.status_code == 422 and future.json()["field"] == "quarter"


async def test_callback_satisfaction_and_complaints_count(api):
    now_quarter = periods.quarter_of(datetime.now(UTC))
    at = datetime.now(UTC).replace(microsecond=0)
    ids = await completed_orders(api, 10, at=at, provider=True)
    month = periods.month_of(at)
    items = (
        await api.post(
            WORKER, f"/api/v1/communities/{api.world['demo']}/callback-lists", {"month": month}
        )
    ).json()["items"]
    async with api.sessions() as session:
        await session.execute(
            update(Callback).values(outcome="reached", on_time=True, satisfaction=3)
        )
        await session.execute(
            update(Callback).where(Callback.order_id == ids[0]).values(complaint=True)
        )
        await session.commit()
    assert len(items) == 10
    live = (await api.get(WORKER, "/api/v1/quality/rankings")).json()
    assert live["quarter"] == now_quarter and live["frozen"] is False
    [line] = [x for x in live["items"] if x["name"] == "银发餐桌"]
    assert line["inputs"]["avg_satisfaction"] == 3.0 and line["inputs"]["complaints"] == 1
    # callbacks 30 × 0.5 + on time 20 × 1 + complaints 10 × 0.9, over 60
    assert line["score"] == round(100 * (15 + 20 + 9) / 60, 1)
