"""Every GeoReport v2 document, in XML and JSON, has the element names, nesting and order of the
specification's own examples (tests/open311/spec_examples.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.factories import RESIDENT, Api
from tests.open311 import spec_examples as spec
from tests.open311.conftest import BASE, errors_of, file, filed, xml


def _tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def _spec(document: str) -> ET.Element:
    return ET.fromstring(document.encode())  # noqa: S314 — the spec's examples


def _same_keys(ours: dict, theirs: dict) -> None:
    assert list(ours) == list(theirs)
    for name, value in theirs.items():
        if isinstance(value, bool):
            assert isinstance(ours[name], bool), name
        elif isinstance(value, float) and ours[name] is not None:
            assert isinstance(ours[name], float), name


async def _get(api: Api, path: str, **params: str):  # type: ignore[no-untyped-def]
    return await api.client.get(f"{BASE}/{path}", params={"jurisdiction_id": "demo", **params})


async def test_discovery_services_and_definitions(api: Api) -> None:
    ours, theirs = xml(await _get(api, "discovery.xml")), _spec(spec.DISCOVERY_XML)
    assert ours.tag == theirs.tag == "discovery"
    assert _tags(ours) == _tags(theirs)
    endpoint, spec_endpoint = ours.find("endpoints/endpoint"), theirs.find("endpoints/endpoint")
    assert endpoint is not None and spec_endpoint is not None
    assert _tags(endpoint) == _tags(spec_endpoint)
    assert [f.text for f in endpoint.iter("format")] == ["text/xml", "application/json"]
    assert endpoint.findtext("url", "").endswith("/open311/v2")
    answer = (await _get(api, "discovery.json")).json()
    _same_keys(answer, spec.DISCOVERY_JSON)
    _same_keys(answer["endpoints"][0], spec.DISCOVERY_JSON["endpoints"][0])

    # services: the community's catalogue
    ours, theirs = xml(await _get(api, "services.xml")), _spec(spec.SERVICES_XML)
    assert ours.tag == "services" and len(ours) == 12
    for service in ours:
        assert service.tag == "service"
        assert _tags(service) == _tags(theirs[0])
    lighting = next(s for s in ours if s.findtext("service_code") == "lighting")
    assert lighting.findtext("service_name") == "楼道照明"
    assert lighting.findtext("metadata") == "true"
    assert lighting.findtext("type") == "realtime"
    answer = await _get(api, "services.json")
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    for item in answer.json():
        _same_keys(item, spec.SERVICES_JSON[0])

    # a service definition: the attributes every service asks
    ours, theirs = xml(await _get(api, "services/meal.xml")), _spec(spec.DEFINITION_XML)
    assert ours.tag == "service_definition" and _tags(ours) == _tags(theirs)
    spec_attribute = theirs.find("attributes/attribute")
    assert spec_attribute is not None
    for attribute in ours.iter("attribute"):
        expected = _tags(spec_attribute)
        if not attribute.findtext("datatype", "").endswith("valuelist"):
            expected.remove("values")  # the specification: values only for list datatypes
        assert _tags(attribute) == expected
    urgency = ours.find("attributes/attribute")
    assert urgency is not None and urgency.findtext("code") == "urgency"
    assert [v.findtext("key") for v in urgency.iter("value")] == ["normal", "urgent"]
    answer = (await _get(api, "services/meal.json")).json()
    assert answer["service_code"] == "meal"
    _same_keys(answer["attributes"][0], spec.DEFINITION_JSON["attributes"][0])
    assert list(answer["attributes"][0]["values"][0]) == ["key", "name"]


async def test_post_answer_and_token_in_both_formats(api: Api, key: str) -> None:
    created = xml(await file(api, key, fmt="xml"))
    theirs = _spec(spec.CREATED_XML)
    assert created.tag == "service_requests" and created[0].tag == "request"
    # The specification's answer names service_request_id or token; Linli gives both.
    assert _tags(created[0]) == ["service_request_id", "token", "service_notice", "account_id"]
    assert set(_tags(theirs[0])) <= set(_tags(created[0]))
    token = created[0].findtext("token")
    number = created[0].findtext("service_request_id")
    answer = (await file(api, key)).json()
    assert set(spec.CREATED_JSON[0]) <= set(answer[0])
    found = xml(await _get(api, f"tokens/{token}.xml"))
    assert _tags(found[0]) == _tags(_spec(spec.TOKEN_XML)[0])
    assert found[0].findtext("service_request_id") == number
    as_json = (await _get(api, f"tokens/{answer[0]['token']}.json")).json()
    _same_keys(as_json[0], spec.TOKEN_JSON[0])
    assert as_json[0]["service_request_id"] == answer[0]["service_request_id"]


async def test_requests_in_both_formats(api: Api, key: str) -> None:
    await api.order(RESIDENT, code="meal")  # an order placed in the app shows up too
    number = await filed(api, key, media_url="https://example.org/lamp.jpg")
    theirs = _spec(spec.REQUESTS_XML)[0]
    listing = xml(await _get(api, "requests.xml"))
    assert listing.tag == "service_requests" and len(listing) == 2
    for request in listing:
        assert request.tag == "request" and _tags(request) == _tags(theirs)
    one = xml(await _get(api, f"requests/{number}.xml"))
    assert len(one) == 1 and one[0].findtext("service_request_id") == number
    assert one[0].findtext("lat") == "31.2304" and one[0].findtext("long") == "121.4737"
    assert one[0].findtext("media_url") == "https://example.org/lamp.jpg"
    assert one[0].findtext("requested_datetime", "").endswith("+08:00")
    for item in (await _get(api, "requests.json")).json():
        _same_keys(item, spec.REQUESTS_JSON[0])


async def test_errors_are_the_specifications_document(api: Api) -> None:
    for fmt in ("xml", "json"):
        answer = await file(api, "not-a-key", fmt=fmt)
        assert answer.status_code == 403
        if fmt == "xml":
            ours, theirs = xml(answer), _spec(spec.ERRORS_XML)
            assert ours.tag == theirs.tag and _tags(ours[0]) == _tags(theirs[0])
        else:
            _same_keys(answer.json()[0], spec.ERRORS_JSON[0])
        assert errors_of(answer, fmt) == [(403, "api_key is not valid")]
    # Unknown resources and formats are the specification's 404s, never the app's page.
    for path in ("nothing.json", "services.html", "requests/x/y.json"):
        answer = await _get(api, path)
        assert answer.status_code == 404, path
        assert "<html" not in answer.text.lower()
    assert errors_of(await _get(api, "nothing.xml"), "xml") == [(404, "no such resource")]
