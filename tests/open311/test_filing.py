"""POST requests: a 311 client files an order with a key, through the one order-creation path;
the reporter is found or created by phone, the timeline names the integration."""

from __future__ import annotations

from sqlalchemy import select

from backend.auth.models import Membership, User
from backend.orders.models import Order
from tests.factories import WORKER, Api
from tests.open311.conftest import INTEGRATION, errors_of, file, filed


async def _order(api: Api, number: str) -> dict:
    """The order as the community's worker sees it in the app, timeline included."""
    page = (await api.get(WORKER, "/api/v1/orders", view="community")).json()
    found = next(item for item in page["items"] if item["number"] == number)
    answer = await api.get(WORKER, f"/api/v1/orders/{found['id']}")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_filed_order_shows_the_integration_on_the_timeline(api: Api, key: str) -> None:
    number = await filed(api, key, service_code="plumbing", description="水管爆了")
    order = await _order(api, number)
    assert order["status"] == "submitted"
    assert order["category"]["code"] == "plumbing"
    assert order["description"] == "水管爆了"
    first = order["timeline"][0]
    assert first["action"] == "submit"
    assert first["actor"]["role"] == "integration"
    assert first["actor"]["name"] == INTEGRATION
    # Without a reporter's phone the order belongs to the integration's own account.
    assert order["resident"]["name"] == INTEGRATION
    assert "dispatch" in order["allowed_actions"]


async def test_reporter_is_found_or_created_by_phone(api: Api, key: str) -> None:
    new = await filed(api, key, phone="+86 139-1234-5678", last_name="李", first_name="明")
    known = await filed(api, key, phone="13800000001", first_name="Someone", last_name="Else")
    async with api.sessions() as session:
        reporter = await session.scalar(select(User).where(User.phone == "13912345678"))
        assert reporter is not None and reporter.name == "李 明"
        member = await session.scalar(
            select(Membership).where(
                Membership.user_id == reporter.id, Membership.role == "resident"
            )
        )
        assert member is not None and member.community_id == api.world["demo"]
        orders = {o.number: o for o in await session.scalars(select(Order))}
        assert orders[new].resident_id == reporter.id
        resident = await session.scalar(select(User).where(User.phone == "13800000001"))
        assert resident is not None and resident.name == "张秀英"  # an existing name is kept
        assert orders[known].resident_id == resident.id
        assert orders[known].building_id is None  # a 311 report says where; no home default
    mine = (await api.get("13800000001", "/api/v1/orders", view="mine")).json()["items"]
    assert [o["number"] for o in mine] == [known]


async def test_what_a_filing_stores(api: Api, key: str) -> None:
    number = await filed(
        api,
        key,
        lat="-33.5",
        long="151.25",
        address_string="幸福路 12 号路口",
        media_url="https://example.org/p.jpg",
        **{"attribute[urgency]": "urgent", "attribute[room]": "302", "attribute[unknown]": "x"},
    )
    async with api.sessions() as session:
        order = await session.scalar(select(Order).where(Order.number == number))
    assert order is not None
    assert (order.latitude, order.longitude) == (-33.5, 151.25)
    assert order.address_text == "幸福路 12 号路口" and order.room == "302"
    assert order.urgency == "urgent" and order.media_url == "https://example.org/p.jpg"
    assert order.integration_id is not None and order.public_token

    # An address alone, or a building alone, locates too; descriptions go up to 4,000
    # characters, and none at all takes the service's name.
    by_address = await filed(api, key, lat=None, long=None, address_string="3号楼")
    by_building = await filed(api, key, lat=None, long=None, address_id="2")
    long_text = await filed(api, key, description="灯" * 4000)
    untold = await filed(api, key, description=None)
    async with api.sessions() as session:
        orders = {o.number: o for o in await session.scalars(select(Order))}
    assert orders[by_address].address_text == "3号楼" and orders[by_address].latitude is None
    assert orders[by_building].building_id == 2
    assert len(orders[long_text].description) == 4000
    assert orders[untold].description == "楼道照明"


BAD_FILINGS = [
    ({"api_key": None}, 403, "api_key was not provided"),
    ({"api_key": "l311_wrong"}, 403, "api_key is not valid"),
    ({"jurisdiction_id": None}, 400, "jurisdiction_id was not provided"),
    ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id was not found"),
    ({"jurisdiction_id": "second"}, 403, "api_key is not valid here"),
    ({"service_code": None}, 400, "service_code was not provided"),
    ({"service_code": "rocket"}, 404, "service_code was not found"),
    ({"lat": None, "long": None}, 400, "location"),
    ({"long": None}, 400, "lat: give both lat and long"),
    ({"lat": "91"}, 400, "lat: must be between -90 and 90"),
    ({"long": "-180.5"}, 400, "long: must be between -180 and 180"),
    ({"lat": "nan"}, 400, "lat: must be between"),
    ({"lat": "north"}, 400, "lat: not a number"),
    ({"address_id": "999"}, 400, "address_id"),
    ({"phone": "12345"}, 400, "phone: must be a mainland China mobile number"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"attribute[urgency]": "now!"}, 400, "attribute[urgency]"),
    ({"attribute[preferred_start]": "soon"}, 400, "attribute[preferred_start]"),
    ({"address_string": "路" * 201}, 400, "address_string"),
    ({"description": "灯" * 4001}, 400, "description"),
]


async def test_bad_requests_get_the_specifications_errors(api: Api, key: str) -> None:
    for fields, status, words in BAD_FILINGS:
        for fmt in ("json", "xml"):
            answer = await file(api, **{"api_key": key, **fields, "fmt": fmt})
            assert answer.status_code == status, (fields, answer.text)
            [(code, description)] = errors_of(answer, fmt)
            assert code == status and words in description, (fields, description)
    async with api.sessions() as session:
        assert list(await session.scalars(select(Order))) == []
