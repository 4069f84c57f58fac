"""Routes of one proposal: edit, submit, eligibility, support, review, objections."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.ventures import objections, proposals, review
from backend.ventures.bodies import (
    AssignReviewers,
    EligibilityBody,
    ObjectionPublic,
    ProposalDraft,
    ProposalPublic,
    ReasonBody,
    ScoreBody,
)

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]


class ProposalController(Controller):
    path = "/api/v1/ventures/proposals"
    tags = ["ventures"]

    @get("/{proposal_id:int}", operation_id="getProposal")
    async def detail(self, proposal_id: FromPath[int], caller: Who, db: Db) -> ProposalPublic:
        """A proposal with its budget, supports progress, and the reviews the caller may see."""
        return await proposals.get_proposal(db, caller=caller, proposal_id=proposal_id)

    @put("/{proposal_id:int}", operation_id="updateProposal")
    async def update(
        self, proposal_id: FromPath[int], data: JSONBody[ProposalDraft], caller: Who, db: Db
    ) -> ProposalPublic:
        """Author: replace a draft (budget lines and cited needs included)."""
        return await proposals.update_draft(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/{proposal_id:int}/submit", status_code=HTTP_200_OK, operation_id="submitProposal")
    async def submit(self, proposal_id: FromPath[int], caller: Who, db: Db) -> ProposalPublic:
        """Author: submit; the total must lie within the round's bracket (422 names the limit)."""
        return await proposals.submit(db, caller=caller, proposal_id=proposal_id)

    @post(
        "/{proposal_id:int}/eligibility", status_code=HTTP_200_OK, operation_id="judgeEligibility"
    )
    async def eligibility(
        self, proposal_id: FromPath[int], data: JSONBody[EligibilityBody], caller: Who, db: Db
    ) -> ProposalPublic:
        """Worker of the proposal's community: eligible, or ineligible with the reason."""
        return await proposals.judge_eligibility(
            db, caller=caller, proposal_id=proposal_id, body=data
        )

    @post("/{proposal_id:int}/support", status_code=HTTP_200_OK, operation_id="supportProposal")
    async def support(self, proposal_id: FromPath[int], caller: Who, db: Db) -> ProposalPublic:
        """Resident of the area, once, during the supporting phase."""
        return await proposals.support(db, caller=caller, proposal_id=proposal_id)

    @post("/{proposal_id:int}/reviewers", status_code=HTTP_200_OK, operation_id="assignReviewers")
    async def reviewers(
        self, proposal_id: FromPath[int], data: JSONBody[AssignReviewers], caller: Who, db: Db
    ) -> ProposalPublic:
        """Admin: seat reviewers without a conflict of interest."""
        return await review.assign(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/{proposal_id:int}/review", status_code=HTTP_200_OK, operation_id="reviewProposal")
    async def score(
        self, proposal_id: FromPath[int], data: JSONBody[ScoreBody], caller: Who, db: Db
    ) -> ProposalPublic:
        """Assigned reviewer: declare no conflict and score five criteria × 20 points."""
        return await review.score(db, caller=caller, proposal_id=proposal_id, body=data)

    @post("/{proposal_id:int}/recuse", status_code=HTTP_200_OK, operation_id="recuseReview")
    async def recuse(
        self, proposal_id: FromPath[int], data: JSONBody[ReasonBody], caller: Who, db: Db
    ) -> ProposalPublic:
        """Assigned reviewer: step aside for a conflict of interest."""
        return await review.recuse(db, caller=caller, proposal_id=proposal_id, body=data)

    @post(
        "/{proposal_id:int}/objections",
        status_code=HTTP_201_CREATED,
        operation_id="objectToProposal",
    )
    async def object(
        self, proposal_id: FromPath[int], data: JSONBody[ReasonBody], caller: Who, db: Db
    ) -> ObjectionPublic:
        """Resident of the area, during 公示: object with a reason."""
        row = await objections.file_objection(db, caller=caller, proposal_id=proposal_id, body=data)
        return ObjectionPublic.model_validate(row)
