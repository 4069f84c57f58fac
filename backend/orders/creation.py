"""Placing an order (点单), by a resident, by a worker on an elder's behalf (代下单), or by an
outside system through an integration key (Open311) — one path for all three.

`Idempotency-Key`: the key's record and the order are written in one transaction under a unique
(caller, key) constraint. A retry finds the record and gets the first answer back; of two
concurrent first tries, the loser hits the constraint, rolls back, and answers the winner's.

The order's number (`20261122-0007`) is taken in a short transaction of its own, before that one
(`take_number`): the day's counter row is locked from its increment to its commit, so numbering
inside the order's transaction made every create in the process queue behind the one before it
for all of that transaction's round trips. The price is a gap: a create that fails after its
number was taken (a lost idempotency race, a database error) leaves its number unused. Numbers
stay unique and in the order they were taken; nothing counts on them being gapless (the audit
chain, not the numbers, is what shows that nothing went missing).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend import audit
from backend.auth.caller import Caller
from backend.auth.models import Membership, User
from backend.catalog.models import Category
from backend.db import utcnow
from backend.errors import Forbidden, Invalid, NotFound
from backend.files import service as files
from backend.orders.live import announce
from backend.orders.models import (
    IdempotencyRecord,
    Order,
    OrderCreate,
    OrderEvent,
    OrderNumberCounter,
)
from backend.orders.service import get_order
from backend.places.models import Building

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Origin:
    """An order filed by an outside system (an Open311 client) instead of a signed-in person.

    The caller is then the integration's system account, holding the role `integration` in the
    communities its key covers; the timeline shows that account (named after the integration).
    The resident is the reporter found or created by phone, else the system account itself.
    """

    integration_id: int
    reporter_phone: str | None = None
    reporter_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media_url: str | None = None
    public_token: str | None = None


def request_hash(body: OrderCreate) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _replay(
    session: AsyncSession, caller: Caller, key: str, digest: str
) -> tuple[int, dict] | None:
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == caller.id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.request_hash != digest:
        raise Invalid(
            "Idempotency-Key",
            "this key was already used with a different body",
            "order.idempotency_mismatch",
        )
    return record.status_code, record.body


async def next_order_number(session: AsyncSession, now: datetime) -> str:
    day = now.astimezone(SHANGHAI).strftime("%Y%m%d")
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OrderNumberCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": OrderNumberCounter.last + 1})
        .returning(OrderNumberCounter.last)
    )
    sequence = (await session.execute(statement)).scalar_one()
    return f"{day}-{sequence:04d}"


async def take_number(session: AsyncSession, now: datetime) -> str:
    """The next number of the day, committed at once (see the module docstring): this ends the
    session's transaction (so far only reads), and the order is written in the next one."""
    number = await next_order_number(session, now)
    await session.commit()
    return number


async def _resident_account(
    session: AsyncSession, community_id: int, phone: str, name: str, age: int | None
) -> User:
    """Find or create the person by phone, as a resident of the community, so they can sign in
    with a code later and follow the order themselves."""
    user = await session.scalar(select(User).where(User.phone == phone))
    if user is None:
        user = User(phone=phone, name=name)
        session.add(user)
        await session.flush()
    if user.birth_year is None and age is not None:
        user.birth_year = utcnow().astimezone(SHANGHAI).year - age
    member = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.community_id == community_id,
            Membership.role == "resident",
        )
    )
    if member is None:
        session.add(Membership(user_id=user.id, community_id=community_id, role="resident"))
    return user


async def _resident(
    session: AsyncSession, caller: Caller, body: OrderCreate, origin: Origin | None
) -> tuple[User, int | None]:
    """Who the order is for, and the proxy worker who placed it for them (if any)."""
    if origin is not None and origin.reporter_phone is not None:
        name = origin.reporter_name or f"居民{origin.reporter_phone[-4:]}"
        user = await _resident_account(
            session, body.community_id, origin.reporter_phone, name, None
        )
        return user, None
    if body.beneficiary is not None:
        person = body.beneficiary
        user = await _resident_account(
            session, body.community_id, person.phone, person.name, person.age
        )
        return user, caller.id
    user = await session.get(User, caller.id)
    if user is None:
        raise NotFound("community.not_found", "no such community among yours")
    return user, None


