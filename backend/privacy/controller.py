"""Routes of the privacy rights: my data, deleting my account, the admins' record."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.security import requires_any_role
from backend.privacy import service
from backend.privacy.models import AccountDeleted, DataExport, DeleteAccountBody, PrivacyRequestPage


class MyDataController(Controller):
    path = "/api/v1/me"
    tags = ["privacy"]

    @get("/export", operation_id="exportMyData")
    async def export(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> DataExport:
        """Everything Linli holds about the caller, as JSON (profile, orders with timelines,
        ratings, photos, inbox, actions)."""
        return await service.export(db, caller=caller)

    @post("/delete", status_code=HTTP_200_OK, operation_id="deleteMyAccount")
    async def delete(
        self,
        request: Request,
        data: JSONBody[DeleteAccountBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> AccountDeleted:
        """Delete the caller's account (`{"confirm": true}`): personal data is erased, orders
        stay, anonymised, for the community's statistics. Refresh tokens stop working at once."""
        return await service.delete_account(db, caller=caller, storage=request.app.state.storage)


class PrivacyAdminController(Controller):
    path = "/api/v1/admin/privacy-requests"
    tags = ["privacy"]
    guards = [requires_any_role("admin")]

    @get("/", operation_id="listPrivacyRequests")
    async def requests(
        self,
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> PrivacyRequestPage:
        """Exports and deletions asked for by people of the admin's communities, newest first."""
        return await service.list_requests(db, caller=caller, cursor=cursor, limit=limit)
