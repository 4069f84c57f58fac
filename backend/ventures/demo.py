"""Demo rounds, made through the same services the API uses: a closed round of the street with
one fully disclosed project (contracted, spent against receipts, evaluated, paid), and a round
of the demo community in its supporting phase."""

from __future__ import annotations

from datetime import date, timedelta

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.places.models import Community
from backend.ventures import delivery, proposals, review, rounds
from backend.ventures.bodies import (
    AdvanceBody,
    BudgetLineIn,
    ContractBody,
    DisbursementCreate,
    EligibilityBody,
    EvaluationCreate,
    ExpenseCreate,
    MilestoneCreate,
    MilestoneDone,
    ProposalDraft,
    RoundCreate,
    ScoreBody,
)
from backend.ventures.phases import PHASES


def _schedule(first_day: int, days: tuple[int, ...]) -> dict:
    now = utcnow()
    return {
        f"{phase}_from": now + timedelta(days=first_day + offset)
        for phase, offset in zip(PHASES, days, strict=True)
    }


def _idea(
    title: str, problem: str, lines: list[tuple[str, int, int]], community: int
) -> ProposalDraft:
    return ProposalDraft(
        title=title,
        problem=problem,
        plan="居民志愿者组队实施，社区提供场地，每月向居民公开进度。",
        beneficiaries="本社区居民，尤其是老人和儿童",
        beneficiary_count=120,
        team="居民志愿者 5 人",
        community_id=community,
        budget_lines=[BudgetLineIn(item=i, quantity=q, unit_price_fen=p) for i, q, p in lines],
    )


async def seed_rounds(session, callers: dict[str, Caller], communities: dict[str, Community]):
    admin, reviewer = callers["13800000000"], callers["13800000006"]
    resident, worker = callers["13800000001"], callers["13800000002"]
    party, volunteer = callers["13800000003"], callers["13800000004"]
    demo = communities["demo"].id

    closed = await rounds.create_round(
        session,
        caller=admin,
        body=RoundCreate(
            title="2026 春季幸福街道金点子",
            street_id=communities["demo"].street_id,
            pool_fen=3_000_000,
            support_threshold=2,
            reviewers_per_proposal=1,
            **_schedule(-200, (0, 20, 35, 45, 55, 150, 180)),
        ),
    )
    idea = await proposals.create_draft(
        session,
        caller=resident,
        round_id=closed.id,
        body=_idea(
            "楼道助老扶手",
            "3 号楼老人多，楼梯没有扶手，上下楼容易摔倒。",
            [("不锈钢扶手", 30, 20_000), ("安装人工", 10, 30_000)],
            demo,
        ),
    )
    pid = idea.id
    await proposals.submit(session, caller=resident, proposal_id=pid)
    await proposals.judge_eligibility(
        session, caller=worker, proposal_id=pid, body=EligibilityBody(eligible=True)
    )

    async def to(round_id: int, phase: str) -> None:
        await rounds.advance(session, caller=admin, round_id=round_id, body=AdvanceBody(to=phase))

    await to(closed.id, "supporting")
    for supporter in (party, volunteer, worker):
        await proposals.support(session, caller=supporter, proposal_id=pid)
    await to(closed.id, "reviewing")
    marks = dict.fromkeys(review.CRITERIA, 17)
    await review.score(
        session,
        caller=reviewer,
        proposal_id=pid,
        body=ScoreBody(no_conflict=True, comment="需求真实，预算合理。", **marks),
    )
    await to(closed.id, "announcing")
    await to(closed.id, "implementing")
    project = await delivery.sign_contract(
        session, caller=admin, proposal_id=pid, body=ContractBody(contract_no="XFJD-2026-001")
    )
    rails, labour = (line.id for line in project.budget_lines)
    await delivery.disburse(
        session, caller=admin, proposal_id=pid, body=DisbursementCreate(amount_fen=700_000)
    )
    await delivery.record_expense(
        session,
        caller=resident,
        proposal_id=pid,
        body=ExpenseCreate(
            budget_line_id=rails, amount_fen=600_000, spent_on=date.today(), payee="五金建材店"
        ),
    )
    for title, evidence in (("采购扶手", "材料已到货验收"), ("完成安装", "3 号楼 1–6 层已装好")):
        view = await delivery.add_milestone(
            session,
            caller=resident,
            proposal_id=pid,
            body=MilestoneCreate(title=title, due_on=date.today()),
        )
        await delivery.complete_milestone(
            session,
            caller=resident,
            milestone_id=view.milestones[-1].id,
            body=MilestoneDone(evidence=evidence),
        )
    await to(closed.id, "evaluating")
    await delivery.evaluate(
        session,
        caller=reviewer,
        proposal_id=pid,
        body=EvaluationCreate(score=88, report="扶手质量合格，居民满意度高。"),
    )
    await delivery.disburse(
        session, caller=admin, proposal_id=pid, body=DisbursementCreate(amount_fen=200_000)
    )
    await delivery.record_expense(
        session,
        caller=resident,
        proposal_id=pid,
        body=ExpenseCreate(
            budget_line_id=labour, amount_fen=280_000, spent_on=date.today(), payee="安装师傅"
        ),
    )
    await to(closed.id, "closed")

    current = await rounds.create_round(
        session,
        caller=admin,
        body=RoundCreate(
            title="2026 秋季阳光社区微创投",
            community_id=demo,
            pool_fen=4_000_000,
            support_threshold=3,
            **_schedule(-10, (0, 7, 24, 31, 40, 130, 160)),
        ),
    )
    for author, title, problem, lines in (
        (party, "社区共享工具屋", "居民修理小物件缺工具。", [("工具套装", 10, 80_000)]),
        (
            volunteer,
            "四点半课堂",
            "双职工家庭孩子放学无人看护。",
            [("教具", 20, 30_000), ("志愿者保险", 20, 10_000)],
        ),
    ):
        draft = await proposals.create_draft(
            session, caller=author, round_id=current.id, body=_idea(title, problem, lines, demo)
        )
        await proposals.submit(session, caller=author, proposal_id=draft.id)
        await proposals.judge_eligibility(
            session, caller=worker, proposal_id=draft.id, body=EligibilityBody(eligible=True)
        )
    await to(current.id, "supporting")
    await proposals.support(session, caller=resident, proposal_id=draft.id)
