"""Quality at scale: quarterly scorecards of 200 providers over 1M orders, and dashboards.

Makes a fresh PostgreSQL database next to LINLI_TEST_PG_URL's (default
postgresql+asyncpg://postgres@127.0.0.1:5432/test), migrates it, generates the data inside the
server with generate_series (10 communities, 200 providers, 1M orders over one year, ratings on
60 %, callbacks on 5 %), then times the ranking computation and the dashboards through the same
service functions the API calls, and drops the database. Prints JSON; `--out FILE` writes it.

    uv run python benchmarks/quality_scale.py --orders 1000000 --out benchmarks/results/quality.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from backend.migrations import upgrade
from backend.quality import dashboard, rankings, scores

PG_URL = os.environ.get("LINLI_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)

SEED = """
INSERT INTO district (id, name) VALUES (1, '基准区');
INSERT INTO street (id, district_id, name) VALUES (1, 1, '基准街道');
INSERT INTO community (id, street_id, slug, name)
  SELECT g, 1, 'bench-' || g, '社区' || g FROM generate_series(1, 10) g;
INSERT INTO category (id, community_id, code, name, description, icon, respond_minutes,
                      complete_minutes, taker_kinds, sort_order, active)
  SELECT (c - 1) * 5 + k, c, 'cat' || k, '服务' || k, '', 'icon', 60, 240,
         '["provider", "volunteer"]', k, true
  FROM generate_series(1, 10) c, generate_series(1, 5) k;
INSERT INTO provider (id, name) SELECT g, '机构' || g FROM generate_series(1, :providers) g;
INSERT INTO "user" (id, phone, name, birth_year, created_at)
  SELECT g, (13900000000 + g)::text, '居民' || g, 1940 + g % 60, now()
  FROM generate_series(1, 5000) g;
"""

ORDERS = """
INSERT INTO "order" (id, number, community_id, category_id, status, description, urgency,
                     resident_id, dispatch_mode, assignee_provider_id, hours, created_at,
                     updated_at, respond_by, complete_by, dispatched_at, accepted_at,
                     started_at, completed_at, closed_at)
SELECT g, 'B' || lpad(g::text, 12, '0'), c, (c - 1) * 5 + 1 + g % 5,
       CASE WHEN g % 10 < 6 THEN 'closed' WHEN g % 10 < 9 THEN 'completed' ELSE 'submitted' END,
       '基准', 'normal', 1 + g % 5000, 'assign', 1 + g % :providers, 1.5,
       t, t, t + interval '1 hour', t + interval '5 hours', t + interval '20 minutes',
       t + interval '30 minutes', t + interval '40 minutes',
       CASE WHEN g % 10 < 9 THEN t + interval '2 hours' + (g % 5) * interval '1 hour' END,
       CASE WHEN g % 10 < 6 THEN t + interval '7 hours' END
FROM (
  SELECT g, 1 + g % 10 AS c,
         CAST(:start AS timestamptz) + (g::double precision / :n) * interval '364 days' AS t
  FROM generate_series(1, :n) g
) s;
INSERT INTO rating (order_id, rater_id, stars, timeliness, attitude, quality, created_at)
  SELECT id, resident_id, 3 + id % 3, 4, 4, 4, closed_at FROM "order" WHERE status = 'closed';
INSERT INTO callback_list (id, community_id, month, size_requested, created_by, created_at)
  SELECT c, c, '2026-07', 250, 1, now() FROM generate_series(1, 10) c;
INSERT INTO callback (list_id, community_id, month, order_id, position, stratum, elder,
                      outcome, attempts, on_time, satisfaction, complaint)
  SELECT community_id, community_id, '2026-07', id, id, 'provider', false, 'reached', 1,
         true, 2 + id % 4, id % 97 = 0
  FROM "order" WHERE status IN ('completed', 'closed') AND id % 20 = 0;
SELECT setval(pg_get_serial_sequence('"order"', 'id'), :n);
ANALYZE;
"""


async def timed(label: str, results: dict, fn, runs: int = 1) -> object:
    """Run `fn` `runs` times; record the median seconds (and every run when more than one)."""
    seconds, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = await fn()
        seconds.append(round(time.perf_counter() - started, 3))
    results[label] = statistics.median(seconds)
    if runs > 1:
        results.setdefault("runs", {})[label] = seconds
    return value


async def main(n: int, providers: int, runs: int, keep: bool) -> dict:
    name = f"linli_bench_{uuid.uuid4().hex[:8]}"
    base = PG_URL.rpartition("/")[0]
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{base}/{name}"
    results: dict = {
        "orders": n,
        "providers": providers,
        "machine": platform.machine(),
        "postgresql": None,
        "load_average_before": os.getloadavg(),
    }
    try:
        await upgrade(url)
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as conn:
            for statement in SEED.split(";"):
                if statement.strip():
                    await conn.execute(text(statement), {"providers": providers})

        async def generate() -> None:
            async with engine.begin() as conn:
                for statement in ORDERS.split(";"):
                    if statement.strip():
                        params = {"n": n, "providers": providers, "start": YEAR_START}
                        await conn.execute(text(statement), params)

        await timed("generate_seconds", results, generate)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with engine.connect() as conn:
            results["postgresql"] = await conn.scalar(text("SHOW server_version"))
        weights = dict(scores.DEFAULT_WEIGHTS)
        async with sessions() as session:
            lines = await timed(
                "provider_scorecards_quarter_seconds",
                results,
                lambda: rankings.compute(session, "2026Q3", "provider", weights, 10),
                runs,
            )
            results["ranked_providers"] = sum(1 for x in lines if x.rank is not None)
            await timed(
                "community_dashboard_month_seconds",
                results,
                lambda: dashboard.build(session, [3], "2026-07"),
                runs,
            )
            await timed(
                "street_dashboard_month_seconds",
                results,
                lambda: dashboard.build(session, list(range(1, 11)), "2026-07"),
                runs,
            )
            await timed(
                "community_dashboard_quarter_seconds",
                results,
                lambda: dashboard.build(session, [3], "2026Q3"),
                runs,
            )
        await engine.dispose()
        results["load_average_after"] = os.getloadavg()
    finally:
        if keep:
            print(f"kept database {name}")
            await admin.dispose()
        else:
            await drop(admin, name)
    print(json.dumps(results, indent=2))
    return results


async def drop(admin, name: str) -> None:
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="timings per measurement (median)")
    parser.add_argument("--keep", action="store_true", help="keep the database (for EXPLAIN)")
    parser.add_argument("--out")
    args = parser.parse_args()
    measured = asyncio.run(main(args.orders, args.providers, args.runs, args.keep))
    if args.out:
        Path(args.out).write_text(json.dumps(measured, indent=2) + "\n")
