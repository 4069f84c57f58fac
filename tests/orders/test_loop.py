"""The whole 点单 → 派单 → 接单 → 完成 → 评单 loop through the API, as the demo accounts."""

from __future__ import annotations

from tests.factories import PARTY, PROVIDER_STAFF, RESIDENT, VOLUNTEER, WORKER, Api


async def test_pool_loop_from_order_to_rating_with_a_full_timeline(api: Api) -> None:
    order = await api.order(description="楼道灯坏了", code="lighting", urgency="urgent")
    assert order["status"] == "submitted"
    assert order["number"].count("-") == 1 and len(order["number"]) == 13
    assert order["allowed_actions"] == ["cancel"]
    assert order["contact"]["phone"] == RESIDENT

    board = await api.get(WORKER, "/api/v1/orders", view="community")
    assert [o["id"] for o in board.json()["items"]] == [order["id"]]
    assert board.json()["items"][0]["allowed_actions"] == ["dispatch", "reject", "cancel"]

    dispatched = await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    assert dispatched.status_code == 200
    assert dispatched.json()["status"] == "dispatched"

    hall = (await api.get(PARTY, "/api/v1/orders", view="pool")).json()["items"]
    assert [o["id"] for o in hall] == [order["id"]]
    assert hall[0]["allowed_actions"] == ["accept"]
    assert hall[0]["contact"] is None  # no phone or room before the claim

    claimed = await api.act(PARTY, order["id"], "accept")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["assignee"]["name"] == "王红梅"
    assert claimed.json()["contact"]["phone"] == RESIDENT  # the taker may now call
    assert (await api.act(PARTY, order["id"], "start")).json()["status"] == "in_progress"
    done = await api.act(PARTY, order["id"], "complete", {"note": "换了灯泡", "hours": 0.5})
    assert done.json()["status"] == "completed" and done.json()["hours"] == 0.5

    resident_view = (await api.get(RESIDENT, f"/api/v1/orders/{order['id']}")).json()
    assert resident_view["allowed_actions"] == ["rate", "reopen"]
    rated = await api.act(
        RESIDENT,
        order["id"],
        "rate",
        {"stars": 5, "timeliness": 5, "attitude": 4, "quality": 5, "comment": "很及时"},
    )
    assert rated.status_code == 200
    final = rated.json()
    assert final["status"] == "closed"
    assert final["rating"]["attitude"] == 4
    assert final["allowed_actions"] == []
    steps = [
        (e["action"], e["from_status"], e["to_status"], e["actor"]["role"])
        for e in final["timeline"]
    ]
    assert steps == [
        ("submit", None, "submitted", "resident"),
        ("dispatch", "submitted", "dispatched", "worker"),
        ("accept", "dispatched", "accepted", "party_member"),
        ("start", "accepted", "in_progress", "party_member"),
        ("complete", "in_progress", "completed", "party_member"),
        ("rate", "completed", "closed", "resident"),
    ]
    assert final["timeline"][4]["note"] == "换了灯泡"


async def test_assigned_person_accepts_or_declines_back_to_the_worker(api: Api) -> None:
    order = await api.order()
    me = (await api.get(VOLUNTEER, "/api/v1/me")).json()
    answer = await api.act(
        WORKER, order["id"], "dispatch", {"mode": "assign", "assignee_user_id": me["id"]}
    )
    assert answer.json()["assignee"] == {"kind": "user", "id": me["id"], "name": "刘洋"}
    mine = (await api.get(VOLUNTEER, "/api/v1/orders", view="assigned")).json()["items"]
    assert mine[0]["allowed_actions"] == ["accept", "decline"]
    # Not in the pool, so another volunteer cannot see it at all.
    assert (await api.get(PARTY, f"/api/v1/orders/{order['id']}")).status_code == 404

    declined = await api.act(VOLUNTEER, order["id"], "decline", {"reason": "这周出差"})
    assert declined.status_code == 404  # handed back: no longer theirs to see
    back = (await api.get(WORKER, f"/api/v1/orders/{order['id']}")).json()
    assert back["status"] == "submitted" and back["assignee"] is None
    assert back["timeline"][-1]["note"] == "这周出差"


async def test_provider_staff_take_orders_dispatched_to_their_organisation(api: Api) -> None:
    order = await api.order(code="meal")
    answer = await api.act(
        WORKER, order["id"], "dispatch", {"mode": "assign", "provider_id": api.world["provider"]}
    )
    assert answer.json()["assignee"]["kind"] == "provider"
    assert (await api.act(PROVIDER_STAFF, order["id"], "accept")).status_code == 200
    assert (await api.act(PROVIDER_STAFF, order["id"], "start")).status_code == 200
    done = await api.act(PROVIDER_STAFF, order["id"], "complete", {"note": "已送达", "hours": 1})
    assert done.json()["timeline"][-1]["actor"]["role"] == "provider"


async def test_worker_orders_for_an_elder_who_then_can_sign_in_and_see_it(api: Api) -> None:
    order = await api.order(
        WORKER,
        code="escort",
        beneficiary={"name": "钱淑珍", "phone": "13900000021", "age": 83},
    )
    assert order["resident"]["name"] == "钱淑珍"
    assert order["proxy"]["name"] == "李建国"
    assert order["timeline"][0]["actor"]["role"] == "worker"
    mine = (await api.get(WORKER, "/api/v1/orders", view="mine")).json()["items"]
    assert [o["id"] for o in mine] == [order["id"]]


async def test_reopen_sends_an_unfinished_job_back_to_the_worker(api: Api) -> None:
    order = await api.pooled()
    await api.act(VOLUNTEER, order["id"], "accept")
    await api.act(VOLUNTEER, order["id"], "start")
    await api.act(VOLUNTEER, order["id"], "complete", {"note": "买好了", "hours": 1})
    reopened = await api.act(RESIDENT, order["id"], "reopen", {"reason": "买错了牌子"})
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "submitted" and body["assignee"] is None and body["hours"] is None
    assert body["timeline"][-1]["action"] == "reopen"


async def test_cancel_and_reject_record_the_reason(api: Api) -> None:
    first = await api.order()
    cancelled = await api.act(RESIDENT, first["id"], "cancel", {"reason": "不需要了"})
    assert cancelled.json()["status"] == "cancelled"
    second = await api.order()
    rejected = await api.act(WORKER, second["id"], "reject", {"reason": "不属于服务范围"})
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["timeline"][-1]["note"] == "不属于服务范围"
