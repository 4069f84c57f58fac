"""A reproducible district for the load and scale measurements (docs/performance.md).

One street office's district: 200 communities in 20 streets, a million residents, ten years of
orders in every status (growing over the years, the open ones recent), ratings of the closed
ones, and each order's timeline. The same seed and `--until` give the same rows.

PostgreSQL (default `postgresql://postgres@127.0.0.1:5432/linli_perf`, recreated): migrate,
drop the plain (non-constraint) indexes of the big tables, COPY the rows in with asyncpg
`copy_records_to_table` (foreign-key triggers off for the session: the generator keeps the
references right), derive the timeline and ratings inside the server with `INSERT … SELECT`,
rebuild the indexes, set the sequences, ANALYZE. SQLite (`--url sqlite:///var/perf.db`): the
same rows with `executemany`, for the one-box case.

    uv run python benchmarks/generate.py                       # 10M orders, 1M users
    uv run python benchmarks/generate.py --orders 10000 --users 20000
    uv run python benchmarks/generate.py --url sqlite:///var/perf.db --orders 2000 --users 2000

Sign-in: every generated user has the password `perf1234`. Users of community c (1-based) are
the ids (c-1)·P+1 … c·P with P = users / communities: the first 5 are its workers, the next 40
its volunteers (the first 15 of those party members); provider staff follow all residents.
"""

# ruff: noqa: S311, S608 — seeded data, not secrets; SQL is built from this file's own names
from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from argon2 import PasswordHasher

from backend.catalog.defaults import DEFAULT_CATEGORIES
from backend.migrations import upgrade

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/linli_perf"
PASSWORD = "perf1234"  # noqa: S105 — the documented benchmark password
WORKERS, VOLUNTEERS, PARTY = 5, 40, 15
STREETS_PER_DISTRICT = 20
BUILDINGS, GRIDS = 30, 5
STAFF_PER_PROVIDER = 2
BIG_TABLES = ("order", "orderevent", "rating", "user", "membership")
TEXTS = ("请尽快安排，谢谢", "家中老人需要帮助", "周末上午方便", "门口有台阶，请注意", "")


@dataclass(frozen=True)
class Plan:
    orders: int
    users: int
    communities: int
    seed: int
    years: int
    until: datetime

    @property
    def per_community(self) -> int:
        return self.users // self.communities

    def worker(self, community: int, k: int) -> int:
        return (community - 1) * self.per_community + 1 + k % WORKERS

    def volunteer(self, community: int, k: int) -> int:
        return (community - 1) * self.per_community + 1 + WORKERS + k % VOLUNTEERS

    @property
    def providers(self) -> int:
        return self.communities

    def staff(self, provider: int, k: int) -> int:
        return self.communities * self.per_community + (provider - 1) * STAFF_PER_PROVIDER + 1 + k


def _phone(user_id: int) -> str:
    return str(13_000_000_000 + user_id)


# --- the small tables ---------------------------------------------------------------------


