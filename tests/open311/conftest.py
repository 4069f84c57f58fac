"""Open311 fixtures: an integration key issued through the admin API, and filing helpers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from httpx import Response

from tests.factories import ADMIN, Api

BASE = "/open311/v2"
INTEGRATION = "街道 311 平台"


@pytest.fixture(autouse=True)
def generous_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests file many requests; only the rate-limit test tightens this."""
    monkeypatch.setenv("LINLI_OPEN311_RATE_LIMIT", "10000")


async def issue(api: Api, *communities: str, name: str = INTEGRATION) -> dict:
    ids = [api.world[c] for c in communities or ("demo",)]
    answer = await api.post(
        ADMIN, "/api/v1/admin/integrations", {"name": name, "community_ids": ids}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
async def key(api: Api) -> str:
    return (await issue(api))["api_key"]


async def file(api: Api, api_key: str | None = None, fmt: str = "json", **fields: Any) -> Response:
    """POST requests.{fmt} form-encoded; a field given as None is left out."""
    data = {
        "jurisdiction_id": "demo",
        "service_code": "lighting",
        "lat": "31.2304",
        "long": "121.4737",
        "description": "5号楼门口路灯不亮",
        "api_key": api_key,
        **fields,
    }
    form = {k: v for k, v in data.items() if v is not None}
    return await api.client.post(f"{BASE}/requests.{fmt}", data=form)


async def filed(api: Api, api_key: str, **fields: Any) -> str:
    answer = await file(api, api_key, **fields)
    assert answer.status_code == 201, answer.text
    return answer.json()[0]["service_request_id"]


def xml(answer: Response) -> ET.Element:
    assert answer.headers["content-type"] == "text/xml; charset=utf-8"
    assert answer.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(answer.content)  # noqa: S314 — our own server's answer


def errors_of(answer: Response, fmt: str = "json") -> list[tuple[int, str]]:
    """The specification's error document, as (code, description) pairs."""
    if fmt == "xml":
        root = xml(answer)
        assert root.tag == "errors"
        return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in root]
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    return [(item["code"], item["description"]) for item in answer.json()]
