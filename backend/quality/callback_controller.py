"""Routes of callbacks (回访): the month's list, recording a call, the monthly rates."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.quality import callbacks
from backend.quality.models import (
    CallbackListCreate,
    CallbackListPublic,
    CallbackPublic,
    CallbackRate,
    CallbackRecord,
)
from backend.quality.periods import SHANGHAI


class CallbackController(Controller):
    path = "/api/v1"
    tags = ["callbacks"]

    @post(
        "/communities/{community_id:int}/callback-lists",
        status_code=HTTP_200_OK,
        operation_id="generateCallbackList",
    )
    async def generate(
        self,
        community_id: FromPath[int],
        data: JSONBody[CallbackListCreate],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> CallbackListPublic:
        """Worker: the month's callback list (default the previous month, 250 calls): a
        stratified random sample of completed orders, elders first. Asking again answers the
        same list."""
        return await callbacks.generate_list(
            db, caller=caller, community_id=community_id, body=data
        )

    @get(
        "/communities/{community_id:int}/callback-lists/{month:str}",
        operation_id="getCallbackList",
    )
    async def show(
        self,
        community_id: FromPath[int],
        month: FromPath[str],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> CallbackListPublic:
        """Worker: whom to call this month, with their phone numbers and what was recorded."""
        return await callbacks.get_list(db, caller=caller, community_id=community_id, month=month)

    @post(
        "/callbacks/{callback_id:int}/record",
        status_code=HTTP_200_OK,
        operation_id="recordCallback",
    )
    async def record(
        self,
        callback_id: FromPath[int],
        data: JSONBody[CallbackRecord],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> CallbackPublic:
        """Worker: the call's result — reached (on time? satisfaction 1–5), not reached (may be
        tried again) or refused — with notes; a complaint may reopen the order."""
        return await callbacks.record(db, caller=caller, callback_id=callback_id, body=data)

    @get("/communities/{community_id:int}/callback-rates", operation_id="callbackRates")
    async def rates(
        self,
        community_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> list[CallbackRate]:
        """Worker: per month of the year, how many calls got an answer."""
        year = year or utcnow().astimezone(SHANGHAI).year
        return await callbacks.rates(db, caller=caller, community_id=community_id, year=year)
