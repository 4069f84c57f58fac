"""The inbox: adding notices inside the caller's transaction, listing them, marking them read.

`notify()` is what every other domain calls to tell people something. It only adds rows to the
caller's session and never commits, so a notice exists exactly when the change it reports does.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import utcnow
from backend.errors import NotFound
from backend.notify.models import (
    InboxPage,
    MarkedRead,
    Notification,
    NotificationPublic,
    UnreadCount,
)
from backend.orders.service import decode_cursor, encode_cursor


async def notify(
    session: AsyncSession,
    *,
    user_ids: list[int],
    kind: str,
    payload: dict,
    order_id: int | None = None,
) -> None:
    """Tell each of `user_ids` about `kind` (a stable code such as `order.accepted`).

    Adds one inbox row per distinct person to the caller's transaction; the caller commits.
    `payload` is JSON the PWA fills its translated text with (numbers, names, ids — no prose).
    """
    now = utcnow()
    for user_id in dict.fromkeys(user_ids):  # once per person, in the order given
        session.add(
            Notification(
                user_id=user_id, kind=kind, payload=dict(payload), order_id=order_id, created_at=now
            )
        )


def _public(row: Notification) -> NotificationPublic:
    return NotificationPublic.model_validate(row, from_attributes=True)


async def list_inbox(
    session: AsyncSession, *, caller: Caller, unread: bool, cursor: str | None, limit: int
) -> InboxPage:
    query = select(Notification).where(Notification.user_id == caller.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if cursor is not None:
        query = query.where(Notification.id < decode_cursor(cursor))
    rows = list(await session.scalars(query.order_by(Notification.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None  # type: ignore[arg-type]
    return InboxPage(items=[_public(r) for r in rows[:limit]], next_cursor=next_cursor)


async def unread_count(session: AsyncSession, *, caller: Caller) -> UnreadCount:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == caller.id, Notification.read_at.is_(None))
    )
    return UnreadCount(unread=count or 0)


async def mark_read(
    session: AsyncSession, *, caller: Caller, notification_id: int
) -> NotificationPublic:
    row = await session.get(Notification, notification_id)
    if row is None or row.user_id != caller.id:
        raise NotFound("inbox.not_found", "no such notice in your inbox")
    if row.read_at is None:  # reading twice keeps the first time
        row.read_at = utcnow()
        await session.commit()
    return _public(row)


async def mark_all_read(session: AsyncSession, *, caller: Caller) -> MarkedRead:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == caller.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return MarkedRead(marked=result.rowcount or 0)
