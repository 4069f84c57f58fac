"""The lists send plain dicts (orders/lists.py), not the schema's models: their bytes must be
what `OrderPage` would have answered, in every relation a caller can have to an order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import select

from backend.orders.models import OrderPage
from backend.places.models import Building
from tests.factories import PROVIDER_STAFF, RESIDENT, VOLUNTEER, WORKER, Api


def _as_the_model_answers(body: bytes) -> bytes:
    """What Litestar sent for an `OrderPage` before: msgspec over pydantic's JSON-mode dump."""
    return msgspec.json.encode(OrderPage.model_validate_json(body).model_dump(mode="json"))


async def _world_of_orders(api: Api) -> None:
    async with api.sessions() as session:
        building = await session.scalar(
            select(Building.id).where(Building.community_id == api.world["demo"])
        )
    start = datetime.now(UTC) + timedelta(days=1)
    # in the hall: seen by a volunteer with a masked name, without room or address
    await api.pooled()
    detailed = await api.order(
        building_id=building,
        room="3-201",
        address_text="幸福路1号",
        preferred_start=start.isoformat(),
        preferred_end=(start + timedelta(hours=2)).isoformat(),
        urgency="urgent",
    )
    await api.act(WORKER, detailed["id"], "dispatch", {"mode": "pool"})
    # ordered by a worker for an elder (a proxy), assigned to an organisation
    proxied = await api.order(
        WORKER, code="meal", beneficiary={"name": "钱淑珍", "phone": "13900000021"}
    )
    provider = {"mode": "assign", "provider_id": api.world["provider"]}
    assert (await api.act(WORKER, proxied["id"], "dispatch", provider)).status_code == 200
    # done, with whole hours (a float the JSON writes as 1.0), and rated with a comment
    done = await api.pooled()
    for action, body in (
        ("accept", None),
        ("start", None),
        ("complete", {"note": "买好了", "hours": 1}),
    ):
        assert (await api.act(VOLUNTEER, done["id"], action, body)).status_code == 200
    rating = {"stars": 4, "timeliness": 5, "attitude": 4, "quality": 5, "comment": "很及时"}
    assert (await api.act(RESIDENT, done["id"], "rate", rating)).status_code == 200
    await api.order()  # still waiting for dispatch


async def test_every_list_answers_the_bytes_the_models_would(api: Api) -> None:
    await _world_of_orders(api)
    lists = [
        (VOLUNTEER, {"view": "pool"}),
        (VOLUNTEER, {"view": "pool", "sort": "deadline"}),
        (VOLUNTEER, {"view": "assigned"}),
        (RESIDENT, {"view": "mine"}),
        (WORKER, {"view": "mine"}),
        (WORKER, {"view": "community"}),
        (WORKER, {"view": "community", "status": "submitted", "sort": "deadline"}),
        (WORKER, {"view": "community", "due": "soon"}),
        (PROVIDER_STAFF, {"view": "assigned", "sort": "deadline"}),
    ]
    bodies = []
    for phone, params in lists:
        cursor = None
        while True:  # two orders a page, so the cursors are answered too
            more = {"cursor": cursor} if cursor else {}
            answer = await api.get(phone, "/api/v1/orders", limit=2, **params, **more)
            assert answer.status_code == 200, answer.text
            assert answer.content == _as_the_model_answers(answer.content), params
            bodies.append(answer.content)
            cursor = answer.json()["next_cursor"]
            if cursor is None:
                break
    items = [o for body in bodies for o in msgspec.json.decode(body)["items"]]
    # the cases above were all met: the hall's masked view, a proxy, an organisation, a rating,
    # whole hours, a building and a preferred time
    hall = [o for o in items if o["resident"]["name"].endswith("*")]
    assert hall and all(o["contact"] is None and o["address_text"] is None for o in hall)
    assert any(o["proxy"] for o in items)
    assert any(o["assignee"] and o["assignee"]["kind"] == "provider" for o in items)
    assert any(o["rating"] and o["rating"]["comment"] == "很及时" for o in items)
    assert any(b'"hours":1.0,' in body for body in bodies)
    assert any(o["building"] and o["preferred_start"] for o in items)
    assert any(o["contact"] and o["contact"]["room"] == "3-201" for o in items)
