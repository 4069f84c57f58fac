"""Routes of rounds, their needs board, and the selection. Thin: parse, call the service, answer."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.security import requires_any_role
from backend.ventures import needs, objections, proposals, rounds, selection
from backend.ventures.bodies import (
    AdvanceBody,
    AnswerBody,
    DeriveNeeds,
    NeedCreate,
    NeedPage,
    NeedPublic,
    ObjectionPage,
    ObjectionPublic,
    Phase,
    ProposalDraft,
    ProposalPage,
    ProposalPublic,
    RoundCreate,
    RoundPage,
    RoundPublic,
    ScreenBody,
    SelectionPage,
)

Db = NamedDependency[AsyncSession]
Who = NamedDependency[Caller]
Cursor = Annotated[str | None, QueryParameter(max_length=64)]
Limit = Annotated[int, QueryParameter(ge=1, le=100)]


class RoundController(Controller):
    path = "/api/v1/ventures/rounds"
    tags = ["ventures"]

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        operation_id="createRound",
        guards=[requires_any_role("admin")],
    )
    async def create(self, data: JSONBody[RoundCreate], caller: Who, db: Db) -> RoundPublic:
        """Admin: open a round for a community or a whole street, with its dated phases."""
        return await rounds.create_round(db, caller=caller, body=data)

    @get("/", operation_id="listRounds")
    async def list(
        self,
        caller: Who,
        db: Db,
        phase: FromQuery[Phase | None] = None,
        cursor: Cursor = None,
        limit: Limit = 20,
    ) -> RoundPage:
        """Rounds, those of the caller's communities first, newest first; keyset-paginated."""
        return await rounds.list_rounds(db, caller=caller, phase=phase, cursor=cursor, limit=limit)

    @get("/{round_id:int}", operation_id="getRound")
    async def detail(self, round_id: FromPath[int], caller: Who, db: Db) -> RoundPublic:
        return await rounds.get_round(db, caller=caller, round_id=round_id)

    @post("/{round_id:int}/advance", status_code=HTTP_200_OK, operation_id="advanceRound")
    async def advance(
        self, round_id: FromPath[int], data: JSONBody[AdvanceBody], caller: Who, db: Db
    ) -> RoundPublic:
        """Admin: move to the next phase (forward only, not before its date)."""
        return await rounds.advance(db, caller=caller, round_id=round_id, body=data)

    @get("/{round_id:int}/needs", operation_id="listNeeds")
    async def needs(self, round_id: FromPath[int], caller: Who, db: Db) -> NeedPage:
        """The needs board, most-requested first."""
        return NeedPage(items=await needs.list_needs(db, caller=caller, round_id=round_id))

    @post("/{round_id:int}/needs", status_code=HTTP_201_CREATED, operation_id="postNeed")
    async def post_need(
        self, round_id: FromPath[int], data: JSONBody[NeedCreate], caller: Who, db: Db
    ) -> NeedPublic:
        """Resident of the area: post a need while ideas are collected or supported."""
        return await needs.post_need(db, caller=caller, round_id=round_id, body=data)

    @post("/{round_id:int}/derive-needs", status_code=HTTP_200_OK, operation_id="deriveNeeds")
    async def derive(
        self, round_id: FromPath[int], data: JSONBody[DeriveNeeds], caller: Who, db: Db
    ) -> NeedPage:
        """Worker or admin: count real orders by community, category and grid into needs."""
        found = await needs.derive_needs(db, caller=caller, round_id=round_id, body=data)
        return NeedPage(items=found)

    @get("/{round_id:int}/proposals", operation_id="listProposals")
    async def proposals(
        self,
        round_id: FromPath[int],
        caller: Who,
        db: Db,
        view: FromQuery[Literal["all", "mine", "to_review"]] = "all",
        cursor: Cursor = None,
        limit: Limit = 20,
    ) -> ProposalPage:
        """Submitted proposals (ranked once published); `mine` adds drafts; `to_review` is a
        reviewer's seats. Keyset-paginated."""
        return await proposals.list_proposals(
            db, caller=caller, round_id=round_id, view=view, cursor=cursor, limit=limit
        )

    @post("/{round_id:int}/proposals", status_code=HTTP_201_CREATED, operation_id="createProposal")
    async def create_proposal(
        self, round_id: FromPath[int], data: JSONBody[ProposalDraft], caller: Who, db: Db
    ) -> ProposalPublic:
        """Resident or organisation of the area: draft a proposal (totals computed here)."""
        return await proposals.create_draft(db, caller=caller, round_id=round_id, body=data)

    @post("/{round_id:int}/select", status_code=HTTP_200_OK, operation_id="previewSelection")
    async def select(self, round_id: FromPath[int], caller: Who, db: Db) -> SelectionPage:
        """Admin, while reviewing: rank and fund as it would be published now."""
        rows = await selection.preview(db, caller=caller, round_id=round_id)
        return SelectionPage.model_validate({"items": rows})

    @get("/{round_id:int}/selection", operation_id="getSelection")
    async def selection(self, round_id: FromPath[int], caller: Who, db: Db) -> SelectionPage:
        """The published ranking with the reason for each proposal (from 公示 on)."""
        rows = await selection.published(db, caller=caller, round_id=round_id)
        return SelectionPage.model_validate({"items": rows})

    @get("/{round_id:int}/objections", operation_id="listObjections")
    async def objections(self, round_id: FromPath[int], caller: Who, db: Db) -> ObjectionPage:
        """Objections filed during 公示 and their answers."""
        await rounds.get_round(db, caller=caller, round_id=round_id)
        rows = await objections.list_objections(db, round_id=round_id)
        return ObjectionPage.model_validate({"items": rows})


class NeedController(Controller):
    path = "/api/v1/ventures/needs"
    tags = ["ventures"]

    @post("/{need_id:int}/screen", status_code=HTTP_200_OK, operation_id="screenNeed")
    async def screen(
        self, need_id: FromPath[int], data: JSONBody[ScreenBody], caller: Who, db: Db
    ) -> NeedPublic:
        """Worker or reviewer: selected, or not selected with the reason."""
        return await needs.screen(db, caller=caller, need_id=need_id, body=data)


class ObjectionController(Controller):
    path = "/api/v1/ventures/objections"
    tags = ["ventures"]

    @post("/{objection_id:int}/answer", status_code=HTTP_200_OK, operation_id="answerObjection")
    async def answer(
        self, objection_id: FromPath[int], data: JSONBody[AnswerBody], caller: Who, db: Db
    ) -> ObjectionPublic:
        """Admin: answer an objection (公示 cannot end while one is unanswered)."""
        row = await objections.answer_objection(
            db, caller=caller, objection_id=objection_id, body=data
        )
        return ObjectionPublic.model_validate(row)
