"""A passed deadline is escalated once: on the timeline, with several processes, after downtime."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from backend.app import create_app
from backend.db import Database, utcnow
from backend.jobs.models import OrderEscalation
from backend.notify.models import Notification
from backend.orders.models import OrderEvent
from backend.quality.escalation import escalate_due
from tests.factories import PARTY, RESIDENT, WORKER, WORKER2
from tests.quality.helpers import age_order

HOUR = timedelta(hours=1)


async def _escalations(api) -> list[tuple[int, str]]:
    async with api.sessions() as session:
        rows = await session.execute(
            select(OrderEvent.order_id, OrderEvent.note)
            .where(OrderEvent.action == "escalate")
            .order_by(OrderEvent.id)
        )
        return [tuple(r) for r in rows]


async def test_passed_response_deadline_is_on_the_timeline_once(api):
    order = await api.order()
    fresh = await api.order()
    await age_order(api, order["id"], respond_by=HOUR)

    assert await escalate_due(api.sessions, utcnow()) == 1
    assert await escalate_due(api.sessions, utcnow()) == 0

    detail = (await api.get(WORKER, f"/api/v1/orders/{order['id']}")).json()
    assert detail["status"] == "submitted"  # escalation never moves the status
    last = detail["timeline"][-1]
    assert last["action"] == "escalate"
    assert last["actor"] == {"id": None, "name": "", "role": "system"}
    assert (last["from_status"], last["to_status"]) == ("submitted", "submitted")
    assert last["note"] == "respond_overdue"
    assert "escalate" not in [e["action"] for e in (await _timeline(api, fresh["id"]))]
    # the resident sees it too, and it is not an action anybody may take
    mine = (await api.get(RESIDENT, f"/api/v1/orders/{order['id']}")).json()
    assert "escalate" not in mine["allowed_actions"]

    # the community's worker has exactly one notice in the inbox; another community's has none
    inbox = (await api.get(WORKER, "/api/v1/inbox")).json()["items"]
    escalated = [n for n in inbox if n["kind"] == "order.escalated"]
    assert len(escalated) == 1
    assert escalated[0]["payload"]["order_id"] == order["id"]
    assert escalated[0]["payload"]["deadline"] == "respond"
    assert (await api.get(WORKER2, "/api/v1/inbox")).json()["items"] == []


async def _timeline(api, order_id: int) -> list[dict]:
    return (await api.get(WORKER, f"/api/v1/orders/{order_id}")).json()["timeline"]


async def test_completion_deadline_and_a_reopened_order_escalate_again(api):
    order = await api.pooled()
    assert (await api.act(PARTY, order["id"], "accept")).status_code == 200
    await age_order(api, order["id"], complete_by=HOUR)
    assert await escalate_due(api.sessions, utcnow()) == 1
    assert await _escalations(api) == [(order["id"], "complete_overdue")]

    # done, reopened: new deadlines, and once those pass, a new escalation
    await api.act(PARTY, order["id"], "start")
    await api.act(PARTY, order["id"], "complete", {"note": "好了", "hours": 1})
    assert (await api.act(RESIDENT, order["id"], "reopen", {"reason": "没修好"})).status_code == 200
    assert await escalate_due(api.sessions, utcnow()) == 0
    await age_order(api, order["id"], respond_by=HOUR)
    assert await escalate_due(api.sessions, utcnow()) == 1
    assert [note for _, note in await _escalations(api)] == ["complete_overdue", "respond_overdue"]


async def test_finished_orders_are_never_escalated(api):
    order = await api.order()
    await api.act(WORKER, order["id"], "reject", {"reason": "不在服务范围"})
    await age_order(api, order["id"], respond_by=HOUR, complete_by=HOUR)
    assert await escalate_due(api.sessions, utcnow()) == 0


async def test_three_processes_sweeping_at_once_escalate_each_deadline_once(api, settings):
    orders = [await api.order() for _ in range(12)]
    for order in orders:
        await age_order(api, order["id"], respond_by=HOUR)
    processes = [Database.connect(settings) for _ in range(3)]
    try:
        now = utcnow()
        handled = await asyncio.gather(
            *(escalate_due(db.writer_sessions, now) for db in processes for _ in range(2))
        )
    finally:
        for db in processes:
            await db.dispose()
    assert sum(handled) == 12
    events = await _escalations(api)
    assert sorted(order_id for order_id, _ in events) == sorted(o["id"] for o in orders)
    async with api.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OrderEscalation)) == 12
        notices = await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "order.escalated")
        )
    assert notices == 12  # the demo community has one worker: one notice per deadline


async def test_a_deadline_passed_while_no_process_ran_is_caught_up_at_start(api, settings):
    order = await api.order()
    await age_order(api, order["id"], respond_by=timedelta(days=2))
    started = create_app(dataclasses.replace(settings, jobs_enabled=True))
    async with AsyncTestClient(app=started):
        for _ in range(100):  # the first tick runs as the app starts
            if await _escalations(api):
                break
            await asyncio.sleep(0.05)
    assert await _escalations(api) == [(order["id"], "respond_overdue")]
