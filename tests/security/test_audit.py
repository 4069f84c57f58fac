"""The audit log: every order transition and administrative action is in it, its readers are
the community's workers and the street's admins, and an edit or a deletion in the table is
caught by `linli audit verify`. (That every mutating route writes an entry is checked by the
authorisation matrix, test_matrix.py.)"""

from __future__ import annotations

import asyncio

from click.testing import CliRunner
from sqlalchemy import delete, select, update

from backend.audit.models import AuditEntry
from backend.audit.service import verify
from backend.cli import main
from tests.factories import ADMIN, RESIDENT, VOLUNTEER, WORKER, WORKER2, Api


async def _loop(api: Api) -> dict:
    order = await api.pooled()
    for who, action, body in (
        (VOLUNTEER, "accept", {}),
        (VOLUNTEER, "start", {}),
        (VOLUNTEER, "complete", {"note": "好了", "hours": 1}),
    ):
        assert (await api.act(who, order["id"], action, body)).status_code == 200
    return order


async def _cli_verify(settings_url: str) -> tuple[int, str]:
    result = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["audit", "verify"],
        env={"DATABASE_URL": settings_url, "LINLI_ENV": "test"},
    )
    return result.exit_code, result.output


async def test_each_transition_is_recorded_with_who_where_and_before_after(api: Api) -> None:
    order = await _loop(api)
    trail = await api.get(WORKER, f"/api/v1/communities/{api.world['demo']}/audit")
    assert trail.status_code == 200
    items = trail.json()["items"]
    actions = [i["action"] for i in items if i["target_id"] == str(order["id"])]
    assert actions == [
        "order.complete",
        "order.start",
        "order.accept",
        "order.dispatch",
        "order.submit",
    ]
    dispatch = next(i for i in items if i["action"] == "order.dispatch")
    assert dispatch["before"] == {"status": "submitted"}
    assert dispatch["after"]["status"] == "dispatched"
    assert dispatch["after"]["dispatch_mode"] == "pool"
    assert dispatch["actor"]["name"] == "李建国" and dispatch["actor"]["role"] == "worker"
    assert dispatch["ip"]  # the test client's address
    admin = await api.get(ADMIN, f"/api/v1/communities/{api.world['demo']}/audit", limit=2)
    assert admin.status_code == 200 and len(admin.json()["items"]) == 2
    assert admin.json()["next_cursor"]


async def test_an_administrative_action_shows_what_changed_in_its_community(api: Api) -> None:
    demo = api.world["demo"]
    url = f"/api/v1/communities/{demo}/points/rule"
    assert (
        await api.client.put(url, json={"points_per_hour": 12}, headers=await api.headers(WORKER))
    ).status_code == 200
    trail = (await api.get(WORKER, f"/api/v1/communities/{demo}/audit")).json()["items"]
    entry = trail[0]
    assert entry["action"] == "points.rule_set" and entry["community_id"] == demo
    assert entry["target_type"] == "community" and entry["target_id"] == str(demo)
    assert entry["before"] == {"points_per_hour": 10} and entry["after"] == {"points_per_hour": 12}
    assert entry["actor"]["role"] == "worker" and entry["ip"]
    other = (await api.get(ADMIN, f"/api/v1/communities/{api.world['second']}/audit")).json()
    assert all(i["action"] != "points.rule_set" for i in other["items"])


async def test_only_workers_and_admins_of_the_community_read_it(api: Api) -> None:
    url = f"/api/v1/communities/{api.world['demo']}/audit"
    assert (await api.get(RESIDENT, url)).status_code == 403
    assert (await api.get(WORKER2, url)).status_code == 404


async def test_an_edited_entry_is_caught(api: Api, settings) -> None:
    await _loop(api)
    async with api.sessions() as session:
        assert (await verify(session)).ok
        code, output = await _cli_verify(settings.database_url)
        assert code == 0 and "5 entries" in output and "ok" in output
        # someone with database access rewrites who the order was dispatched to
        await session.execute(
            update(AuditEntry)
            .where(AuditEntry.action == "order.dispatch")
            .values(after={"status": "dispatched", "dispatch_mode": "assign"})
        )
        await session.commit()
        result = await verify(session)
    assert not result.ok
    assert result.problems == ["seq 2: contents changed after it was written"]
    code, output = await _cli_verify(settings.database_url)
    assert code == 1 and "TAMPERED: seq 2" in output


async def test_a_deleted_entry_is_caught(api: Api, settings) -> None:
    await _loop(api)
    async with api.sessions() as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
        await session.commit()
        result = await verify(session)
        assert not result.ok
        assert "seq 3: missing (next is 4)" in result.problems
        # re-linking the next entry by hand still breaks its own hash
        fourth = await session.scalar(select(AuditEntry).where(AuditEntry.seq == 4))
        second = await session.scalar(select(AuditEntry).where(AuditEntry.seq == 2))
        fourth.prev_hash = second.hash
        await session.commit()
        result = await verify(session)
    assert "seq 4: contents changed after it was written" in result.problems
    code, _ = await _cli_verify(settings.database_url)
    assert code == 1


async def test_phone_numbers_never_enter_the_log(api: Api) -> None:
    body = {
        "community_id": api.world["demo"],
        "category_id": await api.category("errand"),
        "description": "替老人下单",
        "beneficiary": {"name": "王奶奶", "phone": "13912340000", "age": 80},
    }
    assert (await api.post(WORKER, "/api/v1/orders", body)).status_code == 201
    async with api.sessions() as session:
        rows = (await session.scalars(select(AuditEntry))).all()
    assert rows and all("13912340000" not in str((r.before, r.after)) for r in rows)
