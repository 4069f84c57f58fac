"""Rounds: opened by an admin with a checked schedule; phases move forward only, dated."""

from __future__ import annotations

from datetime import timedelta

from backend.db import utcnow
from tests.factories import ADMIN, RESIDENT, WORKER, Api
from tests.venture_factories import advance, open_round, past_schedule

URL = "/api/v1/ventures/rounds"


async def test_admin_opens_a_round_with_default_bracket_and_reviewers(api: Api) -> None:
    rnd = await open_round(api)
    assert rnd["phase"] == "collecting" and rnd["next_phase"] == "supporting"
    assert (rnd["min_fen"], rnd["max_fen"]) == (500_000, 1_500_000)
    assert rnd["reviewers_per_proposal"] == 3
    assert rnd["area_community_ids"] == [api.world["demo"]]
    street = await open_round(api, community_id=None, street_id=rnd["street_id"])
    assert street["area_community_ids"] == [api.world["demo"], api.world["second"]]
    listed = (await api.get(RESIDENT, URL)).json()["items"]
    assert {r["id"] for r in listed} == {rnd["id"], street["id"]}


async def test_bad_rounds_are_refused_naming_the_field(api: Api) -> None:
    base = {"title": "t", "community_id": api.world["demo"], "pool_fen": 3_000_000}
    inverted = await api.post(
        ADMIN, URL, {**base, **past_schedule(), "min_fen": 2_000_000, "max_fen": 1_000_000}
    )
    assert inverted.status_code == 422 and inverted.json()["field"] == "min_fen"
    schedule = past_schedule()
    schedule["implementing_from"] = (utcnow() - timedelta(days=23)).isoformat()  # 2 days of 公示
    short = await api.post(ADMIN, URL, {**base, **schedule})
    assert short.status_code == 422
    assert short.json()["code"] == "round.announcing_too_short"
    schedule = past_schedule()
    schedule["reviewing_from"] = schedule["collecting_from"]
    unordered = await api.post(ADMIN, URL, {**base, **schedule})
    assert unordered.json()["field"] == "reviewing_from"
    assert (await api.post(WORKER, URL, {**base, **past_schedule()})).status_code == 403


async def test_phases_move_forward_only_by_an_admin_and_not_before_their_date(api: Api) -> None:
    rnd = await open_round(api)
    rid = rnd["id"]
    assert (await api.post(WORKER, f"{URL}/{rid}/advance", {"to": "supporting"})).status_code == 403
    skipped = await api.post(ADMIN, f"{URL}/{rid}/advance", {"to": "reviewing"})
    assert skipped.status_code == 409 and skipped.json()["code"] == "round.phase_skipped"
    assert (await advance(api, rid, "supporting"))["phase"] == "supporting"
    again = await api.post(ADMIN, f"{URL}/{rid}/advance", {"to": "supporting"})
    assert again.status_code == 409 and again.json()["code"] == "round.phase_backwards"
    back = await api.post(ADMIN, f"{URL}/{rid}/advance", {"to": "collecting"})
    assert back.status_code == 409

    schedule = past_schedule()
    schedule["supporting_from"] = (utcnow() + timedelta(days=1)).isoformat()
    for phase, days in (("reviewing", 2), ("announcing", 3), ("implementing", 9)):
        schedule[f"{phase}_from"] = (utcnow() + timedelta(days=days)).isoformat()
    for phase, days in (("evaluating", 20), ("closed", 30)):
        schedule[f"{phase}_from"] = (utcnow() + timedelta(days=days)).isoformat()
    future = await open_round(api, **schedule)
    early = await api.post(ADMIN, f"{URL}/{future['id']}/advance", {"to": "supporting"})
    assert early.status_code == 409 and early.json()["code"] == "round.phase_too_early"