async def _validate(
    session: AsyncSession, caller: Caller, body: OrderCreate, origin: Origin | None
) -> Category:
    roles = caller.roles_in(body.community_id)
    if not roles:
        raise NotFound("community.not_found", "no such community among yours")
    if origin is not None:
        if "integration" not in roles or body.beneficiary is not None:
            raise Forbidden("order.integration_required", "only an integration files this way")
    elif body.beneficiary is not None and "worker" not in roles:
        raise Forbidden("order.proxy_requires_worker", "only community workers order for others")
    elif body.beneficiary is None and "resident" not in roles:
        raise Forbidden("order.resident_required", "only residents of the community order here")
    category = await session.get(Category, body.category_id)
    if category is None or category.community_id != body.community_id or not category.active:
        raise Invalid("category_id", "no such service in this community's catalogue")
    if body.building_id is not None:
        building = await session.get(Building, body.building_id)
        if building is None or building.community_id != body.community_id:
            raise Invalid("building_id", "no such building in this community")
    if body.preferred_start and body.preferred_end and body.preferred_end <= body.preferred_start:
        raise Invalid("preferred_end", "must be after preferred_start")
    await files.check_usable(session, caller=caller, photo_ids=body.photo_ids)
    return category


async def create_order(
    session: AsyncSession,
    *,
    caller: Caller,
    body: OrderCreate,
    idempotency_key: str | None,
    origin: Origin | None = None,
) -> tuple[int, dict]:
    """Answers (status, body): 201 and the new order, or the stored first answer of a retry.

    With an `origin` the answer is only `{id, number, public_token}`: the integration's account
    has no relation to an order filed for a reporter, so it may not read the order back."""
    digest = request_hash(body)
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 128:
            raise Invalid("Idempotency-Key", "must be 1 to 128 characters")
        replay = await _replay(session, caller, idempotency_key, digest)
        if replay is not None:
            return replay
    category = await _validate(session, caller, body, origin)
    now = utcnow()
    number = await take_number(session, now)
    resident, proxy_id = await _resident(session, caller, body, origin)
    building_id, room = body.building_id, body.room
    # Default to the resident's home address — but not for an outside report, which says where.
    if building_id is None and room is None and origin is None:
        building_id, room = resident.home_building_id, resident.home_room
    order = Order(
        number=number,
        community_id=body.community_id,
        category_id=category.id,  # type: ignore[arg-type]
        status="submitted",
        description=body.description,
        address_text=body.address_text,
        building_id=building_id,
        room=room,
        preferred_start=body.preferred_start,
        preferred_end=body.preferred_end,
        urgency=body.urgency,
        resident_id=resident.id,  # type: ignore[arg-type]
        proxy_id=proxy_id,
        created_at=now,
        updated_at=now,
        respond_by=now + timedelta(minutes=category.respond_minutes),
        complete_by=now + timedelta(minutes=category.respond_minutes + category.complete_minutes),
    )
    if origin is not None:
        order.integration_id = origin.integration_id
        order.latitude, order.longitude = origin.latitude, origin.longitude
        order.media_url, order.public_token = origin.media_url, origin.public_token
    session.add(order)
    await session.flush()
    await files.attach(session, caller=caller, photo_ids=body.photo_ids, order_id=order.id)
    await session.execute(
        insert(OrderEvent.__table__),  # type: ignore[attr-defined]
        {
            "order_id": order.id,
            "at": now,
            "actor_id": caller.id,
            "actor_role": "integration" if origin else "worker" if proxy_id else "resident",
            "action": "submit",
            "from_status": None,
            "to_status": "submitted",
            "note": None,
        },
    )
    await announce(session, order, category, "submit", "submitted", {}, caller.id)
    if origin is not None:
        answer = {"id": order.id, "number": order.number, "public_token": order.public_token}
    else:
        detail = await get_order(session, caller=caller, order_id=order.id)  # type: ignore[arg-type]
        answer = detail.model_dump(mode="json")
    if idempotency_key is not None:
        session.add(
            IdempotencyRecord(
                user_id=caller.id,
                key=idempotency_key,
                request_hash=digest,
                status_code=201,
                body=answer,
            )
        )
    try:  # the idempotency record is written here too: a racing retry fails in the flush
        # Last before the commit: every write of this request queues for the chain's tail here.
        await audit.record(
            session,
            actor=caller,
            action="order.submit",
            target=("order", order.id),
            community_id=order.community_id,
            after={
                "status": "submitted",
                "category_id": category.id,
                "proxy": proxy_id is not None,
                "origin": "open311" if origin is not None else "app",
            },
        )
        await session.commit()
    except IntegrityError:
        await session.rollback()
        if idempotency_key is None:
            raise
        replay = await _replay(session, caller, idempotency_key, digest)
        if replay is None:
            raise
        return replay
    return 201, answer
