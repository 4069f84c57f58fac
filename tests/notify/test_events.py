"""Live events over SSE: who hears what, only after a commit, replay, heartbeats, limits."""

from __future__ import annotations

import asyncio

from backend.auth.caller import Caller
from backend.notify.events import Event, publish_after_commit
from backend.notify.hub import CLOSE, RECONNECT, EventHub, current, encode
from backend.notify.stream import HELLO, _stream, open_connections
from backend.settings import Settings
from tests.factories import PARTY, RESIDENT, RESIDENT2, VOLUNTEER, VOLUNTEER2, WORKER, WORKER2, Api
from tests.notify.conftest import stream


async def test_each_person_hears_only_of_orders_they_may_see(live: Api) -> None:
    async with (
        stream(live, RESIDENT) as resident,
        stream(live, WORKER) as worker,
        stream(live, VOLUNTEER) as volunteer,
        stream(live, VOLUNTEER2) as other_volunteer,
        stream(live, WORKER2) as other_worker,
    ):
        order = await live.order()
        await live.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
        await live.act(PARTY, order["id"], "accept")

        seen = await resident.next()
        assert seen["event"] == "order.submit"
        assert seen["data"]["order_id"] == order["id"]
        assert seen["data"]["payload"]["status"] == "submitted"
        assert await resident.kinds_until("order.accept") == ["order.dispatch", "order.accept"]
        inbox = await resident.next()  # "accepted" went to the resident's inbox too
        assert inbox["event"] == "inbox.new"
        assert inbox["data"]["payload"] == {"kind": "order.accept", "order_id": order["id"]}
        assert await worker.kinds_until("order.accept") == [
            "order.submit",
            "order.dispatch",
            "order.accept",
        ]
        # the hall: a new pooled order, then gone because someone claimed it
        assert await volunteer.kinds_until("order.accept") == ["order.dispatch", "order.accept"]

        theirs = await live.order(phone=RESIDENT2, community="second")
        # the first thing the other community hears of is its own order, nothing of the demo one
        assert (await other_worker.next())["data"]["order_id"] == theirs["id"]
        await live.act(WORKER2, theirs["id"], "dispatch", {"mode": "pool"})
        heard = await other_volunteer.next()
        assert (heard["event"], heard["data"]["order_id"]) == ("order.dispatch", theirs["id"])
        assert "description" not in heard["data"]["payload"]  # no private details in the hall


async def test_nothing_is_published_for_a_rolled_back_change(live: Api) -> None:
    async with stream(live, WORKER) as worker:
        community = live.world["demo"]
        async with live.sessions() as session:
            await publish_after_commit(
                session, Event(kind="test.rolled_back", community_id=community, roles=["worker"])
            )
            await session.rollback()
        async with live.sessions() as session:
            await publish_after_commit(
                session, Event(kind="test.committed", community_id=community, roles=["worker"])
            )
            await session.commit()
        assert (await worker.next())["event"] == "test.committed"
        lost = await live.act(VOLUNTEER, 10_000, "accept")  # a failed action announces nothing
        assert lost.status_code == 404


async def test_a_reconnecting_client_gets_what_it_missed(live: Api) -> None:
    async with stream(live, RESIDENT) as resident:
        order = await live.order()
        first = await resident.next()
    await live.act(WORKER, order["id"], "dispatch", {"mode": "pool"})
    await live.act(PARTY, order["id"], "accept")
    async with stream(live, RESIDENT, last_event_id=first["id"]) as again:
        assert await again.kinds_until("order.accept") == ["order.dispatch", "order.accept"]
        assert int((await again.next())["id"]) > int(first["id"])  # then its inbox notice
    async with stream(live, VOLUNTEER2, last_event_id=first["id"]) as stranger:
        heartbeat = await stranger.next(3, comments=True)
        assert heartbeat == {"comment": "ping"}  # nothing of another community is replayed
    for gone in ("999999", "not-a-number"):
        async with stream(live, RESIDENT, last_event_id=gone) as lost:
            assert (await lost.next())["event"] == "reset"  # reload lists, the gap is unknown


async def test_idle_streams_get_heartbeats_and_are_counted(live: Api) -> None:
    before = open_connections()
    async with stream(live, RESIDENT) as one, stream(live, WORKER):
        assert open_connections() == before + 2
        scraped = (await live.client.get("/metrics")).text
        assert f"linli_sse_connections {before + 2}.0" in scraped.splitlines()
        assert await one.next(3, comments=True) == {"comment": "ping"}
    for _ in range(50):
        if open_connections() == before:
            break
        await asyncio.sleep(0.05)
    assert open_connections() == before
    scraped = (await live.client.get("/metrics")).text
    assert f"linli_sse_connections {before}.0" in scraped.splitlines()
    assert (await live.client.get("/api/v1/events")).status_code == 401


def board_event(n: int) -> dict:
    return {
        "id": n,
        "at": "2026-11-22T01:02:03+00:00",
        "kind": "order.submit",
        "community_id": 1,
        "order_id": None,
        "user_ids": [],
        "roles": ["worker"],
        "taker_kinds": None,
        "provider_ids": [],
        "payload": {},
    }


async def test_what_piles_up_while_a_stream_writes_leaves_in_one_write(settings: Settings) -> None:
    hub = EventHub(settings)
    reader = Caller(id=1, name="r", roles={1: frozenset({"worker"})})
    body = _stream(hub, None, settings, reader, None)  # type: ignore[arg-type]
    assert await anext(body) == HELLO
    (sub,) = hub.subscriptions
    waiting = asyncio.ensure_future(anext(body))
    await asyncio.sleep(0)
    assert sub.waiter is not None and not waiting.done()  # asleep on one future, nothing queued
    hub.fan_out(board_event(1))
    hub.fan_out(board_event(2))  # before the stream's task ran: both go out together, in order
    assert await waiting == encode(board_event(1)) + encode(board_event(2))
    hub._end(sub, CLOSE)
    assert [chunk async for chunk in body] == []  # a clean close: the body just ends
    assert hub.count == 0


async def test_a_subscriber_that_stops_reading_is_dropped_with_bounded_memory(
    settings: Settings,
) -> None:
    hub = EventHub(settings.__class__(sse_queue_size=5))
    reader = Caller(id=1, name="r", roles={1: frozenset({"worker"})})
    stalled, live_one = hub.subscribe(reader), hub.subscribe(reader)
    for n in range(20):
        hub.fan_out(board_event(n + 1))
        live_one.pending.popleft()  # this one keeps up
    assert stalled.dropped and stalled not in hub.subscriptions
    assert list(stalled.pending) == [RECONNECT]
    assert live_one in hub.subscriptions and not live_one.dropped
    assert current() is not hub
