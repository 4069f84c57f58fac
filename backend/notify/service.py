"""The inbox: adding notices inside the caller's transaction, listing them, marking them read.

`notify()` is what every other domain calls to tell people something. It only adds rows to the
caller's session and never commits, so a notice exists exactly when the change it reports does.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.db import flush_pending, utcnow
from backend.errors import NotFound
from backend.notify.delivery import deliver_after_commit
from backend.notify.events import Event, publish_after_commit
from backend.notify.models import (
    InboxPage,
    MarkedRead,
    Notification,
    NotificationPublic,
    UnreadCount,
)
from backend.pagination import decode_cursor, encode_cursor

# Built once, Core: a notice is written on most transitions of the order loop (see events.py).
_TABLE = Notification.__table__  # type: ignore[attr-defined]
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)


async def notify(
    session: AsyncSession,
    *,
    user_ids: list[int],
    kind: str,
    payload: dict,
    order_id: int | None = None,
    proxied: bool | None = None,
) -> None:
    """Tell each of `user_ids` about `kind` (a stable code such as `order.accepted`).

    Adds one inbox row per distinct person to the caller's transaction, and an `inbox.new` live
    event published after it commits; never commits itself (the caller does).
    `payload` is JSON the PWA fills its translated text with (numbers, names, ids — no prose).
    `proxied`: whether the order was placed by a worker for someone (SMS by default), when the
    caller knows; otherwise delivery looks it up.
    """
    people = list(dict.fromkeys(user_ids))  # once per person, in the order given
    if not people:
        return
    await flush_pending(session)  # the order a notice names may still be pending
    now = utcnow()
    rows = [
        {"user_id": u, "kind": kind, "payload": dict(payload), "order_id": order_id,
         "created_at": now, "read_at": None}
        for u in people
    ]  # fmt: skip
    ids = (await session.execute(_INSERT, rows)).scalars().all()
    # Their open apps update the unread badge (and fetch the inbox) once this commits.
    await publish_after_commit(
        session,
        Event(kind="inbox.new", user_ids=people, payload={"kind": kind, "order_id": order_id}),
    )
    # Push and SMS go out after the commit.
    deliver_after_commit(
        session,
        [
            {
                "id": notice_id,
                "user_id": r["user_id"],
                "kind": kind,
                "payload": r["payload"],
                "order_id": order_id,
                "proxied": proxied,
            }
            for notice_id, r in zip(ids, rows, strict=True)
        ],
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
