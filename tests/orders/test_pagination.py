"""Keyset pagination: stable pages, bounded limits, and a constant number of queries per page."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.factories import RESIDENT, WORKER, Api


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def _orders(api: Api, n: int) -> list[int]:
    ids = []
    for i in range(n):
        order = await api.order(description=f"第{i}单", code="errand" if i % 2 else "meal")
        ids.append(order["id"])
    return ids


async def test_pages_walk_every_order_once_newest_first(api: Api) -> None:
    ids = await _orders(api, 23)
    seen, cursor = [], None
    while True:
        params = {"view": "community", "limit": 10, **({"cursor": cursor} if cursor else {})}
        page = (await api.get(WORKER, "/api/v1/orders", **params)).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


async def test_a_list_costs_the_same_number_of_queries_whatever_the_page_size(api: Api) -> None:
    await _orders(api, 60)
    await api.token(WORKER)
    reader = api.app.state.database.reader
    counts = {}
    for view, phone in (("community", WORKER), ("mine", RESIDENT)):
        for limit in (1, 5, 50):
            with counting(reader) as statements:
                answer = await api.get(phone, "/api/v1/orders", view=view, limit=limit)
            assert len(answer.json()["items"]) == limit
            counts[(view, limit)] = len(statements)
    assert counts[("community", 1)] == counts[("community", 5)] == counts[("community", 50)]
    assert counts[("mine", 1)] == counts[("mine", 50)]
    assert counts[("community", 50)] <= 3


async def test_filters_by_status_and_category(api: Api) -> None:
    await _orders(api, 6)
    meal = await api.category("meal")
    listed = (await api.get(WORKER, "/api/v1/orders", view="community", category_id=meal)).json()
    assert len(listed["items"]) == 3 and {o["category"]["code"] for o in listed["items"]} == {
        "meal"
    }
    none = await api.get(WORKER, "/api/v1/orders", view="community", status="closed")
    assert none.json() == {"items": [], "next_cursor": None}


async def test_bad_list_parameters_are_named(api: Api) -> None:
    for params, field in (
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"view": "everything"}, "view"),
        ({"status": "lost"}, "status"),
        ({"cursor": "%%%"}, "cursor"),
        ({"cursor": "MA"}, "cursor"),
    ):
        answer = await api.get(WORKER, "/api/v1/orders", **params)
        assert answer.status_code == 422, (params, answer.text)
        assert answer.json()["field"] == field
