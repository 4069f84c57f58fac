"""Routes of a funded project's delivery, and of comments on proposals."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.ventures import comments, delivery
from backend.ventures.bodies import (
    AdjustmentCreate,
    CommentCreate,
    ContractBody,
    DisbursementCreate,
    EvaluationCreate,
    ExpenseCreate,
    MilestoneCreate,
    MilestoneDone,
    ModerateBody,
    ReportBody,
)
from backend.ventures.project_bodies import (
    ProjectDetail,
)

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]
Project = ProjectDetail


class ProjectController(Controller):
    """A selected proposal once it is a project: `/api/v1/ventures/proposals/{id}/…`."""

    path = "/api/v1/ventures/proposals/{proposal_id:int}"
    tags = ["ventures"]

    @get("/project", operation_id="getProject")
    async def project(self, proposal_id: FromPath[int], caller: Who, db: Db) -> Project:
        """Budget lines with spending, tranches, receipts, milestones, progress, evaluation."""
        return await delivery.get_project(db, caller=caller, proposal_id=proposal_id)

    @post("/contract", status_code=HTTP_200_OK, operation_id="signContract")
    async def contract(
        self, proposal_id: FromPath[int], data: JSONBody[ContractBody], caller: Who, db: Db
    ) -> Project:
        """Admin, while implementing: record the funding contract of a selected proposal."""
        return await delivery.sign_contract(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/milestones", status_code=HTTP_201_CREATED, operation_id="addMilestone")
    async def milestone(
        self, proposal_id: FromPath[int], data: JSONBody[MilestoneCreate], caller: Who, db: Db
    ) -> Project:
        """Project team: plan a milestone."""
        return await delivery.add_milestone(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/disbursements", status_code=HTTP_201_CREATED, operation_id="releaseTranche")
    async def disburse(
        self, proposal_id: FromPath[int], data: JSONBody[DisbursementCreate], caller: Who, db: Db
    ) -> Project:
        """Admin: release a tranche; the last one only after a passing evaluation."""
        return await delivery.disburse(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/expenses", status_code=HTTP_201_CREATED, operation_id="recordExpense")
    async def expense(
        self, proposal_id: FromPath[int], data: JSONBody[ExpenseCreate], caller: Who, db: Db
    ) -> Project:
        """Project team: an expense with its receipt, against one budget line."""
        return await delivery.record_expense(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/adjustments", status_code=HTTP_201_CREATED, operation_id="adjustBudget")
    async def adjust(
        self, proposal_id: FromPath[int], data: JSONBody[AdjustmentCreate], caller: Who, db: Db
    ) -> Project:
        """Admin: move unspent money from one budget line to another, with the reason."""
        return await delivery.adjust(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/evaluation", status_code=HTTP_201_CREATED, operation_id="evaluateProject")
    async def evaluate(
        self, proposal_id: FromPath[int], data: JSONBody[EvaluationCreate], caller: Who, db: Db
    ) -> Project:
        """Independent evaluator (reviewer role): final score 0–100 (pass ≥ 60) and report."""
        return await delivery.evaluate(db, caller=caller, proposal_id=proposal_id, body=data)

    @get("/comments", operation_id="listComments")
    async def comments(
        self, proposal_id: FromPath[int], caller: Who, db: Db
    ) -> dict[str, list[dict[str, Any]] | None]:
        """Comments; hidden ones (3 reports) show no text until a worker keeps them."""
        items = await comments.list_comments(db, caller=caller, proposal_id=proposal_id)
        return {"items": items, "next_cursor": None}

    @post("/comments", status_code=HTTP_201_CREATED, operation_id="addComment")
    async def comment(
        self, proposal_id: FromPath[int], data: JSONBody[CommentCreate], caller: Who, db: Db
    ) -> dict[str, Any]:
        return await comments.add_comment(db, caller=caller, proposal_id=proposal_id, body=data)


class MilestoneController(Controller):
    path = "/api/v1/ventures/milestones"
    tags = ["ventures"]

    @post("/{milestone_id:int}/complete", status_code=HTTP_200_OK, operation_id="completeMilestone")
    async def complete(
        self, milestone_id: FromPath[int], data: JSONBody[MilestoneDone], caller: Who, db: Db
    ) -> Project:
        """Project team: the milestone is done, with evidence (text, photos)."""
        return await delivery.complete_milestone(
            db, caller=caller, milestone_id=milestone_id, body=data
        )


class CommentController(Controller):
    path = "/api/v1/ventures/comments"
    tags = ["ventures"]

    @post("/{comment_id:int}/report", status_code=HTTP_200_OK, operation_id="reportComment")
    async def report(
        self, comment_id: FromPath[int], data: JSONBody[ReportBody], caller: Who, db: Db
    ) -> dict[str, Any]:
        """Report a comment once; the third report hides it."""
        return await comments.report(db, caller=caller, comment_id=comment_id, body=data)

    @post("/{comment_id:int}/moderate", status_code=HTTP_200_OK, operation_id="moderateComment")
    async def moderate(
        self, comment_id: FromPath[int], data: JSONBody[ModerateBody], caller: Who, db: Db
    ) -> dict[str, Any]:
        """Worker of the community: keep (shown again) or remove a comment."""
        return await comments.moderate(db, caller=caller, comment_id=comment_id, body=data)
