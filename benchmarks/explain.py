"""`EXPLAIN ANALYZE` of every list query, as the service functions send it, on the perf database.

Runs each list through the same service function the API calls, for a generated caller of the
right role, captures the SQL it sends (with its parameters), and explains it. A query "uses an
index" when its plan reads the big tables (order, orderevent, rating, user, membership) by
index only; any sequential scan of one of them is reported. Used by `load.py explain`.
"""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from backend.auth.caller import Caller
from backend.catalog import service as catalog
from backend.orders import lists as orders
from backend.quality import dashboard, rankings, scores
from backend.settings import normalise_database_url

BIG = ("order", "orderevent", "rating", "user", "membership")
PER_COMMUNITY = 5000


def caller(uid: int, community: int, *roles: str) -> Caller:
    return Caller(id=uid, name="", roles={community: frozenset(roles)})


async def _deep_cursor(pages: orders.OrderLists, who: Caller, count: int) -> str | None:
    cursor = None
    for _ in range(count - 1):
        query = orders.ListQuery(view="community", cursor=cursor)
        cursor = (await pages.page(who, query))["next_cursor"]
    return cursor


async def _explain(url: str) -> dict:
    engine = create_async_engine(normalise_database_url(url))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    pages = orders.OrderLists(engine)
    c = 1
    worker = caller(1, c, "worker")
    volunteer = caller(6, c, "resident", "volunteer", "party_member")
    resident = caller(47, c, "resident")
    lists = {
        "my orders (view=mine)": (resident, "mine", None, "newest"),
        "community, newest (view=community)": (worker, "community", None, "newest"),
        "dispatch board (community, submitted, by deadline)": (
            worker, "community", "submitted", "deadline"),
        "order hall (view=pool, by deadline)": (volunteer, "pool", None, "deadline"),
        "my tasks (view=assigned, by deadline)": (volunteer, "assigned", None, "deadline"),
        "assigned, newest": (volunteer, "assigned", None, "newest"),
    }  # fmt: skip
    found: dict[str, dict] = {}
    # The lists send their own SQL on asyncpg (orders/list_rows.py): explained as sent.
    sent = {
        name: pages.sql(who, orders.ListQuery(view=view, status=status, sort=sort))
        for name, (who, view, status, sort) in lists.items()
    }
    # Several communities are one array parameter (`= ANY($n)`), one is `= $n`: the street's
    # admin (ten communities) shows the array's plan.
    admin = Caller(id=1, name="", roles={k: frozenset({"admin"}) for k in range(1, 11)})
    # Staff of the organisation with the most orders (1.3M at 10M, a few hundred open): the
    # tasks tabs send an open status by deadline (ix_order_open_assignee_provider).
    staff = Caller(id=5, name="", roles={c: frozenset({"provider"})}, provider_ids=frozenset({1}))
    for status in (None, "accepted"):
        sent[f"my tasks, organisation staff, {status or 'open'}, by deadline"] = pages.sql(
            staff, orders.ListQuery(view="assigned", status=status, sort="deadline")
        )
    sent["community, newest, ten communities (a street's admin)"] = pages.sql(
        admin, orders.ListQuery(view="community")
    )
    deep = await _deep_cursor(pages, worker, 1000)
    sent["community, page 1000 (keyset cursor)"] = pages.sql(
        worker, orders.ListQuery(view="community", cursor=deep)
    )
    calls = {}
    calls["catalogue (categories of a community)"] = lambda s: catalog.list_categories(
        s, caller=worker, community_id=c
    )
    calls["community dashboard, this month"] = lambda s: dashboard.build(s, [c], None)
    calls["provider scorecards, this quarter"] = lambda s: rankings.compute(
        s, "2026Q4", "provider", dict(scores.DEFAULT_WEIGHTS), 10
    )
    captured_by_name: dict[str, list[tuple[str, object]]] = {n: [q] for n, q in sent.items()}
    for name, call in calls.items():
        captured: list[tuple[str, object]] = []

        def grab(conn, cursor, statement, parameters, context, executemany, into=captured):
            into.append((statement, parameters))

        event.listen(engine.sync_engine, "before_cursor_execute", grab)
        try:
            async with sessions() as session:
                await call(session)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", grab)
        captured_by_name[name] = captured
    for name, captured in captured_by_name.items():
        plans = []
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            for statement, params in captured:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                rows = await raw.fetch(
                    "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, *params
                )
                plan = [line for (line,) in rows]
                text = "\n".join(plan)
                plans.append(
                    {
                        "sql": " ".join(statement.split())[:300],
                        "indexes": sorted(set(re.findall(r"(?:using|on) (\w+)", text)) - set(BIG)),
                        "sequential_scans_of_big_tables": sorted(
                            {t for t in BIG if re.search(rf'Seq Scan on "?{t}"? ', text)}
                        ),
                        "execution_ms": float(re.search(r"Execution Time: ([\d.]+)", text)[1]),
                        "plan": plan,
                    }
                )
        found[name] = {
            "queries": len(plans),
            "total_execution_ms": round(sum(p["execution_ms"] for p in plans), 2),
            "all_big_tables_by_index": not any(p["sequential_scans_of_big_tables"] for p in plans),
            "plans": plans,
        }
    await engine.dispose()
    return found


async def time_scorecards(url: str, quarter: str, rounds: int) -> dict:
    """Seconds for a quarter's provider and team scorecards (each the median of `rounds`)."""
    import statistics
    import time

    engine = create_async_engine(normalise_database_url(url))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    found = {}
    for kind in ("provider", "team"):
        took = []
        for _ in range(rounds):
            async with sessions() as session:
                started = time.perf_counter()
                lines = await rankings.compute(
                    session, quarter, kind, dict(scores.DEFAULT_WEIGHTS), 10
                )
                took.append(round(time.perf_counter() - started, 3))
        found[kind] = {"seconds": took, "median_s": statistics.median(took), "lines": len(lines)}
    await engine.dispose()
    return found


def run(url: str) -> dict:
    found = asyncio.run(_explain(url))
    for name, entry in found.items():
        scans = sorted({t for p in entry["plans"] for t in p["sequential_scans_of_big_tables"]})
        indexes = sorted({i for p in entry["plans"] for i in p["indexes"] if i.startswith("ix_")})
        print(f"{name:55} {entry['total_execution_ms']:9.2f} ms  {indexes}  seq: {scans}")
    return {"lists": found}
