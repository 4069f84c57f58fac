"""A whole round, end to end through the API as the demo accounts: collect, support, review,
announce with an objection, contract, spend against receipts, evaluate, pay the last tranche,
close, and read it all back on the public pages."""

from __future__ import annotations

import io
import zipfile

from tests.factories import ADMIN, PARTY, RESIDENT, REVIEWER, VOLUNTEER, WORKER, Api
from tests.venture_factories import advance, open_round, scores, submitted

P = "/api/v1/ventures/proposals"
PUB = "/api/v1/ventures/public"


async def test_a_round_from_idea_to_disclosed_paid_project(api: Api) -> None:
    rnd = await open_round(api, pool_fen=2_000_000)
    rid = rnd["id"]
    need = await api.post(RESIDENT, f"/api/v1/ventures/rounds/{rid}/needs", {"title": "老人上楼难"})
    proposal = await submitted(api, rid, need_ids=[need.json()["id"]])
    pid = proposal["id"]
    await advance(api, rid, "supporting")
    for phone in (PARTY, VOLUNTEER):
        await api.post(phone, f"{P}/{pid}/support")
    await advance(api, rid, "reviewing")
    assert (await api.post(REVIEWER, f"{P}/{pid}/review", scores(17))).status_code == 200
    await advance(api, rid, "announcing")

    objection = await api.post(PARTY, f"{P}/{pid}/objections", {"reason": "预算偏高"})
    assert objection.status_code == 201
    blocked = await api.post(
        ADMIN, f"/api/v1/ventures/rounds/{rid}/advance", {"to": "implementing"}
    )
    assert blocked.status_code == 409 and blocked.json()["code"] == "round.objections_open"
    actions = (await api.get(ADMIN, f"/api/v1/ventures/rounds/{rid}")).json()["allowed_actions"]
    assert actions == ["answer_objections"]  # moving on waits for the answer
    oid = objection.json()["id"]
    answered = await api.post(
        ADMIN, f"/api/v1/ventures/objections/{oid}/answer", {"answer": "已核价"}
    )
    assert answered.status_code == 200
    listed = (await api.get(ADMIN, "/api/v1/ventures/rounds")).json()["items"][0]
    assert listed["allowed_actions"] == ["advance", "answer_objections"]
    await advance(api, rid, "implementing")

    project = (await api.post(ADMIN, f"{P}/{pid}/contract", {"contract_no": "XF-2026-01"})).json()
    assert project["status"] == "contracted" and project["approved_fen"] == 1_000_000
    material, labour = (line["id"] for line in project["budget_lines"])  # 6,000 and 4,000 CNY
    await api.post(RESIDENT, f"{P}/{pid}/milestones", {"title": "采购", "due_on": "2026-12-01"})
    project = (
        await api.post(RESIDENT, f"{P}/{pid}/milestones", {"title": "安装", "due_on": "2026-12-20"})
    ).json()
    expense = {"budget_line_id": material, "amount_fen": 300_000, "spent_on": "2026-11-20"}
    expense |= {"payee": "五金店", "receipt_file_id": None}
    early = await api.post(RESIDENT, f"{P}/{pid}/expenses", expense)
    assert early.status_code == 409 and early.json()["code"] == "expense.over_disbursed"
    await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 800_000})
    assert (await api.post(RESIDENT, f"{P}/{pid}/expenses", expense)).status_code == 201
    over_line = {**expense, "budget_line_id": labour, "amount_fen": 400_001}
    answer = await api.post(RESIDENT, f"{P}/{pid}/expenses", over_line)
    assert answer.status_code == 409 and answer.json()["code"] == "expense.over_budget_line"
    moved = await api.post(
        ADMIN,
        f"{P}/{pid}/adjustments",
        {
            "from_line_id": material,
            "to_line_id": labour,
            "amount_fen": 100_000,
            "reason": "人工涨价",
        },
    )
    assert moved.status_code == 201
    assert (await api.post(RESIDENT, f"{P}/{pid}/expenses", over_line)).status_code == 201
    done = await api.post(
        RESIDENT,
        f"/api/v1/ventures/milestones/{project['milestones'][0]['id']}/complete",
        {"evidence": "材料已到", "photo_ids": []},
    )
    assert done.json()["progress_pct"] == 50

    last = await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 200_000})
    assert last.status_code == 409 and last.json()["code"] == "disbursement.evaluation_required"
    await advance(api, rid, "evaluating")
    conflicted = await api.post(PARTY, f"{P}/{pid}/evaluation", {"score": 90, "report": "好"})
    assert conflicted.status_code == 403
    evaluated = await api.post(REVIEWER, f"{P}/{pid}/evaluation", {"score": 85, "report": "达标"})
    assert evaluated.status_code == 201 and evaluated.json()["evaluation"]["passed"] is True
    paid = await api.post(ADMIN, f"{P}/{pid}/disbursements", {"amount_fen": 200_000})
    assert paid.status_code == 201 and paid.json()["status"] == "completed"
    await advance(api, rid, "closed")

    page = (await api.client.get(f"{PUB}/rounds/{rid}")).json()  # no sign-in
    assert page["round"]["phase"] == "closed"
    assert page["totals"] == {
        "pool_fen": 2_000_000,
        "approved_fen": 1_000_000,
        "disbursed_fen": 1_000_000,
        "spent_fen": 700_001,
    }
    assert page["objections"][0]["answer"] == "已核价"
    assert page["ranking"][0]["reason"] == "funded"
    public = (await api.client.get(f"{PUB}/projects/{pid}")).json()
    # Totals equal the sum of their parts.
    assert public["spent_fen"] == sum(line["spent_fen"] for line in public["budget_lines"])
    assert public["spent_fen"] == sum(e["amount_fen"] for e in public["expenses"])
    assert public["disbursed_fen"] == sum(t["amount_fen"] for t in public["disbursements"])
    assert sum(line["allowed_fen"] for line in public["budget_lines"]) == public["approved_fen"]
    assert public["evaluation"]["score"] == 85

    csv = await api.client.get(f"{PUB}/rounds/{rid}/export", params={"format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("project_id,project") and len(lines) == 3
    assert lines[1].split(",")[8] == "300000"
    xlsx = await api.client.get(f"{PUB}/rounds/{rid}/export", params={"format": "xlsx"})
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()
    inbox = (await api.get(RESIDENT, "/api/v1/inbox")).json()["items"]
    assert {"venture.phase_changed", "venture.proposal_status"} <= {n["kind"] for n in inbox}
    assert (await api.get(WORKER, f"{P}/{pid}/project")).json()["progress_pct"] == 50
