"""The inbox: `notify()` adds notices in the caller's transaction; people read only their own."""

from __future__ import annotations

from sqlalchemy import select

from backend.auth.models import User
from backend.notify.service import notify
from tests.factories import RESIDENT, VOLUNTEER, WORKER, Api


async def user_id(api: Api, phone: str) -> int:
    async with api.sessions() as session:
        return (await session.scalars(select(User.id).where(User.phone == phone))).one()


async def test_notices_appear_newest_first_and_are_marked_read(api: Api) -> None:
    resident = await user_id(api, RESIDENT)
    order = await api.order()
    async with api.sessions() as session:
        for n in range(3):
            await notify(
                session,
                user_ids=[resident, resident],
                kind="order.accepted",
                payload={"number": order["number"], "n": n},
                order_id=order["id"],
            )
        await session.commit()

    count = await api.get(RESIDENT, "/api/v1/inbox/unread-count")
    assert count.json() == {"unread": 3}  # once per person even when named twice
    first = await api.get(RESIDENT, "/api/v1/inbox", limit=2)
    items = first.json()["items"]
    assert [i["payload"]["n"] for i in items] == [2, 1]
    assert items[0]["kind"] == "order.accepted" and items[0]["order_id"] == order["id"]
    rest = await api.get(RESIDENT, "/api/v1/inbox", limit=2, cursor=first.json()["next_cursor"])
    assert [i["payload"]["n"] for i in rest.json()["items"]] == [0]
    assert rest.json()["next_cursor"] is None

    read = await api.post(RESIDENT, f"/api/v1/inbox/{items[0]['id']}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await api.post(RESIDENT, f"/api/v1/inbox/{items[0]['id']}/read")
    assert again.json()["read_at"] == read.json()["read_at"]
    assert (await api.get(RESIDENT, "/api/v1/inbox/unread-count")).json() == {"unread": 2}
    unread = await api.get(RESIDENT, "/api/v1/inbox", unread="true")
    assert [i["payload"]["n"] for i in unread.json()["items"]] == [1, 0]

    assert (await api.post(RESIDENT, "/api/v1/inbox/read-all")).json() == {"marked": 2}
    assert (await api.get(RESIDENT, "/api/v1/inbox/unread-count")).json() == {"unread": 0}


async def test_a_notice_exists_only_if_the_callers_transaction_commits(api: Api) -> None:
    worker = await user_id(api, WORKER)
    async with api.sessions() as session:
        await notify(session, user_ids=[worker], kind="order.overdue", payload={})
        await session.rollback()
    assert (await api.get(WORKER, "/api/v1/inbox/unread-count")).json() == {"unread": 0}


async def test_nobody_reads_or_marks_another_persons_notice(api: Api) -> None:
    resident = await user_id(api, RESIDENT)
    async with api.sessions() as session:
        await notify(session, user_ids=[resident], kind="order.completed", payload={})
        await session.commit()
    mine = (await api.get(RESIDENT, "/api/v1/inbox")).json()["items"][0]
    assert (await api.get(VOLUNTEER, "/api/v1/inbox")).json()["items"] == []
    stolen = await api.post(VOLUNTEER, f"/api/v1/inbox/{mine['id']}/read")
    assert stolen.status_code == 404 and stolen.json()["code"] == "inbox.not_found"
    assert (await api.post(VOLUNTEER, "/api/v1/inbox/read-all")).json() == {"marked": 0}
    assert (await api.get(RESIDENT, "/api/v1/inbox/unread-count")).json() == {"unread": 1}
    assert (await api.client.get("/api/v1/inbox")).status_code == 401
    bad = await api.get(RESIDENT, "/api/v1/inbox", cursor="!!")
    assert bad.status_code == 422 and bad.json()["field"] == "cursor"
