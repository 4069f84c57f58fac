"""Who may see and do what: 404 for what is not yours to see, 403 for an action not yours."""

from __future__ import annotations

import pytest

from tests.factories import (
    ADMIN,
    PARTY,
    PROVIDER_STAFF,
    RESIDENT,
    RESIDENT2,
    REVIEWER,
    VOLUNTEER,
    VOLUNTEER2,
    WORKER,
    WORKER2,
    Api,
)

BODIES = {
    "dispatch": {"mode": "pool"},
    "accept": {},
    "decline": {"reason": "x"},
    "start": {},
    "complete": {"note": "x", "hours": 1},
    "rate": {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5},
    "cancel": {"reason": "x"},
    "reject": {"reason": "x"},
    "reopen": {"reason": "x"},
}


@pytest.mark.parametrize("stranger", [RESIDENT2, WORKER2, VOLUNTEER2])
async def test_another_communitys_order_is_not_found_for_every_verb(
    api: Api, stranger: str
) -> None:
    order = await api.pooled()
    assert (await api.get(stranger, f"/api/v1/orders/{order['id']}")).status_code == 404
    for action, body in BODIES.items():
        answer = await api.act(stranger, order["id"], action, body)
        assert answer.status_code == 404, (action, answer.text)
        assert answer.json()["code"] == "order.not_found"
    for view in ("mine", "community", "pool", "assigned"):
        listed = (await api.get(stranger, "/api/v1/orders", view=view)).json()["items"]
        assert order["id"] not in [o["id"] for o in listed]


async def test_a_neighbours_order_is_not_found_for_another_resident(api: Api) -> None:
    order = await api.order(RESIDENT)
    assert (await api.get(PARTY, f"/api/v1/orders/{order['id']}")).status_code == 404
    assert (await api.act(PARTY, order["id"], "cancel", {"reason": "x"})).status_code == 404


async def test_actions_that_are_not_yours_are_forbidden(api: Api) -> None:
    order = await api.order()
    dispatch = await api.act(RESIDENT, order["id"], "dispatch", {"mode": "pool"})
    assert dispatch.status_code == 403
    assert dispatch.json()["code"] == "order.action_forbidden"
    await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    assert (await api.act(RESIDENT, order["id"], "accept")).status_code == 403
    assert (await api.act(VOLUNTEER, order["id"], "start")).status_code == 403
    assert (await api.act(VOLUNTEER, order["id"], "rate", BODIES["rate"])).status_code == 403


async def test_admin_of_the_street_sees_but_does_not_act(api: Api) -> None:
    order = await api.order()
    seen = await api.get(ADMIN, f"/api/v1/orders/{order['id']}")
    assert seen.status_code == 200 and seen.json()["allowed_actions"] == []
    assert seen.json()["contact"] is None
    assert (await api.act(ADMIN, order["id"], "dispatch", {"mode": "pool"})).status_code == 403
    board = (await api.get(ADMIN, "/api/v1/orders", view="community")).json()["items"]
    assert [o["id"] for o in board] == [order["id"]]


async def test_reviewer_and_provider_staff_do_not_see_unrelated_orders(api: Api) -> None:
    order = await api.pooled()
    for outsider in (REVIEWER, PROVIDER_STAFF):
        assert (await api.get(outsider, f"/api/v1/orders/{order['id']}")).status_code == 404


async def test_only_residents_and_workers_order_and_only_workers_order_for_others(
    api: Api,
) -> None:
    body = {
        "community_id": api.world["demo"],
        "category_id": await api.category("errand"),
        "description": "x",
    }
    assert (await api.post(PROVIDER_STAFF, "/api/v1/orders", body)).status_code == 403
    proxy = {**body, "beneficiary": {"name": "老人", "phone": "13900000001"}}
    answer = await api.post(RESIDENT, "/api/v1/orders", proxy)
    assert answer.status_code == 403
    assert answer.json()["code"] == "order.proxy_requires_worker"
    other = {**body, "community_id": api.world["second"]}
    assert (await api.post(RESIDENT, "/api/v1/orders", other)).status_code == 404


async def test_pool_shows_the_building_but_not_the_room_phone_or_full_name(api: Api) -> None:
    order = await api.pooled()
    seen = (await api.get(VOLUNTEER, f"/api/v1/orders/{order['id']}")).json()
    assert seen["building"] is not None
    assert seen["contact"] is None and seen["address_text"] is None
    assert seen["resident"]["name"] == "张**"
    assert RESIDENT not in str(seen)


async def test_category_reserved_to_party_members_is_not_in_a_plain_volunteers_hall(
    api: Api,
) -> None:
    order = await api.order(code="mediation")
    await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    hall = (await api.get(VOLUNTEER, "/api/v1/orders", view="pool")).json()["items"]
    assert hall == []
    assert (await api.act(VOLUNTEER, order["id"], "accept")).status_code == 404
    party_hall = (await api.get(PARTY, "/api/v1/orders", view="pool")).json()["items"]
    assert [o["id"] for o in party_hall] == [order["id"]]


async def test_catalogue_is_for_members_only(api: Api) -> None:
    mine = await api.get(RESIDENT, f"/api/v1/communities/{api.world['demo']}/categories")
    assert mine.status_code == 200 and len(mine.json()) >= 12
    other = await api.get(RESIDENT, f"/api/v1/communities/{api.world['second']}/categories")
    assert other.status_code == 404


async def test_no_token_is_401_everywhere_in_the_api(api: Api) -> None:
    for url in ("/api/v1/me", "/api/v1/orders", "/api/v1/orders/1"):
        answer = await api.client.get(url)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_volunteer_cannot_claim_their_own_order_from_the_hall(api: Api) -> None:
    order = await api.order(VOLUNTEER)  # 刘洋 is a resident too
    await api.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    mine = (await api.get(VOLUNTEER, f"/api/v1/orders/{order['id']}")).json()
    assert mine["allowed_actions"] == ["cancel"]
    hall = (await api.get(VOLUNTEER, "/api/v1/orders", view="pool")).json()["items"]
    assert hall == []
    assert (await api.act(VOLUNTEER, order["id"], "accept")).status_code == 403
