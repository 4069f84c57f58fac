"""Selection: ranked by mean score, ties by supports then submission; greedy within the pool,
skipping what does not fit; every proposal says why; re-running gives the same answer."""

from __future__ import annotations

from tests.factories import ADMIN, PARTY, RESIDENT, REVIEWER, VOLUNTEER, WORKER, Api
from tests.venture_factories import advance, open_round, scores, submitted

P = "/api/v1/ventures/proposals"


async def test_greedy_funding_skips_what_does_not_fit_and_explains_each(api: Api) -> None:
    # Pool 25,000 CNY; threshold 1 support.
    rnd = await open_round(api, pool_fen=2_500_000, support_threshold=1)
    rid = rnd["id"]
    best = await submitted(api, rid, RESIDENT, total_yuan=15_000, title="A")
    big = await submitted(api, rid, PARTY, total_yuan=12_000, title="B")
    tie_more = await submitted(api, rid, VOLUNTEER, total_yuan=6_000, title="C")
    tie_less = await submitted(api, rid, WORKER, total_yuan=5_000, title="D")
    await submitted(api, rid, RESIDENT, total_yuan=5_000, title="E")  # nobody supports it
    refused = await submitted(api, rid, PARTY, total_yuan=5_000, title="F")
    await api.post(
        WORKER, f"{P}/{refused['id']}/eligibility", {"eligible": False, "reason": "重复"}
    )
    await advance(api, rid, "supporting")
    supporters = {
        best["id"]: [PARTY],
        big["id"]: [RESIDENT],
        tie_more["id"]: [RESIDENT, PARTY],
        tie_less["id"]: [RESIDENT],
    }
    for pid, phones in supporters.items():
        for phone in phones:
            assert (await api.post(phone, f"{P}/{pid}/support")).status_code == 200
    await advance(api, rid, "reviewing")
    for pid, each in (
        (best["id"], 18),
        (big["id"], 17),
        (tie_more["id"], 15),
        (tie_less["id"], 15),
    ):
        assert (await api.post(REVIEWER, f"{P}/{pid}/review", scores(each))).status_code == 200

    preview = await api.post(ADMIN, f"/api/v1/ventures/rounds/{rid}/select")
    assert (await api.get(RESIDENT, f"/api/v1/ventures/rounds/{rid}/selection")).status_code == 403
    await advance(api, rid, "announcing")
    published = (await api.get(RESIDENT, f"/api/v1/ventures/rounds/{rid}/selection")).json()
    assert published == preview.json()  # the same data gives the same answer
    outcome = [(r["title"], r["rank"], r["funded"], r["reason"]) for r in published["items"]]
    assert outcome == [
        ("A", 1, True, "funded"),  # 15,000 of 25,000
        ("B", 2, False, "exceeds_remaining_pool"),  # 12,000 > 10,000 left: skipped
        ("C", 3, True, "funded"),  # tie on score with D, more supports; 4,000 left
        ("D", 4, False, "exceeds_remaining_pool"),
        ("E", None, False, "below_support_threshold"),
        ("F", None, False, "ineligible"),
    ]
    statuses = {
        p["title"]: p["status"]
        for p in (await api.get(RESIDENT, f"/api/v1/ventures/rounds/{rid}/proposals")).json()[
            "items"
        ]
    }
    assert statuses == {
        "A": "selected",
        "B": "not_selected",
        "C": "selected",
        "D": "not_selected",
        "E": "not_selected",
        "F": "ineligible",
    }
    # The authors heard of the phase change and of their proposal's outcome.
    inbox = (await api.get(PARTY, "/api/v1/inbox")).json()["items"]
    kinds = [(n["kind"], n["payload"].get("status") or n["payload"].get("phase")) for n in inbox]
    assert ("venture.phase_changed", "announcing") in kinds
    assert ("venture.proposal_status", "not_selected") in kinds
    assert ("venture.proposal_status", "ineligible") in kinds
