"""Callbacks (回访): the month's list of whom to phone, the calls' results, the monthly rates.

Asking for a month's list twice answers the same list: the list is stored under a unique
(community, month) key, and a concurrent second request that loses the insert race answers the
winner's list. Sampling lives in `quality/sampling.py`.
"""

from __future__ import annotations

import random

from sqlalchemy import case, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend import audit
from backend.auth.caller import Caller
from backend.auth.models import User
from backend.catalog.models import Category, Provider
from backend.db import utcnow
from backend.errors import Conflict, Invalid, NotFound
from backend.orders import service as orders
from backend.orders.models import Order, ReasonBody
from backend.quality import periods
from backend.quality.access import require_worker
from backend.quality.models import (
    Callback,
    CallbackList,
    CallbackListCreate,
    CallbackListPublic,
    CallbackPublic,
    CallbackRate,
    CallbackRecord,
    CallOrder,
    CallPerson,
)
from backend.quality.sampling import ELDER_AGE, Candidate, draw

Taker = aliased(User)


async def _candidates(session: AsyncSession, community_id: int, month: str) -> list[Candidate]:
    start, end = periods.month_range(month)
    elder_born_by = end.astimezone(periods.SHANGHAI).year - ELDER_AGE
    rows = await session.execute(
        select(Order.id, Order.assignee_provider_id, Order.assignee_user_id, User.birth_year)
        .join(User, User.id == Order.resident_id)
        .where(
            Order.community_id == community_id,
            Order.status.in_(("completed", "closed")),
            Order.completed_at >= start,
            Order.completed_at < end,
            ~exists().where(Callback.order_id == Order.id),
        )
    )
    return [
        Candidate(
            order_id=order_id,
            stratum=f"provider:{provider}" if provider else f"user:{taker}",
            elder=born is not None and born <= elder_born_by,
        )
        for order_id, provider, taker, born in rows
    ]


async def get_list(
    session: AsyncSession, *, caller: Caller, community_id: int, month: str
) -> CallbackListPublic:
    require_worker(caller, community_id)
    periods.month_range(month)
    found = await session.scalar(
        select(CallbackList).where(
            CallbackList.community_id == community_id, CallbackList.month == month
        )
    )
    if found is None:
        raise NotFound("callback.list_not_found", "no callback list for this month yet")
    return await _present_list(session, found)


async def generate_list(
    session: AsyncSession, *, caller: Caller, community_id: int, body: CallbackListCreate
) -> CallbackListPublic:
    require_worker(caller, community_id)
    month = body.month or periods.previous_month(utcnow())
    periods.month_range(month)
    existing = await session.scalar(
        select(CallbackList).where(
            CallbackList.community_id == community_id, CallbackList.month == month
        )
    )
    if existing is not None:
        return await _present_list(session, existing)
    made = CallbackList(
        community_id=community_id, month=month, size_requested=body.size, created_by=caller.id
    )
    session.add(made)
    try:
        await session.flush()
        chosen = draw(
            await _candidates(session, community_id, month),
            body.size,
            random.SystemRandom(),
        )
        for position, candidate in enumerate(chosen, start=1):
            session.add(
                Callback(
                    list_id=made.id,
                    community_id=community_id,
                    month=month,
                    order_id=candidate.order_id,
                    position=position,
                    stratum=candidate.stratum,
                    elder=candidate.elder,
                )
            )
        await audit.record(
            session,
            actor=caller,
            action="callback.list_generate",
            target=("callback_list", made.id),
            community_id=community_id,
            after={"month": month, "calls": len(chosen)},
        )
        await session.commit()
    except IntegrityError:  # a concurrent request made this month's list first: answer it
        await session.rollback()
        return await get_list(session, caller=caller, community_id=community_id, month=month)
    return await _present_list(session, made)


async def _present_list(session: AsyncSession, found: CallbackList) -> CallbackListPublic:
    items = await _present(session, Callback.list_id == found.id)
    return CallbackListPublic(
        community_id=found.community_id,
        month=found.month,
        size_requested=found.size_requested,
        created_at=found.created_at,
        items=items,
    )