def places(plan: Plan) -> dict[str, list[tuple]]:
    streets = max(1, min(STREETS_PER_DISTRICT, plan.communities // 10))
    per_street = math.ceil(plan.communities / streets)
    rows: dict[str, list[tuple]] = {
        "district": [(1, "基准区")],
        "street": [(s, 1, f"街道{s}") for s in range(1, streets + 1)],
        "community": [
            (c, 1 + (c - 1) // per_street, f"perf-{c}", f"社区{c}")
            for c in range(1, plan.communities + 1)
        ],
        "grid": [],
        "building": [],
        "category": [],
        "provider": [],
        "providercommunity": [],
    }
    for c in range(1, plan.communities + 1):
        for g in range(GRIDS):
            rows["grid"].append(((c - 1) * GRIDS + g + 1, c, f"第{g + 1}网格"))
        for b in range(BUILDINGS):
            grid = (c - 1) * GRIDS + b % GRIDS + 1
            rows["building"].append(((c - 1) * BUILDINGS + b + 1, c, grid, f"{b + 1}号楼"))
        for k, (code, name, icon, respond, complete, kinds, text) in enumerate(DEFAULT_CATEGORIES):
            cid = (c - 1) * len(DEFAULT_CATEGORIES) + k + 1
            row = (cid, c, code, name, text, icon, respond, complete, json.dumps(list(kinds)), k)
            rows["category"].append((*row, True))
    for p in range(1, plan.providers + 1):
        rows["provider"].append((p, f"社会组织{p}", None, "4A", json.dumps([]), None, None))
        street = 1 + (p - 1) % streets
        served = [c for c in range(1, plan.communities + 1) if 1 + (c - 1) // per_street == street]
        for c in served[:5]:
            rows["providercommunity"].append((len(rows["providercommunity"]) + 1, p, c))
    return rows


def people(plan: Plan, rnd: random.Random, password_hash: str) -> tuple[list[tuple], list[tuple]]:
    users, memberships = [], []
    start = plan.until - timedelta(days=365 * plan.years)
    for c in range(1, plan.communities + 1):
        base = (c - 1) * plan.per_community
        for i in range(plan.per_community):
            uid = base + i + 1
            building = (c - 1) * BUILDINGS + uid % BUILDINGS + 1
            joined = start + timedelta(seconds=rnd.random() * 86400 * 365 * plan.years)
            birth = 1930 + int(rnd.random() * 75)
            room = f"{1 + uid % 18}0{1 + uid % 4}"
            users.append(
                (uid, _phone(uid), f"居民{uid}", password_hash, birth, building, room, joined)
            )
            if i < WORKERS:
                memberships.append((c, uid, "worker"))
                continue
            memberships.append((c, uid, "resident"))
            if i < WORKERS + VOLUNTEERS:
                memberships.append((c, uid, "volunteer"))
                if i < WORKERS + PARTY:
                    memberships.append((c, uid, "party_member"))
    for p in range(1, plan.providers + 1):
        for k in range(STAFF_PER_PROVIDER):
            uid = plan.staff(p, k)
            users.append(
                (uid, _phone(uid), f"机构人员{uid}", password_hash, 1980, None, None, start)
            )
    rows = [(n + 1, uid, c, role) for n, (c, uid, role) in enumerate(memberships)]
    return users, rows


def provider_staff(plan: Plan) -> list[tuple]:
    return [
        ((p - 1) * STAFF_PER_PROVIDER + k + 1, p, plan.staff(p, k))
        for p in range(1, plan.providers + 1)
        for k in range(STAFF_PER_PROVIDER)
    ]


# --- orders -------------------------------------------------------------------------------


def orders(
    plan: Plan, rnd: random.Random, categories: list[tuple], per_day: dict[str, int]
) -> Iterator[tuple]:
    """Orders in id order = time order. Density grows linearly over the years (×3 at the end).
    An eighth of last month's pooled orders are never claimed: the hall is never empty.
    `per_day` is filled with each day's count, for the order-number counters."""
    span = plan.years * 365 * 86400.0
    start = plan.until - timedelta(seconds=span)
    by_community: dict[int, list[tuple]] = {}
    for row in categories:
        by_community.setdefault(row[1], []).append(row)
    served: dict[int, list[int]] = {}
    for _, p, c in places(plan)["providercommunity"]:
        served.setdefault(c, []).append(p)
    weights = [0.4 + rnd.random() * 1.2 for _ in range(plan.communities)]
    cumulative = [sum(weights[: i + 1]) for i in range(plan.communities)]
    recent = plan.until - timedelta(days=30)
    residents = plan.per_community - WORKERS
    for n in range(plan.orders):
        q = (n + rnd.random()) / plan.orders  # quantile of a density rising 1 → 3
        created = start + timedelta(seconds=span * (math.sqrt(1 + 8 * q) - 1) / 2)
        c = bisect.bisect_left(cumulative, rnd.random() * cumulative[-1]) + 1
        category = rnd.choice(by_community[c])
        cat_id, respond, complete, kinds = category[0], category[6], category[7], category[8]
        resident = (c - 1) * plan.per_community + WORKERS + 1 + int(residents * rnd.random() ** 2)
        proxy = plan.worker(c, n) if rnd.random() < 0.05 else None
        urgency = "urgent" if rnd.random() < 0.1 else "normal"
        day = created.strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        number = f"{day}-{per_day[day]:04d}"
        respond_by = created + timedelta(minutes=respond)
        complete_by = respond_by + timedelta(minutes=complete)
        # the life it will have, then how much of it has happened by `until`
        fate = rnd.random()
        steps: list[tuple[str, datetime]] = [("submitted", created)]
        at = created + timedelta(minutes=rnd.expovariate(1 / (respond * 0.6)))
        mode = user = provider = None
        if fate < 0.04:
            steps.append(("rejected", at))
        elif fate < 0.09:
            steps.append(("cancelled", at))
        else:
            volunteer_ok = "volunteer" in kinds or "party_member" in kinds
            if volunteer_ok and ("provider" not in kinds or rnd.random() < 0.7):
                mode = "pool" if rnd.random() < 0.55 else "assign"
                user = plan.volunteer(c, int(rnd.random() * VOLUNTEERS))
            else:
                mode, provider = "assign", rnd.choice(served.get(c) or [1])
            steps.append(("dispatched", at))
            if mode == "pool" and created > recent and rnd.random() < 0.125:
                pass  # still in the hall
            elif fate < 0.12:
                steps.append(("cancelled", at + timedelta(minutes=rnd.expovariate(1 / 60))))
            else:
                at += timedelta(minutes=rnd.expovariate(1 / 40))
                steps.append(("accepted", at))
                complete_by = at + timedelta(minutes=complete)
                at += timedelta(minutes=rnd.expovariate(1 / 30))
                steps.append(("in_progress", at))
                at += timedelta(minutes=rnd.expovariate(1 / (complete * 0.5)))
                steps.append(("completed", at))
                if fate < 0.78:
                    steps.append(("closed", at + timedelta(hours=rnd.expovariate(1 / 20))))
        happened = [s for s in steps if s[1] <= plan.until]
        status, updated = happened[-1]
        times = dict(happened)
        if "dispatched" not in times:
            mode = user = provider = None
        elif status == "dispatched" and mode == "pool":
            user = None  # in the hall, not yet claimed
        hours = None
        if "completed" in times:
            worked = (times["completed"] - times["in_progress"]).total_seconds() / 3600
            hours = round(min(max(worked, 0.25), 24), 2)
        yield (
            n + 1,
            number,
            c,
            cat_id,
            status,
            TEXTS[n % len(TEXTS)] or category[3],
            None,
            (c - 1) * BUILDINGS + resident % BUILDINGS + 1,
            f"{1 + resident % 18}0{1 + resident % 4}",
            urgency,
            resident,
            proxy,
            mode,
            user,
            provider,
            hours,
            "已完成" if hours is not None else None,
            created,
            updated,
            respond_by,
            complete_by,
            times.get("dispatched"),
            times.get("accepted"),
            times.get("in_progress"),
            times.get("completed"),
            times.get("closed"),
        )


ORDER_COLUMNS = [
    *("id", "number", "community_id", "category_id", "status", "description", "address_text"),
    *("building_id", "room", "urgency", "resident_id", "proxy_id", "dispatch_mode"),
    *("assignee_user_id", "assignee_provider_id", "hours", "completion_note", "created_at"),
    *("updated_at", "respond_by", "complete_by", "dispatched_at", "accepted_at", "started_at"),
    *("completed_at", "closed_at"),
]

COLUMNS = {
    "district": ["id", "name"],
    "street": ["id", "district_id", "name"],
    "community": ["id", "street_id", "slug", "name"],
    "grid": ["id", "community_id", "name"],
    "building": ["id", "community_id", "grid_id", "name"],
    "category": [
        *("id", "community_id", "code", "name", "description", "icon", "respond_minutes"),
        *("complete_minutes", "taker_kinds", "sort_order", "active"),
    ],
    "provider": ["id", "name", "uscc", "grade", "categories", "contact_name", "contact_phone"],
    "providercommunity": ["id", "provider_id", "community_id"],
    "providerstaff": ["id", "provider_id", "user_id"],
    "user": [
        *("id", "phone", "name", "password_hash", "birth_year", "home_building_id"),
        *("home_room", "created_at"),
    ],
    "membership": ["id", "user_id", "community_id", "role"],
    "order": ORDER_COLUMNS,
}


def derived_sql(plan: Plan) -> list[str]:
    """The timeline and the ratings, derived from the orders inside the database (both engines).

    Actors follow the user layout: the community's workers dispatch and reject, the taker (a
    volunteer, or the provider's first staff member) accepts, starts and completes."""
    p = plan.per_community
    worker = f'(("order".community_id - 1) * {p} + 1 + "order".id % {WORKERS})'
    staff = (
        f'({plan.communities * p} + ("order".assignee_provider_id - 1) * {STAFF_PER_PROVIDER} + 1)'
    )
    taker = f'COALESCE("order".assignee_user_id, {staff})'
    owner = 'COALESCE("order".proxy_id, "order".resident_id)'
    by = "CASE WHEN assignee_user_id IS NULL THEN 'provider' ELSE 'volunteer' END"
    before_cancel = "CASE WHEN dispatched_at IS NULL THEN 'submitted' ELSE 'dispatched' END"
    cancelled, rejected = "status = 'cancelled'", "status = 'rejected'"
    steps = [
        ("created_at", owner, "'resident'", "'submit'", "NULL", "'submitted'", "TRUE"),
        ("dispatched_at", worker, "'worker'", "'dispatch'", "'submitted'", "'dispatched'", "TRUE"),
        ("accepted_at", taker, by, "'accept'", "'dispatched'", "'accepted'", "TRUE"),
        ("started_at", taker, by, "'start'", "'accepted'", "'in_progress'", "TRUE"),
        ("completed_at", taker, by, "'complete'", "'in_progress'", "'completed'", "TRUE"),
        ("closed_at", owner, "'resident'", "'rate'", "'completed'", "'closed'", "TRUE"),
        ("updated_at", owner, "'resident'", "'cancel'", before_cancel, "'cancelled'", cancelled),
        ("updated_at", worker, "'worker'", "'reject'", "'submitted'", "'rejected'", rejected),
    ]  # fmt: skip
    sql = [
        "INSERT INTO orderevent (order_id, at, actor_id, actor_role, action, from_status, "
        f'to_status) SELECT id, {at}, {actor}, {role}, {action}, {frm}, {to} FROM "order" '
        f"WHERE {at} IS NOT NULL AND {extra}"
        for at, actor, role, action, frm, to, extra in steps
    ]

    # 60 % five stars, 25 % four, 10 % three, 3 % two, 2 % one: a hash of the id decides.
    def stars(k: int) -> str:
        h = f"((id * {2654435761 + k}) % 100)"
        return (
            f"CASE WHEN {h} < 60 THEN 5 WHEN {h} < 85 THEN 4 WHEN {h} < 95 THEN 3 "
            f"WHEN {h} < 98 THEN 2 ELSE 1 END"
        )

    sql.append(
        "INSERT INTO rating (order_id, rater_id, stars, timeliness, attitude, quality, created_at) "
        f"SELECT id, {owner}, {stars(0)}, {stars(1)}, {stars(2)}, {stars(3)}, closed_at "
        "FROM \"order\" WHERE status = 'closed'"
    )
    return sql


# --- loading ------------------------------------------------------------------------------


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _log(started: float, what: str) -> None:
    print(f"{time.perf_counter() - started:8.1f}s  {what}", flush=True)


async def load_postgres(url: str, plan: Plan, rnd: random.Random, hashed: str) -> dict:
    started, timings = time.perf_counter(), {}
    server, _, name = url.rpartition("/")
    if name in ("test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to recreate the database {name!r}: use a dedicated one")
    admin = await asyncpg.connect(f"{server}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    await upgrade(url.replace("postgresql://", "postgresql+asyncpg://", 1))
    _log(started, "migrated")
    conn = await asyncpg.connect(url)
    await conn.execute("SET session_replication_role = replica; SET synchronous_commit = off")
    dropped = await conn.fetch(
        """SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = ANY($1::text[])
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)""",
        list(BIG_TABLES),
    )
    for row in dropped:
        await conn.execute(f'DROP INDEX "{row["name"]}"')
    small = places(plan)
    for table, rows in small.items():
        await conn.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
    users, memberships = people(plan, rnd, hashed)
    await conn.copy_records_to_table("user", records=users, columns=COLUMNS["user"])
    await conn.copy_records_to_table(
        "membership", records=memberships, columns=COLUMNS["membership"]
    )
    staff = provider_staff(plan)
    await conn.copy_records_to_table(
        "providerstaff", records=staff, columns=COLUMNS["providerstaff"]
    )
    timings["people_seconds"] = round(time.perf_counter() - started, 1)
    _log(started, f"{len(users)} users, {len(memberships)} memberships")
    per_day: dict[str, int] = {}
    for n, chunk in enumerate(_chunks(orders(plan, rnd, small["category"], per_day), 100_000)):
        await conn.copy_records_to_table("order", records=chunk, columns=ORDER_COLUMNS)
        if n % 10 == 9:
            _log(started, f"{(n + 1) * 100_000} orders")
    await conn.copy_records_to_table(
        "ordernumbercounter", records=sorted(per_day.items()), columns=["day", "last"]
    )
    timings["orders_seconds"] = round(time.perf_counter() - started, 1)
    _log(started, f"{plan.orders} orders")
    for statement in derived_sql(plan):
        await conn.execute(statement)
    timings["timeline_seconds"] = round(time.perf_counter() - started, 1)
    _log(started, "timeline and ratings")
    await conn.execute("SET maintenance_work_mem = '512MB'")
    for row in dropped:
        await conn.execute(row["definition"])
    timings["indexes_seconds"] = round(time.perf_counter() - started, 1)
    _log(started, f"{len(dropped)} indexes rebuilt")
    for table in (*COLUMNS, "orderevent", "rating"):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT COALESCE(max(id), 0) + 1 FROM "{table}"), false)'
        )
    await conn.execute("VACUUM (ANALYZE)")
    timings["total_seconds"] = round(time.perf_counter() - started, 1)
    _log(started, "vacuumed and analysed")
    counts = {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in BIG_TABLES}
    counts["size"] = await conn.fetchval("SELECT pg_size_pretty(pg_database_size($1))", name)
    await conn.close()
    return timings | counts


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):  # SQLAlchemy's SQLite DateTime text, UTC
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _insert(db: sqlite3.Connection, table: str, columns: list[str], rows) -> None:
    marks = ", ".join("?" * len(columns))
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    for chunk in _chunks(iter(rows), 50_000):
        db.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in chunk])


