"""The dispatch board's overdue and due-soon lists, the most pressing first."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import PARTY, RESIDENT, WORKER
from tests.quality.helpers import age_order

URL = "/api/v1/orders"


async def test_overdue_and_due_soon_filters_and_deadline_order(api):
    late = await api.order()
    later = await api.order(urgency="urgent")
    soon = await api.order()
    relaxed = await api.order()
    await age_order(api, late["id"], respond_by=timedelta(hours=3))
    await age_order(api, later["id"], respond_by=timedelta(hours=1))
    await age_order(api, soon["id"], respond_by=timedelta(minutes=-20))
    await age_order(api, relaxed["id"], respond_by=timedelta(hours=-5))

    overdue = await api.get(WORKER, URL, view="community", due="overdue", sort="deadline")
    assert [o["id"] for o in overdue.json()["items"]] == [late["id"], later["id"]]
    due_soon = await api.get(WORKER, URL, view="community", due="soon")
    assert [o["id"] for o in due_soon.json()["items"]] == [soon["id"]]

    # all open orders by deadline, two per page, following the cursor
    seen, cursor = [], None
    while True:
        params = {"view": "community", "sort": "deadline", "limit": 2}
        page = await api.get(WORKER, URL, **params, **({"cursor": cursor} if cursor else {}))
        seen += [o["id"] for o in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [late["id"], later["id"], soon["id"], relaxed["id"]]


async def test_taken_orders_race_their_completion_deadline(api):
    order = await api.pooled()
    await api.act(PARTY, order["id"], "accept")
    await age_order(api, order["id"], respond_by=timedelta(hours=9), complete_by=timedelta(-1))
    assert (await api.get(WORKER, URL, view="community", due="overdue")).json()["items"] == []
    await age_order(api, order["id"], complete_by=timedelta(minutes=1))
    overdue = await api.get(PARTY, URL, view="assigned", due="overdue")
    assert [o["id"] for o in overdue.json()["items"]] == [order["id"]]


async def test_bad_filters_are_refused_naming_the_field(api):
    answer = await api.get(WORKER, URL, view="community", due="late")
    assert answer.status_code == 422 and answer.json()["field"] == "due"
    answer = await api.get(RESIDENT, URL, sort="deadline", cursor="bm90LWEtY3Vyc29y")
    assert answer.status_code == 422
    assert answer.json()["field"] == "cursor"
