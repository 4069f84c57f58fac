"""Placing an order (点单), by a resident or by a worker on an elder's behalf (代下单).

`Idempotency-Key`: the key's record and the order are written in one transaction under a unique
(caller, key) constraint. A retry finds the record and gets the first answer back; of two
concurrent first tries, the loser hits the constraint, rolls back, and answers the winner's.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import Membership, User
from backend.catalog.models import Category
from backend.db import utcnow
from backend.errors import Forbidden, Invalid, NotFound
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


async def _beneficiary_account(session: AsyncSession, body: OrderCreate) -> User:
    """The elder gets an account under their own phone, so they can follow the order later."""
    person = body.beneficiary
    assert person is not None
    user = await session.scalar(select(User).where(User.phone == person.phone))
    if user is None:
        user = User(phone=person.phone, name=person.name)
        session.add(user)
        await session.flush()
    if user.birth_year is None and person.age is not None:
        user.birth_year = utcnow().astimezone(SHANGHAI).year - person.age
    member = await session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.community_id == body.community_id,
            Membership.role == "resident",
        )
    )
    if member is None:
        session.add(Membership(user_id=user.id, community_id=body.community_id, role="resident"))
    return user


async def _validate(session: AsyncSession, caller: Caller, body: OrderCreate) -> Category:
    roles = caller.roles_in(body.community_id)
    if not roles:
        raise NotFound("community.not_found", "no such community among yours")
    if body.beneficiary is not None and "worker" not in roles:
        raise Forbidden("order.proxy_requires_worker", "only community workers order for others")
    if body.beneficiary is None and "resident" not in roles:
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
    if body.photo_ids:
        raise Invalid("photo_ids", f"no such file: {body.photo_ids[0]}", "file.not_found")
    return category


async def create_order(
    session: AsyncSession, *, caller: Caller, body: OrderCreate, idempotency_key: str | None
) -> tuple[int, dict]:
    """Answers (status, body): 201 and the new order, or the stored first answer of a retry."""
    digest = request_hash(body)
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 128:
            raise Invalid("Idempotency-Key", "must be 1 to 128 characters")
        replay = await _replay(session, caller, idempotency_key, digest)
        if replay is not None:
            return replay
    category = await _validate(session, caller, body)
    now = utcnow()
    if body.beneficiary is not None:
        resident, proxy_id = await _beneficiary_account(session, body), caller.id
    else:
        resident, proxy_id = await session.get(User, caller.id), None
        if resident is None:
            raise NotFound("community.not_found", "no such community among yours")
    building_id, room = body.building_id, body.room
    if building_id is None and room is None:  # default to the resident's home address
        building_id, room = resident.home_building_id, resident.home_room
    order = Order(
        number=await next_order_number(session, now),
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
    session.add(order)
    await session.flush()
    session.add(
        OrderEvent(
            order_id=order.id,  # type: ignore[arg-type]
            at=now,
            actor_id=caller.id,
            actor_role="worker" if proxy_id else "resident",
            action="submit",
            from_status=None,
            to_status="submitted",
        )
    )
    await session.flush()
    answer = (await get_order(session, caller=caller, order_id=order.id)).model_dump(mode="json")
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
    try:
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
