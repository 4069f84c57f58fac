"""Hostile and mistaken input: 422 naming the field, 409 on the wrong status, no half-writes."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.factories import PARTY, RESIDENT, VOLUNTEER, WORKER, Api


async def _order_body(api: Api, **fields: object) -> dict:
    return {
        "community_id": api.world["demo"],
        "category_id": await api.category("errand"),
        "description": "帮忙",
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "长" * 2001}, "description"),
        ({"description": ""}, "description"),
        ({"urgency": "asap"}, "urgency"),
        ({"community_id": "one"}, "community_id"),
        ({"surprise": True}, "surprise"),
        ({"preferred_start": "2026-11-23T09:00:00"}, "preferred_start"),  # no time zone
        ({"beneficiary": {"name": "老人", "phone": "12345"}}, "beneficiary.phone"),
    ],
)
async def test_bad_order_fields_are_named(api: Api, fields: dict, field: str) -> None:
    answer = await api.post(WORKER, "/api/v1/orders", await _order_body(api, **fields))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == "request.invalid"
    assert field in [e["field"] for e in problem["errors"]]


async def test_references_into_another_community_are_invalid(api: Api) -> None:
    other_category = await api.category("errand", "second")
    answer = await api.post(
        RESIDENT, "/api/v1/orders", await _order_body(api, category_id=other_category)
    )
    assert answer.status_code == 422 and answer.json()["field"] == "category_id"
    answer = await api.post(RESIDENT, "/api/v1/orders", await _order_body(api, building_id=99999))
    assert answer.status_code == 422 and answer.json()["field"] == "building_id"
    answer = await api.post(
        RESIDENT,
        "/api/v1/orders",
        await _order_body(
            api,
            preferred_start="2026-11-23T10:00:00+08:00",
            preferred_end="2026-11-23T09:00:00+08:00",
        ),
    )
    assert answer.status_code == 422 and answer.json()["field"] == "preferred_end"


@pytest.mark.parametrize("hours", [0, -1, 24.5, "many"])
async def test_hours_outside_0_to_24_are_refused(api: Api, hours: object) -> None:
    order = await api.pooled()
    await api.act(VOLUNTEER, order["id"], "accept")
    await api.act(VOLUNTEER, order["id"], "start")
    answer = await api.act(VOLUNTEER, order["id"], "complete", {"note": "好了", "hours": hours})
    assert answer.status_code == 422 and answer.json()["field"] == "hours"


@pytest.mark.parametrize("field", ["stars", "timeliness", "attitude", "quality"])
@pytest.mark.parametrize("value", [0, 6])
async def test_scores_outside_1_to_5_are_refused(api: Api, field: str, value: int) -> None:
    order = await _completed(api)
    body = {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5, field: value}
    answer = await api.act(RESIDENT, order["id"], "rate", body)
    assert answer.status_code == 422 and answer.json()["field"] == field


async def _completed(api: Api) -> dict:
    order = await api.pooled()
    await api.act(PARTY, order["id"], "accept")
    await api.act(PARTY, order["id"], "start")
    return (await api.act(PARTY, order["id"], "complete", {"note": "好了", "hours": 2})).json()


async def test_rating_twice_is_a_conflict(api: Api) -> None:
    order = await _completed(api)
    body = {"stars": 4, "timeliness": 4, "attitude": 4, "quality": 4}
    assert (await api.act(RESIDENT, order["id"], "rate", body)).status_code == 200
    again = await api.act(RESIDENT, order["id"], "rate", body)
    assert again.status_code == 409 and again.json()["code"] == "order.illegal_transition"


async def test_a_transition_from_the_wrong_status_is_a_conflict(api: Api) -> None:
    order = await api.order()
    assert (await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})).status_code == 200
    again = await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    assert again.status_code == 409
    await api.act(VOLUNTEER, order["id"], "accept")
    late = await api.act(RESIDENT, order["id"], "cancel", {"reason": "算了"})
    assert late.status_code == 409  # a resident may cancel only before it is accepted


async def test_dispatch_to_someone_who_may_not_take_it_is_invalid(api: Api) -> None:
    order = await api.order()
    me = (await api.get(RESIDENT, "/api/v1/me")).json()
    answer = await api.act(
        WORKER, order["id"], "dispatch", {"mode": "assign", "assignee_user_id": me["id"]}
    )
    assert answer.status_code == 422 and answer.json()["field"] == "assignee_user_id"
    answer = await api.act(
        WORKER, order["id"], "dispatch", {"mode": "assign", "provider_id": 424242}
    )
    assert answer.status_code == 422 and answer.json()["field"] == "provider_id"
    legal = await api.order(code="bath")  # organisations only: no pool
    answer = await api.act(WORKER, legal["id"], "dispatch", {"mode": "pool"})
    assert answer.status_code == 422 and answer.json()["field"] == "mode"


async def test_malformed_json_is_a_problem_not_a_crash(api: Api) -> None:
    answer = await api.client.post(
        "/api/v1/orders",
        content=b"{not json",
        headers={**(await api.headers(RESIDENT)), "content-type": "application/json"},
    )
    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_failure_mid_transaction_leaves_nothing_behind_and_no_trace(api: Api) -> None:
    """The database fails while the rating is being written: the order stays completed,
    no rating or timeline entry survives, and the client sees a bare 500 problem."""
    order = await _completed(api)
    engine = api.app.state.database.writer.sync_engine

    def fail_on_event_insert(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO ORDEREVENT"):
            raise RuntimeError("disk on fire")

    event.listen(engine, "before_cursor_execute", fail_on_event_insert)
    try:
        answer = await api.act(
            RESIDENT,
            order["id"],
            "rate",
            {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5},
        )
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_event_insert)
    assert answer.status_code == 500
    assert answer.json()["code"] == "internal.error"
    assert "disk on fire" not in answer.text and "Traceback" not in answer.text
    after = (await api.get(RESIDENT, f"/api/v1/orders/{order['id']}")).json()
    assert after["status"] == "completed" and after["rating"] is None
    assert [e["action"] for e in after["timeline"]][-1] == "complete"