def _fresh_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def load_sqlite(url: str, plan: Plan, rnd: random.Random, hashed: str) -> dict:
    started = time.perf_counter()
    path = Path(url.removeprefix("sqlite:///"))
    _fresh_file(path)
    await upgrade(f"sqlite+aiosqlite:///{path}")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    small = places(plan)
    for table, rows in small.items():
        _insert(db, table, COLUMNS[table], rows)
    users, memberships = people(plan, rnd, hashed)
    _insert(db, "user", COLUMNS["user"], users)
    _insert(db, "membership", COLUMNS["membership"], memberships)
    _insert(db, "providerstaff", COLUMNS["providerstaff"], provider_staff(plan))
    per_day: dict[str, int] = {}
    _insert(db, "order", ORDER_COLUMNS, orders(plan, rnd, small["category"], per_day))
    _insert(db, "ordernumbercounter", ["day", "last"], sorted(per_day.items()))
    for statement in derived_sql(plan):
        db.execute(statement)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in BIG_TABLES}
    db.close()
    return {"total_seconds": round(time.perf_counter() - started, 1)} | counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("PERF_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--until", default=None, help="end of the history, YYYY-MM-DD (today)")
    parser.add_argument("--out", help="write the timings and counts as JSON")
    args = parser.parse_args()
    until = (
        datetime.fromisoformat(args.until).replace(tzinfo=UTC)
        if args.until
        else datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    )
    users = max(args.users, args.communities * (WORKERS + VOLUNTEERS + 5))
    plan = Plan(args.orders, users, args.communities, args.seed, args.years, until)
    # One argon2 hash for everyone (hashing a million passwords would take hours).
    hashed = PasswordHasher().hash(PASSWORD, salt=b"linli-perf-salt!")
    rnd = random.Random(args.seed)
    load = load_sqlite if args.url.startswith("sqlite") else load_postgres
    result = asyncio.run(load(args.url, plan, rnd, hashed))
    result |= {"orders_planned": plan.orders, "users_planned": plan.users, "seed": plan.seed}
    result |= {"until": until.isoformat(), "communities": plan.communities}
    print(json.dumps(result, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
