"""Matrix targets for the micro-venture routes: rounds walked to the phase a route needs, with
a proposal of the scope's resident (found eligible by the scope's worker) where one is needed.

Rounds here have a support threshold of 0, so an eligible proposal is seated for review without
supports; the street reviewer (孙立) is seated on it automatically.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.db import utcnow
from tests.factories import ADMIN, RESIDENT, RESIDENT2, REVIEWER, WORKER, WORKER2, Api
from tests.security.matrix_targets import Builder, Call, user_id
from tests.venture_factories import advance, draft_body, open_round, scores
from tests.ventures.test_venture_files import jpeg

V = "/api/v1/ventures"
SCOPE = {"own": (RESIDENT, WORKER, "demo"), "other": (RESIDENT2, WORKER2, "second")}
ORDER = ("collecting", "supporting", "reviewing", "announcing", "implementing", "evaluating")


async def _round(api: Api, scope: str, phase: str = "collecting") -> int:
    rnd = await open_round(api, community_id=api.world[SCOPE[scope][2]], support_threshold=0)
    for step in ORDER[1 : ORDER.index(phase) + 1]:
        await advance(api, rnd["id"], step)
    return rnd["id"]


async def _proposal(
    api: Api, scope: str, phase: str, *, status: str = "eligible", contract: bool = True
) -> dict:
    """A proposal of the scope's resident in a round moved on to `phase` (scored by the street
    reviewer on the way through review; contracted once implementing)."""
    resident, worker, _ = SCOPE[scope]
    rid = await _round(api, scope)
    made = await api.post(resident, f"{V}/rounds/{rid}/proposals", draft_body())
    pid = made.json()["id"]
    if status != "draft":
        await api.post(resident, f"{V}/proposals/{pid}/submit")
    if status == "eligible":
        await api.post(worker, f"{V}/proposals/{pid}/eligibility", {"eligible": True})
    for step in ORDER[1 : ORDER.index(phase) + 1]:
        await advance(api, rid, step)
        if step == "reviewing" and ORDER.index(phase) > ORDER.index("reviewing"):
            await api.post(REVIEWER, f"{V}/proposals/{pid}/review", scores())
        if step == "implementing" and contract:
            await api.post(ADMIN, f"{V}/proposals/{pid}/contract", {"contract_no": "HT-1"})
    answer = await api.get(resident, f"{V}/proposals/{pid}/project")
    return {"round_id": rid, "proposal_id": pid, **answer.json()}


def round_in(phase: str, body: Any = None) -> Builder:
    async def build(api: Api, scope: str) -> Call:
        return Call(path={"round_id": await _round(api, scope, phase)}, body=body)

    return build


def proposal_in(
    phase: str, body: Any = None, status: str = "eligible", contract: bool = True
) -> Builder:
    async def build(api: Api, scope: str) -> Call:
        made = await _proposal(api, scope, phase, status=status, contract=contract)
        return Call(path={"proposal_id": made["proposal_id"]}, body=body)

    return build


async def _create_round(api: Api, scope: str) -> Call:
    now = utcnow()
    dates = {f"{p}_from": (now + timedelta(days=10 * i)).isoformat() for i, p in enumerate(ORDER)}
    dates["closed_from"] = (now + timedelta(days=100)).isoformat()
    body = {"title": "t", "community_id": api.world[SCOPE[scope][2]], "pool_fen": 3_000_000}
    return Call(body={**body, **dates})


async def _need(api: Api, scope: str) -> Call:
    rid = await _round(api, scope)
    need = await api.post(SCOPE[scope][0], f"{V}/rounds/{rid}/needs", {"title": "缺座椅"})
    return Call(path={"need_id": need.json()["id"]}, body={"selected": True})


async def _objection(api: Api, scope: str) -> Call:
    made = await _proposal(api, scope, "announcing")
    filed = await api.post(
        SCOPE[scope][0], f"{V}/proposals/{made['proposal_id']}/objections", {"reason": "贵"}
    )
    return Call(path={"objection_id": filed.json()["id"]}, body={"answer": "已核价"})


async def _reviewers(api: Api, scope: str) -> Call:
    made = await _proposal(api, scope, "reviewing")
    reviewer = await user_id(api, REVIEWER)
    return Call(path={"proposal_id": made["proposal_id"]}, body={"reviewer_ids": [reviewer]})


async def _expense(api: Api, scope: str) -> Call:
    made = await _proposal(api, scope, "implementing")
    pid = made["proposal_id"]
    await api.post(ADMIN, f"{V}/proposals/{pid}/disbursements", {"amount_fen": 100_000})
    line = made["budget_lines"][0]["id"]
    body = {"budget_line_id": line, "amount_fen": 1_000, "spent_on": "2026-11-20", "payee": "店"}
    return Call(path={"proposal_id": pid}, body=body)


async def _adjustment(api: Api, scope: str) -> Call:
    made = await _proposal(api, scope, "implementing")
    first, second = (line["id"] for line in made["budget_lines"])
    body = {"from_line_id": first, "to_line_id": second, "amount_fen": 1_000, "reason": "调"}
    return Call(path={"proposal_id": made["proposal_id"]}, body=body)


async def _milestone(api: Api, scope: str) -> Call:
    made = await _proposal(api, scope, "implementing")
    planned = await api.post(
        ADMIN,
        f"{V}/proposals/{made['proposal_id']}/milestones",
        {"title": "采购", "due_on": "2026-12-01"},
    )
    return Call(
        path={"milestone_id": planned.json()["milestones"][0]["id"]}, body={"evidence": "到货"}
    )


def _comment(body: Any) -> Builder:
    async def build(api: Api, scope: str) -> Call:
        made = await _proposal(api, scope, "collecting")
        posted = await api.post(
            SCOPE[scope][0], f"{V}/proposals/{made['proposal_id']}/comments", {"body": "好"}
        )
        return Call(path={"comment_id": posted.json()["id"]}, body=body)

    return build


async def _public_project(api: Api, scope: str) -> Call:
    made = await _proposal(api, scope, "implementing")
    return Call(path={"proposal_id": made["proposal_id"]})


async def _disclosed_receipt(api: Api, scope: str) -> Call:
    """A receipt photo of a running (so disclosed) project: public, so of any community."""
    scope = "own" if scope == "-" else scope
    made = await _proposal(api, scope, "implementing")
    pid, resident = made["proposal_id"], SCOPE[scope][0]
    await api.post(ADMIN, f"{V}/proposals/{pid}/disbursements", {"amount_fen": 100_000})
    uploaded = await api.client.post(
        "/api/v1/files",
        files={"data": ("receipt.jpg", jpeg(), "image/jpeg")},
        headers=await api.headers(resident),
    )
    photo = uploaded.json()["id"]
    body = {
        "budget_line_id": made["budget_lines"][0]["id"],
        "amount_fen": 1_000,
        "spent_on": "2026-11-20",
        "payee": "店",
        "receipt_file_id": photo,
    }
    await api.post(resident, f"{V}/proposals/{pid}/expenses", body)
    return Call(path={"file_id": photo})


VENTURE_TARGETS: dict[str, Builder] = {
    "createRound": _create_round,
    "getRound": round_in("collecting"),
    "advanceRound": round_in("collecting", {"to": "supporting"}),
    "listNeeds": round_in("collecting"),
    "postNeed": round_in("collecting", {"title": "缺座椅"}),
    "deriveNeeds": round_in("collecting", {"since": "2026-01-01T00:00:00Z"}),
    "listProposals": round_in("collecting"),
    "createProposal": round_in("collecting", draft_body()),
    "previewSelection": round_in("reviewing"),
    "getSelection": round_in("reviewing"),
    "listObjections": round_in("collecting"),
    "screenNeed": _need,
    "answerObjection": _objection,
    "getProposal": proposal_in("collecting"),
    "updateProposal": proposal_in("collecting", draft_body(), status="draft"),
    "submitProposal": proposal_in("collecting", status="draft"),
    "judgeEligibility": proposal_in("collecting", {"eligible": True}, status="submitted"),
    "supportProposal": proposal_in("supporting"),
    "assignReviewers": _reviewers,
    "reviewProposal": proposal_in("reviewing", scores()),
    "recuseReview": proposal_in("reviewing", {"reason": "亲属"}),
    "objectToProposal": proposal_in("announcing", {"reason": "贵"}),
    "getProject": proposal_in("collecting"),
    "signContract": proposal_in("implementing", {"contract_no": "HT-2"}, contract=False),
    "addMilestone": proposal_in("implementing", {"title": "采购", "due_on": "2026-12-01"}),
    "releaseTranche": proposal_in("implementing", {"amount_fen": 100_000}),
    "recordExpense": _expense,
    "adjustBudget": _adjustment,
    "evaluateProject": proposal_in("evaluating", {"score": 80, "report": "达标"}),
    "completeMilestone": _milestone,
    "listComments": proposal_in("collecting"),
    "addComment": proposal_in("collecting", {"body": "支持"}),
    "reportComment": _comment({}),
    "moderateComment": _comment({"decision": "keep"}),
    "publicRound": round_in("collecting"),
    "publicProject": _public_project,
    "publicFile": _disclosed_receipt,
    "publicFileThumbnail": _disclosed_receipt,
    "exportRound": round_in("collecting"),
}
