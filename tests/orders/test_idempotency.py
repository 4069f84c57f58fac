"""`Idempotency-Key` on order creation: retries and concurrent replays create one order."""

from __future__ import annotations

import asyncio

from tests.factories import RESIDENT, Api


async def _body(api: Api, description: str = "帮忙买菜") -> dict:
    return {
        "community_id": api.world["demo"],
        "category_id": await api.category("errand"),
        "description": description,
    }


async def test_a_retry_answers_the_first_order_again(api: Api) -> None:
    body = await _body(api)
    first = await api.post(RESIDENT, "/api/v1/orders", body, **{"Idempotency-Key": "k-1"})
    again = await api.post(RESIDENT, "/api/v1/orders", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    mine = (await api.get(RESIDENT, "/api/v1/orders", view="mine")).json()["items"]
    assert len(mine) == 1


async def test_concurrent_replays_create_exactly_one_order(api: Api) -> None:
    body = await _body(api)
    headers = await api.headers(RESIDENT, **{"Idempotency-Key": "same-key"})
    answers = await asyncio.gather(
        *(api.client.post("/api/v1/orders", json=body, headers=headers) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    mine = (await api.get(RESIDENT, "/api/v1/orders", view="mine")).json()["items"]
    assert len(mine) == 1


async def test_the_same_key_with_another_body_is_refused(api: Api) -> None:
    await api.post(RESIDENT, "/api/v1/orders", await _body(api), **{"Idempotency-Key": "k-2"})
    other = await api.post(
        RESIDENT, "/api/v1/orders", await _body(api, "别的事"), **{"Idempotency-Key": "k-2"}
    )
    assert other.status_code == 422
    assert other.json()["field"] == "Idempotency-Key"
    assert other.json()["code"] == "order.idempotency_mismatch"


async def test_without_a_key_each_post_is_a_new_order(api: Api) -> None:
    body = await _body(api)
    first = await api.post(RESIDENT, "/api/v1/orders", body)
    second = await api.post(RESIDENT, "/api/v1/orders", body)
    assert first.json()["id"] != second.json()["id"]
    assert first.json()["number"] != second.json()["number"]
