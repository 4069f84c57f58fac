"""Routes of notifications: the inbox, Web Push devices, and per-person preferences."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.notify import delivery, push, service
from backend.notify.models import (
    InboxPage,
    MarkedRead,
    NotificationPublic,
    PreferencesBody,
    PreferencesPublic,
    PushSubscriptionCreate,
    PushSubscriptionPublic,
    UnreadCount,
    VapidPublic,
)


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


class PushController(Controller):
    path = "/api/v1/push"
    tags = ["notifications"]

    @get("/key", operation_id="pushPublicKey")
    async def key(self, db: NamedDependency[AsyncSession]) -> VapidPublic:
        """The server's VAPID public key: `applicationServerKey` for `pushManager.subscribe`."""
        return VapidPublic(public_key=(await push.vapid_key(db)).public_key)

    @post("/subscriptions", operation_id="subscribePush")
    async def subscribe(
        self,
        request: Request,
        data: JSONBody[PushSubscriptionCreate],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> PushSubscriptionPublic:
        """Store this device's push subscription (`PushSubscription.toJSON()`) for the caller."""
        settings = request.app.state.settings
        return await push.subscribe(db, caller=caller, settings=settings, body=data)

    @delete("/subscriptions/{subscription_id:int}", operation_id="unsubscribePush")
    async def unsubscribe(
        self,
        subscription_id: FromPath[int],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Forget one of the caller's devices (204)."""
        await push.unsubscribe(db, caller=caller, subscription_id=subscription_id)


class PreferencesController(Controller):
    path = "/api/v1/notifications/preferences"
    tags = ["notifications"]

    @get("/", operation_id="getNotificationPreferences")
    async def show(
        self, caller: NamedDependency[Caller], db: NamedDependency[AsyncSession]
    ) -> PreferencesPublic:
        """How the caller is told beyond the inbox: push, SMS (null = automatic), quiet hours."""
        return await delivery.get_preferences(db, caller=caller)

    @put("/", operation_id="setNotificationPreferences")
    async def update(
        self,
        data: JSONBody[PreferencesBody],
        caller: NamedDependency[Caller],
        db: NamedDependency[AsyncSession],
    ) -> PreferencesPublic:
        """Replace the caller's preferences. Quiet hours ("HH:MM", Asia/Shanghai, may span
        midnight) hold back push and SMS for notices that are not urgent."""
        return await delivery.set_preferences(db, caller=caller, body=data)
