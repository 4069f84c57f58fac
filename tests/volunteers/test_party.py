"""在职党员报到: declare, reject with reason, declare again, verify, badge on claims, check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from backend.db import utcnow
from backend.volunteers.models import PartyRegistration
from tests.factories import RESIDENT, VOLUNTEER, WORKER, WORKER2, _token_cache


@pytest.fixture
def forget_volunteer_token():
    """The volunteer's token gains `party_member` here; later tests must not inherit it."""
    yield
    _token_cache.pop(VOLUNTEER, None)


async def test_registration_verification_badge_and_checkin(api, forget_volunteer_token):
    url = f"/api/v1/communities/{api.world['demo']}/party-registrations"
    body = {"branch": "市税务局第三党支部", "work_unit": "市税务局"}
    assert (await api.post(RESIDENT, url, body)).status_code == 403
    declared = await api.post(VOLUNTEER, url, body)
    assert declared.status_code == 201 and declared.json()["status"] == "pending"
    assert (await api.post(VOLUNTEER, url, body)).status_code == 409
    reg = declared.json()["id"]

    no_reason = await api.post(WORKER, f"/api/v1/party-registrations/{reg}/reject", {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    rejected = await api.post(
        WORKER, f"/api/v1/party-registrations/{reg}/reject", {"reason": "请补充单位证明"}
    )
    assert rejected.json()["status"] == "rejected"
    mine = (await api.get(VOLUNTEER, "/api/v1/party-registrations/mine")).json()
    assert mine[0]["reason"] == "请补充单位证明"
    assert (await api.post(VOLUNTEER, url, body)).status_code == 201
    assert (await api.post(WORKER2, f"/api/v1/party-registrations/{reg}/verify")).status_code == 404
    verified = await api.post(WORKER, f"/api/v1/party-registrations/{reg}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert verified.json()["checkin_overdue"] is False
    assert (await api.post(WORKER, f"/api/v1/party-registrations/{reg}/verify")).status_code == 409

    # the badge: after the next sign-in, their claims show them as a party member
    await api.token(VOLUNTEER, fresh=True)
    order = await api.pooled()
    await api.act(VOLUNTEER, order["id"], "accept")
    timeline = (await api.get(WORKER, f"/api/v1/orders/{order['id']}")).json()["timeline"]
    assert timeline[-1]["actor"]["role"] == "party_member"

    # six months later the worker sees the check-in is due; the member checks in
    async with api.sessions() as session:
        await session.execute(
            update(PartyRegistration).values(next_checkin_due=utcnow() - timedelta(days=1))
        )
        await session.commit()
    listed = (await api.get(WORKER, url, status="verified")).json()
    assert [r["checkin_overdue"] for r in listed] == [True]
    checked = await api.post(
        VOLUNTEER, f"/api/v1/party-registrations/{reg}/checkin", {"note": "参加社区清洁两次"}
    )
    assert checked.status_code == 200 and checked.json()["checkin_overdue"] is False
