"""Telling people beyond the inbox: Web Push and SMS, after the notice's transaction commits.

`notify()` hands the new notices to `deliver_after_commit`; when the transaction commits they are
delivered in the background by the process that committed (once, not once per replica), so a slow
or dead push service or SMS gateway never holds up the change that caused them. Per person:
`NotificationPreference` (push on/off, SMS on/off/automatic, quiet hours). Urgent notices ignore
quiet hours; the inbox always has everything.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from backend.auth.caller import Caller
from backend.auth.models import User
from backend.db import Database, utcnow
from backend.errors import Invalid
from backend.notify import push
from backend.notify.models import NotificationPreference, PreferencesBody, PreferencesPublic
from backend.notify.models import PushSubscription as Device
from backend.notify.sms import SmsSender
from backend.orders.models import Order

log = logging.getLogger("linli.delivery")
PENDING = "linli.pending_notices"
SHANGHAI = ZoneInfo("Asia/Shanghai")
URGENT_KINDS = frozenset({"order.escalated"})


def is_urgent(notice: dict[str, Any]) -> bool:
    return notice["kind"] in URGENT_KINDS or notice["payload"].get("urgency") == "urgent"


def in_quiet_hours(pref: NotificationPreference | None, now: datetime) -> bool:
    if pref is None or not pref.quiet_start or not pref.quiet_end:
        return False
    start, end = time.fromisoformat(pref.quiet_start), time.fromisoformat(pref.quiet_end)
    local = now.astimezone(SHANGHAI).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # over midnight, e.g. 22:00–07:00


def deliver_after_commit(session: AsyncSession, notices: list[dict[str, Any]]) -> None:
    session.sync_session.info.setdefault(PENDING, []).extend(notices)


@sa_event.listens_for(Session, "after_commit")
def _deliver_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        from backend.notify.hub import current

        hub = current()
        if hub is not None and hub.database is not None:
            hub.run_soon(deliver, hub.database, hub.sms, pending)


@sa_event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


async def deliver(database: Database, sms: SmsSender, notices: list[dict[str, Any]]) -> None:
    """Push to every device of each person, or text them, as their preferences say."""
    now = utcnow()
    people = sorted({n["user_id"] for n in notices})
    # Read what is needed without a transaction (reads only, db.PLAIN_READ): none is held
    # across network calls. Each person's phone, preferences and devices come in one query;
    # whether an order was placed by a proxy only when the notice does not already say.
    async with database.plain_read_sessions() as session:
        rows = await session.execute(
            select(User.id, User.phone, NotificationPreference, Device)
            .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
            .outerjoin(Device, Device.user_id == User.id)
            .where(User.id.in_(people))
            .order_by(User.id, Device.id)
        )
        prefs: dict[int, NotificationPreference] = {}
        phones: dict[int, str] = {}
        devices: dict[int, list[Device]] = {}
        for user_id, phone, pref, device in rows:
            phones[user_id] = phone
            if pref is not None:
                prefs[user_id] = pref
            if device is not None:
                devices.setdefault(user_id, []).append(device)
        proxied = {n["order_id"] for n in notices if n.get("proxied")}
        unknown = {n["order_id"] for n in notices if n.get("proxied") is None} - {None}
        if unknown:
            proxied |= set(
                await session.scalars(
                    select(Order.id).where(Order.id.in_(unknown), Order.proxy_id.is_not(None))
                )
            )
    key = None
    if devices:
        async with database.writer_sessions() as session:
            key = await push.vapid_key(session)
    for notice in notices:
        pref = prefs.get(notice["user_id"])
        if in_quiet_hours(pref, now) and not is_urgent(notice):
            continue
        mine = devices.get(notice["user_id"], [])
        if key is not None and mine and (pref is None or pref.push):
            message = {k: notice[k] for k in ("id", "kind", "payload", "order_id")}
            for device in mine:
                if not await push.send(key, device, message):
                    async with database.writer_sessions() as session:
                        await push.forget(session, device.id)  # type: ignore[arg-type]
        wants_sms = pref.sms if pref is not None and pref.sms is not None else None
        if wants_sms is None:  # automatic: elders ordered for, with no push-capable device
            wants_sms = not mine and notice["order_id"] in proxied
        if wants_sms and notice["user_id"] in phones:
            try:
                await sms.send(phones[notice["user_id"]], notice["kind"], _sms_params(notice))
            except Exception:
                log.warning("SMS for notice %s not sent", notice["id"], exc_info=True)


def _sms_params(notice: dict[str, Any]) -> dict[str, str]:
    keep = ("number", "status", "deadline")
    return {k: str(v) for k, v in notice["payload"].items() if k in keep and v is not None}


async def get_preferences(session: AsyncSession, *, caller: Caller) -> PreferencesPublic:
    pref = await session.get(NotificationPreference, caller.id) or NotificationPreference(
        user_id=caller.id
    )
    return PreferencesPublic.model_validate(pref, from_attributes=True)


async def set_preferences(
    session: AsyncSession, *, caller: Caller, body: PreferencesBody
) -> PreferencesPublic:
    if (body.quiet_start is None) != (body.quiet_end is None):
        missing = "quiet_end" if body.quiet_end is None else "quiet_start"
        raise Invalid(missing, "give both ends of the quiet hours, or neither")
    pref = await session.get(NotificationPreference, caller.id)
    if pref is None:
        pref = NotificationPreference(user_id=caller.id)
        session.add(pref)
    for field, value in body.model_dump().items():
        setattr(pref, field, value)
    await session.commit()
    return PreferencesPublic.model_validate(pref, from_attributes=True)
