"""Delivery of a funded project: what each role may do now (`allowed_actions`), and a failed
evaluation (评估兑现 the other way round): the project fails, no tranche is released after it,
its milestones stop, receipts for the money already paid out are still recorded and disclosed."""

from __future__ import annotations

from tests.factories import ADMIN, PARTY, RESIDENT, REVIEWER, WORKER, Api
from tests.venture_factories import advance, contracted

P = "/api/v1/ventures/proposals"


def expense(line_id: int, amount_fen: int) -> dict:
    return {
        "budget_line_id": line_id,
        "amount_fen": amount_fen,
        "spent_on": "2026-11-20",
        "payee": "五金店",
    }


async def test_each_role_sees_the_actions_it_may_take_now(api: Api) -> None:
    rid, project = await contracted(api)
    pid = project["proposal_id"]
    team_work = {"add_milestone", "complete_milestone", "record_expense"}
    # The admin who signed pays and adjusts, and like the community's workers helps the team.
    assert set(project["allowed_actions"]) == {"disburse", "adjust"} | team_work
    team = (await api.get(RESIDENT, f"{P}/{pid}/project")).json()
    assert set(team["allowed_actions"]) == team_work
    assert (await api.get(PARTY, f"{P}/{pid}/project")).json()["allowed_actions"] == []
    assert (await api.get(REVIEWER, f"{P}/{pid}/project")).json()["allowed_actions"] == []
    await advance(api, rid, "evaluating")
    judge = (await api.get(REVIEWER, f"{P}/{pid}/project")).json()
    assert judge["allowed_actions"] == ["evaluate"]
    # What the answer offers works; what it withholds is refused.
    done = await api.post(REVIEWER, f"{P}/{pid}/evaluation", {"score": 80, "report": "达标"})
    assert done.status_code == 201 and done.json()["allowed_actions"] == []
    again = await api.post(REVIEWER, f"{P}/{pid}/evaluation", {"score": 80, "report": "达标"})
    assert again.status_code == 409 and again.json()["code"] == "evaluation.exists"
    paid = await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 1_000_000})
    assert paid.json()["status"] == "completed"
    assert "disburse" not in paid.json()["allowed_actions"]  # nothing left to pay


async def test_a_failed_evaluation_fails_the_project_and_withholds_the_last_tranche(
    api: Api,
) -> None:
    rid, project = await contracted(api)
    pid = project["proposal_id"]
    material = project["budget_lines"][0]["id"]
    await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 600_000})
    await api.post(RESIDENT, f"{P}/{pid}/milestones", {"title": "采购", "due_on": "2026-12-01"})
    await api.post(RESIDENT, f"{P}/{pid}/expenses", expense(material, 200_000))
    await advance(api, rid, "evaluating")

    failed = await api.post(REVIEWER, f"{P}/{pid}/evaluation", {"score": 59, "report": "未达标"})
    assert failed.status_code == 201
    body = failed.json()
    assert body["status"] == "failed" and body["evaluation"]["passed"] is False
    inbox = (await api.get(RESIDENT, "/api/v1/inbox")).json()["items"]
    assert any(
        n["kind"] == "venture.proposal_status" and n["payload"]["status"] == "failed" for n in inbox
    )

    last = await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 400_000})
    assert last.status_code == 409 and last.json()["code"] == "project.failed"
    smaller = await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 1})
    assert smaller.status_code == 409 and smaller.json()["code"] == "project.failed"
    milestone = await api.post(
        RESIDENT, f"{P}/{pid}/milestones", {"title": "验收", "due_on": "2026-12-20"}
    )
    assert milestone.status_code == 409 and milestone.json()["code"] == "project.failed"
    team = (await api.get(RESIDENT, f"{P}/{pid}/project")).json()
    assert team["allowed_actions"] == ["record_expense"]
    # Receipts for money already paid out are still accounted for — never past it.
    kept = await api.post(RESIDENT, f"{P}/{pid}/expenses", expense(material, 400_000))
    assert kept.status_code == 201
    over = await api.post(RESIDENT, f"{P}/{pid}/expenses", expense(material, 1))
    assert over.status_code == 409 and over.json()["code"] == "expense.over_disbursed"
    assert "disburse" not in (await api.get(ADMIN, f"{P}/{pid}/project")).json()["allowed_actions"]

    await advance(api, rid, "closed")
    assert (await api.get(ADMIN, f"{P}/{pid}/project")).json()["allowed_actions"] == []
    late = {"from_line_id": material, "to_line_id": material + 1, "amount_fen": 1, "reason": "晚了"}
    moved = await api.post(ADMIN, f"{P}/{pid}/adjustments", late)
    assert moved.status_code == 409 and moved.json()["code"] == "round.wrong_phase"
    page = (await api.client.get(f"/api/v1/ventures/public/rounds/{rid}")).json()
    (public,) = page["projects"]
    assert public["status"] == "failed" and public["evaluation"]["score"] == 59
    assert page["totals"]["disbursed_fen"] == public["disbursed_fen"] == 600_000
    assert page["totals"]["spent_fen"] == public["spent_fen"] == 600_000
    assert "allowed_actions" not in public
    alone = await api.client.get(f"/api/v1/ventures/public/projects/{pid}")
    assert alone.status_code == 200 and alone.json()["status"] == "failed"


async def test_a_worker_of_another_community_is_not_on_the_team(api: Api) -> None:
    _, project = await contracted(api)
    pid = project["proposal_id"]
    await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 100_000})
    line = project["budget_lines"][0]["id"]
    helper = await api.post(WORKER, f"{P}/{pid}/expenses", expense(line, 1_000))
    assert helper.status_code == 201  # the community's worker helps the team
    stranger = await api.post(PARTY, f"{P}/{pid}/expenses", expense(line, 1_000))
    assert stranger.status_code == 403 and stranger.json()["code"] == "project.not_team"
