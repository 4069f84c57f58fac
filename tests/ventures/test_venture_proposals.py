"""Proposals: server-computed budgets, the bracket at submission, eligibility, supports."""

from __future__ import annotations

import asyncio

from tests.factories import PARTY, RESIDENT, RESIDENT2, VOLUNTEER, WORKER, Api
from tests.venture_factories import advance, draft, draft_body, open_round, submitted

P = "/api/v1/ventures/proposals"


async def test_budget_totals_are_computed_by_the_server_in_fen(api: Api) -> None:
    rnd = await open_round(api)
    proposal = await draft(api, rnd["id"])
    lines = proposal["budget_lines"]
    assert [(line["quantity"], line["unit_price_fen"], line["total_fen"]) for line in lines] == [
        (10, 60_000, 600_000),
        (4, 100_000, 400_000),
    ]
    assert proposal["total_fen"] == 1_000_000 and proposal["status"] == "draft"
    # A draft is its author's alone.
    assert (await api.get(PARTY, f"{P}/{proposal['id']}")).status_code == 404
    body = draft_body(total_yuan=12_000, title="改")
    edited = await api.client.put(
        f"{P}/{proposal['id']}", json=body, headers=await api.headers(RESIDENT)
    )
    assert edited.status_code == 200 and edited.json()["total_fen"] == 1_200_000


async def test_submission_outside_the_bracket_is_refused_naming_the_limit(api: Api) -> None:
    rnd = await open_round(api)
    low = await draft(api, rnd["id"], total_yuan=4_000)  # 4,000 CNY < 5,000
    answer = await api.post(RESIDENT, f"{P}/{low['id']}/submit")
    assert answer.status_code == 422
    assert answer.json()["field"] == "budget_lines"
    assert answer.json()["code"] == "proposal.budget_below_min"
    assert "5,000.00" in answer.json()["detail"]
    high = await draft(api, rnd["id"], total_yuan=15_001)
    answer = await api.post(RESIDENT, f"{P}/{high['id']}/submit")
    assert answer.json()["code"] == "proposal.budget_above_max"
    assert "15,000.00" in answer.json()["detail"]
    edge = await draft(api, rnd["id"], total_yuan=15_000)
    assert (await api.post(RESIDENT, f"{P}/{edge['id']}/submit")).json()["status"] == "submitted"
    other = await api.post(PARTY, f"{P}/{edge['id']}/submit")
    assert other.status_code == 403


async def test_eligibility_is_a_workers_call_with_a_reason_when_refused(api: Api) -> None:
    rnd = await open_round(api)
    proposal = await draft(api, rnd["id"])
    await api.post(RESIDENT, f"{P}/{proposal['id']}/submit")
    url = f"{P}/{proposal['id']}/eligibility"
    assert (await api.post(RESIDENT, url, {"eligible": True})).status_code == 403
    assert (await api.post(WORKER, url, {"eligible": False})).status_code == 422
    refused = await api.post(WORKER, url, {"eligible": False, "reason": "商业项目"})
    assert refused.json()["status"] == "ineligible"
    assert refused.json()["eligibility_reason"] == "商业项目"


async def test_supports_once_per_resident_in_area_during_the_supporting_phase(api: Api) -> None:
    rnd = await open_round(api)
    proposal = await submitted(api, rnd["id"])
    url = f"{P}/{proposal['id']}/support"
    early = await api.post(PARTY, url)
    assert early.status_code == 409 and early.json()["code"] == "round.wrong_phase"
    await advance(api, rnd["id"], "supporting")
    first = await api.post(PARTY, url)
    assert first.status_code == 200
    assert first.json()["support"] == {"supports": 1, "threshold": 2, "supported_by_me": True}
    twice = await api.post(PARTY, url)
    assert twice.status_code == 409 and twice.json()["code"] == "proposal.already_supported"
    outsider = await api.post(RESIDENT2, url)  # a resident of the other community
    assert outsider.status_code == 403 and outsider.json()["code"] == "venture.out_of_area"
    assert (await api.post(RESIDENT, url)).status_code == 403  # the author

    # The same resident clicking five times at once still counts once.
    answers = await asyncio.gather(*(api.post(VOLUNTEER, url) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    detail = (await api.get(RESIDENT, f"{P}/{proposal['id']}")).json()
    assert detail["support"]["supports"] == 2

    await advance(api, rnd["id"], "reviewing")
    late = await api.post(WORKER, url)
    assert late.status_code == 409
