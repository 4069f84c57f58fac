"""Integration keys: issued by admins for their communities, stored hashed, listed without the
key, revocable, and rate-limited per key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.open311.models import Integration
from tests.factories import ADMIN, RESIDENT, WORKER, Api
from tests.open311.conftest import errors_of, file, issue

URL = "/api/v1/admin/integrations"


async def test_admin_issues_a_key_shown_once_and_stored_hashed(api: Api) -> None:
    issued = await issue(api, "demo", "second", name="FixMyStreet")
    key = issued["api_key"]
    assert key.startswith("l311_") and len(key) > 30
    assert issued["key_prefix"] == key[:9]
    assert [c["slug"] for c in issued["communities"]] == ["demo", "second"]
    async with api.sessions() as session:
        row = await session.scalar(select(Integration))
    assert row is not None and key not in (row.key_hash, row.key_prefix)
    listed = (await api.get(ADMIN, URL)).json()
    assert [i["name"] for i in listed["items"]] == ["FixMyStreet"]
    assert "api_key" not in listed["items"][0]
    # One key, two jurisdictions.
    assert (await file(api, key)).status_code == 201
    second = await file(api, key, jurisdiction_id="second", service_code="errand")
    assert second.status_code == 201
    # The list is keyset-paginated like every list of the API.
    for n in range(2):
        await issue(api, name=f"k{n}")
    first = (await api.get(ADMIN, URL, limit=2)).json()
    assert [i["name"] for i in first["items"]] == ["k1", "k0"]
    rest = (await api.get(ADMIN, URL, limit=2, cursor=first["next_cursor"])).json()
    assert [i["name"] for i in rest["items"]] == ["FixMyStreet"] and rest["next_cursor"] is None
    assert (await api.get(ADMIN, URL, cursor="!!")).status_code == 422


async def test_only_admins_manage_keys(api: Api) -> None:
    body = {"name": "x", "community_ids": [api.world["demo"]]}
    for phone in (RESIDENT, WORKER):
        assert (await api.post(phone, URL, body)).status_code == 403
        assert (await api.get(phone, URL)).status_code == 403
    assert (await api.client.post(URL, json=body)).status_code == 401
    unknown = await api.post(ADMIN, URL, {"name": "x", "community_ids": [999]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "community_ids"
    empty = await api.post(ADMIN, URL, {"name": "x", "community_ids": []})
    assert empty.status_code == 422


async def test_revoked_key_is_refused(api: Api) -> None:
    issued = await issue(api)
    assert (await file(api, issued["api_key"])).status_code == 201
    revoked = await api.post(ADMIN, f"{URL}/{issued['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    answer = await file(api, issued["api_key"])
    assert answer.status_code == 403
    assert errors_of(answer) == [(403, "api_key is not valid")]
    assert (await api.post(ADMIN, f"{URL}/999/revoke")).status_code == 404


async def test_rate_limit_per_key(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINLI_OPEN311_RATE_LIMIT", "3")
    monkeypatch.setenv("LINLI_OPEN311_RATE_WINDOW", "3600")
    busy, calm = (await issue(api, name="busy"))["api_key"], (await issue(api))["api_key"]
    for _ in range(3):
        assert (await file(api, busy)).status_code == 201
    for fmt in ("json", "xml"):
        over = await file(api, busy, fmt=fmt)
        assert over.status_code == 429
        assert 1 <= int(over.headers["retry-after"]) <= 3600
        assert errors_of(over, fmt)[0][0] == 429
    assert (await file(api, calm)).status_code == 201  # another key has its own budget
