"""Expert review: seats without conflicts, hidden scores until 公示, the rubric's bounds."""

from __future__ import annotations

from tests.factories import ADMIN, PARTY, RESIDENT, REVIEWER, VOLUNTEER, WORKER, Api
from tests.venture_factories import add_reviewer, advance, open_round, scores, submitted

P = "/api/v1/ventures/proposals"


async def _in_review(api: Api) -> tuple[dict, dict, int]:
    """A round in review with one supported proposal; 钱评审, a reviewer who also lives in the
    community, supported it (a conflict of interest)."""
    second = await add_reviewer(api, "13800000106", "钱评审", resident=True)
    await add_reviewer(api, "13800000107", "孔评审")
    rnd = await open_round(api, reviewers_per_proposal=2)
    proposal = await submitted(api, rnd["id"])
    await advance(api, rnd["id"], "supporting")
    for phone in (PARTY, VOLUNTEER, "13800000106"):
        assert (await api.post(phone, f"{P}/{proposal['id']}/support")).status_code == 200
    return rnd, proposal, second


async def test_reviewers_are_seated_without_conflicts_and_score_blind(api: Api) -> None:
    rnd, proposal, _ = await _in_review(api)
    # 钱评审 supported the idea: a conflict, so never seated; 孙立 and 孔评审 are.
    await advance(api, rnd["id"], "reviewing")
    seats = (await api.get(ADMIN, f"{P}/{proposal['id']}")).json()["reviews"]
    assert sorted(s["reviewer_name"] for s in seats) == ["孔评审", "孙立"]
    assert all(s["total"] is None for s in seats)  # the admin sees seats, not scores

    mine = await api.get(
        REVIEWER, f"/api/v1/ventures/rounds/{rnd['id']}/proposals", view="to_review"
    )
    assert [p["id"] for p in mine.json()["items"]] == [proposal["id"]]
    url = f"{P}/{proposal['id']}/review"
    out_of_range = await api.post(REVIEWER, url, scores(need_fit=21))
    assert out_of_range.status_code == 422 and out_of_range.json()["field"] == "need_fit"
    undeclared = await api.post(REVIEWER, url, scores(no_conflict=False))
    assert undeclared.status_code == 422
    scored = await api.post(REVIEWER, url, scores(18))
    assert scored.status_code == 200, scored.text
    assert [r["total"] for r in scored.json()["reviews"]] == [90]
    other = await api.post("13800000107", url, scores(10))
    assert other.status_code == 200
    # Neither sees the other's score while the round is in review.
    assert [r["total"] for r in other.json()["reviews"]] == [50]
    assert (await api.get(RESIDENT, f"{P}/{proposal['id']}")).json()["reviews"] == []
    # Not seated: the review does not exist for this reviewer.
    assert (await api.post("13800000106", url, scores(10))).status_code == 404

    await advance(api, rnd["id"], "announcing")
    public = (await api.get(RESIDENT, f"{P}/{proposal['id']}")).json()
    assert sorted(r["total"] for r in public["reviews"]) == [50, 90]
    assert public["mean_score"] == 70.0 and public["status"] == "selected"


async def test_a_conflicted_reviewer_is_refused_and_one_may_recuse(api: Api) -> None:
    rnd, proposal, second = await _in_review(api)
    await advance(api, rnd["id"], "reviewing")
    url = f"{P}/{proposal['id']}"
    conflicted = await api.post(ADMIN, f"{url}/reviewers", {"reviewer_ids": [second - 10**6]})
    assert conflicted.status_code == 422
    seated = await api.post(ADMIN, f"{url}/reviewers", {"reviewer_ids": [second]})
    assert seated.status_code == 422
    assert seated.json()["code"] == "review.conflict_of_interest"
    assert (
        await api.post(WORKER, f"{url}/reviewers", {"reviewer_ids": [second]})
    ).status_code == 403

    recused = await api.post(REVIEWER, f"{url}/recuse", {"reason": "作者是我的邻居亲属"})
    assert recused.status_code == 200
    late = await api.post(REVIEWER, f"{url}/review", scores())
    assert late.status_code == 409 and late.json()["code"] == "review.recused"