async def _present(session: AsyncSession, where) -> list[CallbackPublic]:
    rows = await session.execute(
        select(Callback, Order, User, Category.name, Taker.name, Provider.name)
        .join(Order, Order.id == Callback.order_id)
        .join(User, User.id == Order.resident_id)
        .join(Category, Category.id == Order.category_id)
        .outerjoin(Taker, Taker.id == Order.assignee_user_id)
        .outerjoin(Provider, Provider.id == Order.assignee_provider_id)
        .where(where)
        .order_by(Callback.position)
    )
    year = utcnow().astimezone(periods.SHANGHAI).year
    return [
        CallbackPublic(
            **call.model_dump(
                include={"id", "month", "position", "stratum", "elder", "outcome", "attempts"}
                | {"on_time", "satisfaction", "complaint", "notes", "called_at"}
            ),
            order=CallOrder(
                id=order.id,
                number=order.number,
                status=order.status,
                category=category,
                taker=provider or taker,
                completed_at=order.completed_at,
            ),
            resident=CallPerson(
                id=person.id,
                name=person.name,
                phone=person.phone,
                age=year - person.birth_year if person.birth_year else None,
            ),
        )
        for call, order, person, category, taker, provider in rows
    ]


async def record(
    session: AsyncSession, *, caller: Caller, callback_id: int, body: CallbackRecord
) -> CallbackPublic:
    call = await session.get(Callback, callback_id)
    if call is None or not caller.roles_in(call.community_id):
        raise NotFound("callback.not_found", "no such callback among yours")
    require_worker(caller, call.community_id)
    if call.outcome in ("reached", "refused"):
        raise Conflict("callback.already_recorded", "this call already has its answer")
    if body.outcome == "reached":
        for field in ("on_time", "satisfaction"):
            if getattr(body, field) is None:
                raise Invalid(field, "required when the resident was reached")
    elif body.on_time is not None or body.satisfaction is not None or body.complaint:
        field = "complaint" if body.complaint else "on_time"
        raise Invalid(field, "only for a resident who was reached")
    if body.reopen and not body.complaint:
        raise Invalid("reopen", "only a complaint reopens the order")
    now = utcnow()
    call.outcome, call.on_time, call.satisfaction = body.outcome, body.on_time, body.satisfaction
    call.complaint, call.notes = body.complaint, body.notes
    call.attempts += 1
    call.called_by, call.called_at = caller.id, now
    # Recorded before a reopening, whose order transition appends its own entry and commits both.
    await audit.record(
        session,
        actor=caller,
        action="callback.record",
        target=("callback", call.id),
        community_id=call.community_id,
        after={"outcome": call.outcome, "complaint": bool(call.complaint), "reopen": body.reopen},
    )
    if body.reopen:  # one transaction: the call's record and the order's reopening
        reason = ReasonBody(reason=(body.notes or "回访投诉")[:500])
        await orders.act(
            session, caller=caller, order_id=call.order_id, action="complaint", body=reason
        )
    else:
        await session.commit()
    return (await _present(session, Callback.id == callback_id))[0]


async def rates(
    session: AsyncSession, *, caller: Caller, community_id: int, year: int
) -> list[CallbackRate]:
    require_worker(caller, community_id)
    counts = {
        outcome: func.sum(case((Callback.outcome == outcome, 1), else_=0))
        for outcome in ("reached", "not_reached", "refused")
    }
    rows = await session.execute(
        select(Callback.month, func.count(), *counts.values())
        .where(Callback.community_id == community_id, Callback.month.like(f"{year:04d}-%"))
        .group_by(Callback.month)
        .order_by(Callback.month)
    )
    answer = []
    for month, total, reached, not_reached, refused in rows:
        reached, not_reached, refused = int(reached), int(not_reached), int(refused)
        answer.append(
            CallbackRate(
                month=month,
                total=total,
                reached=reached,
                not_reached=not_reached,
                refused=refused,
                pending=total - reached - not_reached - refused,
                completion_rate=round((reached + refused) / total, 4) if total else None,
                reach_rate=round(reached / total, 4) if total else None,
            )
        )
    return answer
