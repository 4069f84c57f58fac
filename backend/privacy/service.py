"""Export, deletion and the admins' record of both.

Deletion anonymises rather than removes: the person's row stays (orders point at it, so the
community's statistics keep their counts, categories, times and ratings) but every field that
identifies them is erased — name, phone, birth year, home, sign-in secrets, memberships, free
text they wrote, photos they uploaded, their inbox and linked external accounts. The phone
becomes a placeholder that is not a mobile number, so the real number can sign up afresh.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.audit.models import AuditEntry
from backend.auth.caller import Caller
from backend.auth.models import Membership, OtpCode, RefreshToken, StreetRole, User
from backend.catalog.models import ProviderStaff
from backend.db import utcnow
from backend.errors import Invalid, Unauthorized
from backend.files.models import StoredFile, present_file
from backend.files.storage import Storage
from backend.notify.models import Notification
from backend.orders.models import Order, OrderEvent, Rating
from backend.privacy.models import (
    AccountDeleted,
    DataExport,
    PrivacyRequest,
    PrivacyRequestPage,
    PrivacyRequestPublic,
)
from backend.sso.models import ExternalIdentity
from backend.validation import mask_phone

DELETED_NAME = "已注销用户"


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in obj.model_dump(mode="json").items() if k not in skip}


async def _user(session: AsyncSession, caller: Caller) -> User:
    user = await session.get(User, caller.id)
    if user is None or (user.name == DELETED_NAME and not user.phone.startswith("1")):
        raise Unauthorized("auth.invalid_token", "the account no longer exists")
    return user


async def _note(session: AsyncSession, user: User, kind: str, communities: list[int]) -> None:
    session.add(
        PrivacyRequest(
            user_id=user.id,  # type: ignore[arg-type]
            kind=kind,
            phone_masked=mask_phone(user.phone),
            community_ids=communities,
        )
    )


async def export(session: AsyncSession, *, caller: Caller) -> DataExport:
    user = await _user(session, caller)
    mine = or_(Order.resident_id == user.id, Order.proxy_id == user.id)
    orders = (await session.scalars(select(Order).where(mine).order_by(Order.id))).all()
    events = (
        await session.scalars(
            select(OrderEvent)
            .where(OrderEvent.order_id.in_([o.id for o in orders]))
            .order_by(OrderEvent.id)
        )
    ).all()
    memberships = (
        await session.scalars(select(Membership).where(Membership.user_id == user.id))
    ).all()
    result = DataExport(
        exported_at=utcnow(),
        profile=_row(user, "password_hash"),
        memberships=[_row(m) for m in memberships],
        orders=[
            {**_row(o), "timeline": [_row(e) for e in events if e.order_id == o.id]} for o in orders
        ],
        ratings_given=[
            _row(r) for r in await session.scalars(select(Rating).where(Rating.rater_id == user.id))
        ],
        files=[
            present_file(f).model_dump(mode="json")
            for f in await session.scalars(select(StoredFile).where(StoredFile.owner_id == user.id))
        ],
        notifications=[
            _row(n)
            for n in await session.scalars(
                select(Notification).where(Notification.user_id == user.id)
            )
        ],
        actions=[
            _row(a, "prev_hash", "hash")
            for a in await session.scalars(
                select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.seq)
            )
        ],
    )
    await _note(session, user, "export", sorted({m.community_id for m in memberships}))
    await session.commit()
    return result


async def delete_account(
    session: AsyncSession, *, caller: Caller, storage: Storage
) -> AccountDeleted:
    user = await _user(session, caller)
    uid = user.id
    communities = sorted(
        set(await session.scalars(select(Membership.community_id).where(Membership.user_id == uid)))
    )
    await _note(session, user, "delete", communities)
    now = utcnow()
    old_phone = user.phone
    user.name, user.phone = DELETED_NAME, f"0{uid:010d}"
    user.password_hash = user.birth_year = user.home_building_id = user.home_room = None
    for table in (Membership, StreetRole, ProviderStaff, Notification, ExternalIdentity):
        await session.execute(delete(table).where(table.user_id == uid))
    await session.execute(delete(OtpCode).where(OtpCode.phone == old_phone))
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == uid, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    kept = await session.execute(
        update(Order)
        .where(Order.resident_id == uid)
        .values(address_text=None, room=None, description="（用户已注销）")
    )
    await session.execute(update(Rating).where(Rating.rater_id == uid).values(comment=None))
    await session.execute(update(OrderEvent).where(OrderEvent.actor_id == uid).values(note=None))
    photos = (await session.scalars(select(StoredFile).where(StoredFile.owner_id == uid))).all()
    for photo in photos:
        await session.delete(photo)
    await audit.record(
        session,
        actor=caller,
        action="privacy.delete_account",
        target=("user", uid),
        community_id=communities[0] if communities else None,
        after={"communities": communities, "orders_kept": kept.rowcount},
    )
    await session.commit()
    for photo in photos:  # after the commit: a failed commit must not lose the bytes
        await storage.delete(photo.key)
        await storage.delete(photo.thumb_key)
    return AccountDeleted(deleted=True, orders_kept=kept.rowcount)


async def list_requests(
    session: AsyncSession, *, caller: Caller, cursor: str | None, limit: int
) -> PrivacyRequestPage:
    """Admins see the requests of people in their street's communities (and of people in none)."""
    mine = set(caller.communities_with("admin"))
    query = select(PrivacyRequest).order_by(PrivacyRequest.id.desc())
    if cursor is not None:
        if not cursor.isdigit() or int(cursor) <= 0:
            raise Invalid("cursor", "not a cursor this API handed out")
        query = query.where(PrivacyRequest.id < int(cursor))
    items: list[PrivacyRequestPublic] = []
    last_id = None
    for row in await session.scalars(query):
        if row.community_ids and not mine & set(row.community_ids):
            continue
        if len(items) == limit:
            return PrivacyRequestPage(items=items, next_cursor=str(last_id))
        items.append(PrivacyRequestPublic.model_validate(row, from_attributes=True))
        last_id = row.id
    return PrivacyRequestPage(items=items, next_cursor=None)
