"""Comments on proposals: three reports hide one; a worker keeps or removes it."""

from __future__ import annotations

from tests.factories import PARTY, RESIDENT, RESIDENT2, VOLUNTEER, WORKER, Api
from tests.venture_factories import open_round, submitted

P = "/api/v1/ventures/proposals"


async def test_three_reports_hide_a_comment_until_a_worker_moderates(api: Api) -> None:
    rnd = await open_round(api)
    proposal = await submitted(api, rnd["id"])
    url = f"{P}/{proposal['id']}/comments"
    posted = await api.post(PARTY, url, {"body": "广告：低价装修"})
    assert posted.status_code == 201
    cid = posted.json()["id"]
    assert (await api.post(RESIDENT2, url, {"body": "x"})).status_code == 403
    report = f"/api/v1/ventures/comments/{cid}/report"
    assert (await api.post(RESIDENT, report, {"reason": "广告"})).json()["hidden"] is False
    assert (await api.post(RESIDENT, report, {})).status_code == 409  # once each
    await api.post(VOLUNTEER, report, {})
    third = await api.post(WORKER, report, {})
    assert third.json() == {"id": cid, "reports": 3, "hidden": True}
    seen = (await api.get(RESIDENT, url)).json()["items"][0]
    assert seen["hidden"] is True and seen["body"] is None
    assert (await api.get(WORKER, url)).json()["items"][0]["body"] == "广告：低价装修"

    moderate = f"/api/v1/ventures/comments/{cid}/moderate"
    assert (await api.post(RESIDENT, moderate, {"decision": "remove"})).status_code == 403
    removed = await api.post(WORKER, moderate, {"decision": "remove"})
    assert removed.json()["moderation"] == "removed"
    assert (await api.get(RESIDENT, url)).json()["items"] == []
