"""Routes of the in-app inbox: list, unread count, mark one or all read."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.notify import service
from backend.notify.models import InboxPage, MarkedRead, NotificationPublic, UnreadCount


class InboxController(Controller):
    path = "/api/v1/inbox"
    tags = ["notifications"]

    @get("/", operation_id="listInbox")
    async def list(
        self,
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
        unread: FromQuery[bool] = False,
        cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> InboxPage:
        """The caller's notices, newest first, keyset-paginated; `unread=true` for unread only."""
        return await service.list_inbox(
            db, caller=caller, unread=unread, cursor=cursor, limit=limit
        )

    @get("/unread-count", operation_id="inboxUnreadCount")
    async def unread_count(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> UnreadCount:
        """How many of the caller's notices are unread (the badge on the inbox tab)."""
        return await service.unread_count(db, caller=caller)

    @post("/{notification_id:int}/read", status_code=HTTP_200_OK, operation_id="markInboxRead")
    async def read(
        self,
        notification_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> NotificationPublic:
        """Mark one notice read (again is harmless); another person's notice is 404."""
        return await service.mark_read(db, caller=caller, notification_id=notification_id)

    @post("/read-all", status_code=HTTP_200_OK, operation_id="markInboxAllRead")
    async def read_all(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> MarkedRead:
        """Mark every unread notice read; answers how many were."""
        return await service.mark_all_read(db, caller=caller)
