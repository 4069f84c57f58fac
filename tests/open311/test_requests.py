"""GET requests: filters as the specification says, statuses read off the state machine, a 311
client following its request to closed as the community works it, and no resident's name or
phone number in any public answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from backend.auth.models import User
from backend.db import utcnow
from backend.open311.statuses import open311_status
from backend.orders.models import Order
from backend.orders.workflow import STATUSES
from tests.factories import PARTY, RESIDENT, WORKER, Api
from tests.open311.conftest import BASE, errors_of, filed, xml


async def _requests(api: Api, fmt: str = "json", **params: str):  # type: ignore[no-untyped-def]
    return await api.client.get(
        f"{BASE}/requests.{fmt}", params={"jurisdiction_id": "demo", **params}
    )


async def _numbers(api: Api, **params: str) -> list[str]:
    answer = await _requests(api, **params)
    assert answer.status_code == 200, answer.text
    return [item["service_request_id"] for item in answer.json()]


def test_every_status_maps_to_open_or_closed() -> None:
    mapped = {status: open311_status(status) for status in STATUSES}
    assert {s for s, v in mapped.items() if v == "closed"} == {
        "completed",
        "closed",
        "rejected",
        "cancelled",
    }


async def test_a_311_client_follows_its_request_to_closed(api: Api, key: str) -> None:
    number = await filed(api, key)

    async def status() -> tuple[str, str]:
        one = (await api.client.get(f"{BASE}/requests/{number}.json?jurisdiction_id=demo")).json()
        return one[0]["status"], one[0]["status_notes"]

    assert await status() == ("open", "submitted")
    page = (await api.get(WORKER, "/api/v1/orders", view="community")).json()
    order_id = next(o["id"] for o in page["items"] if o["number"] == number)
    assert (await api.act(WORKER, order_id, "dispatch", {"mode": "pool"})).status_code == 200
    assert (await api.act(PARTY, order_id, "accept")).status_code == 200
    assert await status() == ("open", "accepted")
    assert (await api.act(PARTY, order_id, "start")).status_code == 200
    done = await api.act(PARTY, order_id, "complete", {"note": "换了灯泡", "hours": 0.5})
    assert done.status_code == 200
    assert await status() == ("closed", "completed: 换了灯泡")
    one = xml(await api.client.get(f"{BASE}/requests/{number}.xml?jurisdiction_id=demo"))
    assert one[0].findtext("status") == "closed"
    assert one[0].findtext("agency_responsible") == "阳光社区"


async def test_filters(api: Api, key: str) -> None:
    lamp = await filed(api, key)
    pipe = await filed(api, key, service_code="plumbing")
    meal = (await api.order(RESIDENT, code="meal"))["number"]
    rejected = await api.order(RESIDENT, code="errand")
    await api.act(WORKER, rejected["id"], "reject", {"reason": "不在服务范围"})
    assert await _numbers(api) == [rejected["number"], meal, pipe, lamp]
    assert await _numbers(api, service_request_id=f"{lamp}, {meal},nope") == [meal, lamp]
    assert await _numbers(api, service_code="plumbing,meal") == [meal, pipe]
    assert await _numbers(api, status="closed") == [rejected["number"]]
    assert await _numbers(api, status="open") == [meal, pipe, lamp]
    assert await _numbers(api, status="open,closed") == await _numbers(api)
    notes = (await _requests(api, status="closed")).json()[0]["status_notes"]
    assert notes == "rejected: 不在服务范围"
    # Another community's requests never show here.
    assert await _numbers(api, service_request_id=lamp, jurisdiction_id="second") == []


async def test_date_window(api: Api, key: str) -> None:
    old, recent = await filed(api, key), await filed(api, key)
    async with api.sessions() as session:
        await session.execute(
            update(Order)
            .where(Order.number == old)
            .values(created_at=utcnow() - timedelta(days=100))
        )
        await session.commit()
    assert await _numbers(api) == [recent]  # default: the last 90 days
    start = (utcnow() - timedelta(days=120)).isoformat()
    end = (utcnow() - timedelta(days=60)).isoformat()
    assert await _numbers(api, start_date=start, end_date=end) == [old]
    assert await _numbers(api, start_date=start) == [old]  # 90 days from start
    assert await _numbers(api, end_date=end) == [old]  # 90 days up to end


BAD_QUERIES = [
    ({"jurisdiction_id": ""}, 400, "jurisdiction_id was not provided"),
    ({"jurisdiction_id": "atlantis"}, 404, "jurisdiction_id was not found"),
    ({"status": "pending"}, 400, "status"),
    ({"start_date": "yesterday"}, 400, "start_date"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, 400, "90"),
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, 400, "before"),
]


async def test_bad_queries_and_missing_things(api: Api) -> None:
    for params, status, words in BAD_QUERIES:
        for fmt in ("json", "xml"):
            answer = await _requests(api, fmt, **params)
            assert answer.status_code == status, answer.text
            [(code, description)] = errors_of(answer, fmt)
            assert code == status and words in description
    for path in ("requests/20990101-0001.json", "tokens/nope.json"):
        answer = await api.client.get(f"{BASE}/{path}", params={"jurisdiction_id": "demo"})
        assert answer.status_code == 404
        assert errors_of(answer)[0][0] == 404


async def test_no_names_or_phones_in_public_answers(api: Api, key: str) -> None:
    await api.order(RESIDENT, code="meal", description="我是张秀英，电话13800000001，请送午餐")
    elder = {"name": "钱淑珍", "phone": "13900000021", "age": 83}
    proxied = await api.order(WORKER, code="escort", beneficiary=elder, room="1202")
    await api.act(WORKER, proxied["id"], "reject", {"reason": "钱淑珍 家属 13900000021 已陪同"})
    await filed(
        api, key, phone="13912345678", last_name="李", first_name="明", description="李 明报"
    )
    async with api.sessions() as session:
        people = list(await session.scalars(select(User)))
    names = [p.name for p in people if len(p.name) >= 2 and not p.phone.startswith("0311")]
    phones = [p.phone for p in people]
    for fmt in ("json", "xml"):
        text = (await _requests(api, fmt)).text
        assert "1202" not in text  # the room stays inside Linli
        for secret in names + phones:
            assert secret not in text, secret
    listing = (await _requests(api)).json()
    assert {item["address"] for item in listing} == {"阳光社区", "阳光社区 2号楼"}
    texts = " ".join(str(item["description"]) + str(item["status_notes"]) for item in listing)
    assert "138****0001" in texts and "张**" in texts and "钱**" in texts
