"""The full order loop against the real server: create, dispatch, accept, start, complete, rate.

Each loop is one resident ordering in their community, a worker assigning it to a volunteer,
the volunteer accepting, starting and completing it, and the resident rating it: six requests,
each reading the previous answer (the order id), each checked (201/200 and the status it
reports). wrk cannot carry an order id from one answer into the next request of the same loop
without a per-connection state machine in Lua, so the driver is asyncio with aiohttp on uvloop
— one process, its CPU time recorded beside the server's, because on 2 shared cores it
competes with the server and PostgreSQL it measures.

    uv run --group bench python benchmarks/order_loop.py          # max rate, then 75 % of it
    uv run --group bench python benchmarks/order_loop.py --baseline /tmp/base --rounds 3
    uv run --group bench python benchmarks/order_loop.py soak --minutes 10   # memory soak

`max`: closed loop, `--concurrency` loops in flight for `--seconds`, loops/s and per-request
latency. `paced` (run after `max` by default): loops started at a fixed rate (75 % of the
measured maximum unless `--rate`), so latencies are at that arrival rate, not at saturation.
`--baseline DIR` serves another checkout too and alternates the two phase by phase.
`soak`: paced at `--rate` (default 60 % of the maximum, measured first) for `--minutes`,
sampling the granian worker's resident memory every 5 s (PNG).

Results go to benchmarks/results/order-loop-<label>.json and soak-<label>.json/.png.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp
import load
import uvloop
from load import (
    BASE_PORT,
    BASE_WORKERS,
    COMMUNITIES,
    DB,
    PORT,
    baseline_of,
    context,
    cpu_seconds,
    linli,
    record,
    resident,
    server_processes,
    sign_in,
    volunteer,
    worker,
)

STEPS = ("create", "dispatch", "accept", "start", "complete", "rate")


# --- the server's processes ------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def granian_worker(group: int) -> int:
    """The worker process: granian's main process forks it, so it is the one whose parent is
    in the group too; with one worker it is the process that serves requests."""
    procs = server_processes(group)
    parents = {}
    for pid in procs:
        stat = Path(f"/proc/{pid}/stat").read_text()
        parents[pid] = int(stat[stat.rindex(")") + 2 :].split()[1])
    workers = [p for p, parent in parents.items() if parent in procs]
    return max(workers or procs, key=rss_mb)


# --- the loop --------------------------------------------------------------------------------


class Driver:
    def __init__(self, session: aiohttp.ClientSession, cast: list[dict]) -> None:
        self.session, self.cast = session, cast
        self.latencies: dict[str, list[float]] = {s: [] for s in STEPS}
        self.loops = 0
        self.failures: list[str] = []

    async def _call(self, step: str, token: str, path: str, body: dict, expect: str) -> dict:
        started = time.perf_counter()
        async with self.session.post(
            path, json=body, headers={"Authorization": f"Bearer {token}"}
        ) as answer:
            data = await answer.json(content_type=None)
            ok = answer.status in (200, 201) and data.get("status") == expect
        self.latencies[step].append((time.perf_counter() - started) * 1000)
        if not ok:
            raise RuntimeError(f"{step}: {answer.status} {str(data)[:200]}")
        return data

    async def loop(self) -> None:
        who = random.choice(self.cast)  # noqa: S311 — load, not secrets
        try:
            order = await self._call(
                "create", who["resident"], "/api/v1/orders",
                {"community_id": who["community"], "category_id": who["category"],
                 "description": "压测：请帮忙取快递"}, "submitted",
            )  # fmt: skip
            base = f"/api/v1/orders/{order['id']}"
            await self._call(
                "dispatch", who["worker"], f"{base}/dispatch",
                {"mode": "assign", "assignee_user_id": who["volunteer_id"]}, "dispatched",
            )  # fmt: skip
            await self._call("accept", who["volunteer"], f"{base}/accept", {}, "accepted")
            await self._call("start", who["volunteer"], f"{base}/start", {}, "in_progress")
            await self._call(
                "complete", who["volunteer"], f"{base}/complete",
                {"note": "已送到", "hours": 0.5}, "completed",
            )  # fmt: skip
            await self._call(
                "rate", who["resident"], f"{base}/rate",
                {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5}, "closed",
            )  # fmt: skip
            self.loops += 1
        except (RuntimeError, aiohttp.ClientError) as exc:
            self.failures.append(str(exc))

    def summary(self, seconds: float) -> dict:
        every = [ms for step in STEPS for ms in self.latencies[step]]
        return {
            "loops": self.loops,
            "loops_per_s": round(self.loops / seconds, 1),
            "requests_per_s": round(len(every) / seconds, 1),
            "failures": len(self.failures),
            "first_failures": self.failures[:3],
            "p50_ms": _pct(every, 50),
            "p99_ms": _pct(every, 99),
            "by_step": {
                s: {"p50_ms": _pct(v, 50), "p99_ms": _pct(v, 99)} for s, v in self.latencies.items()
            },
        }


def _pct(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return None
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


async def closed(driver: Driver, concurrency: int, seconds: float) -> float:
    stop = time.perf_counter() + seconds

    async def looper() -> None:
        while time.perf_counter() < stop:
            await driver.loop()

    started = time.perf_counter()
    await asyncio.gather(*(looper() for _ in range(concurrency)))
    return time.perf_counter() - started


async def paced(driver: Driver, rate: float, seconds: float, tick=None) -> float:
    """Start `rate` loops per second for `seconds` (each loop's requests in sequence), then
    wait for the loops in flight. `tick` is awaited about every 5 s (memory samples)."""
    started = time.perf_counter()
    running: set[asyncio.Task] = set()
    n, next_tick = 0, started
    while (now := time.perf_counter()) - started < seconds:
        due = started + n / rate
        if due > now:
            await asyncio.sleep(due - now)
        task = asyncio.create_task(driver.loop())
        running.add(task)
        task.add_done_callback(running.discard)
        n += 1
        if tick is not None and now >= next_tick:
            tick(now - started)
            next_tick += 5
    if running:
        await asyncio.gather(*running)
    return time.perf_counter() - started


# --- setup and measurements ------------------------------------------------------------------


async def volunteer_category_of(communities: list[int]) -> dict[int, int]:
    """Per community, the first active category a volunteer may take."""
    import asyncpg

    conn = await asyncpg.connect(DB)
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT ON (community_id) community_id, id FROM category"
            " WHERE community_id = ANY($1) AND active"
            " AND CAST(taker_kinds AS JSONB) @> '[\"volunteer\"]' ORDER BY community_id, id",
            communities,
        )
    finally:
        await conn.close()
    return {r["community_id"]: r["id"] for r in rows}


async def cast_of(communities: list[int]) -> list[dict]:
    """Per community: a resident, a worker, a volunteer (signed in) and a volunteer category."""
    category = await volunteer_category_of(communities)
    people = {c: (resident(c, 7), worker(c), volunteer(c, 20)) for c in communities}
    tokens = await sign_in(sorted({u for trio in people.values() for u in trio}))
    return [
        {
            "community": c,
            "category": category[c],
            "resident": tokens[r],
            "worker": tokens[w],
            "volunteer": tokens[v],
            "volunteer_id": v,
        }
        for c, (r, w, v) in people.items()
    ]


def _client(port: int = PORT) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        base_url=f"http://127.0.0.1:{port}",
        connector=aiohttp.TCPConnector(limit=0),
        timeout=aiohttp.ClientTimeout(total=120),
    )


async def measure(args: argparse.Namespace, ports: dict[str, int]) -> dict:
    """`max` then `paced` for each server in `ports`; with a baseline the two alternate
    phase by phase and round by round, so before and after share the machine's load."""
    cast = await cast_of(list(range(1, COMMUNITIES + 1, 4)))
    out: dict = {"concurrency": args.concurrency, "seconds": args.seconds}
    runs: dict[str, dict[str, list]] = {name: {"max": [], "paced": []} for name in ports}
    clients = {name: _client(port) for name, port in ports.items()}
    try:
        for session in clients.values():
            await closed(Driver(session, cast), args.concurrency, 3)  # warm, untimed
        rates: dict[str, float] = {}
        for _ in range(args.rounds):
            for phase in ("max", "paced"):
                for name, session in clients.items():
                    summary = await _phase(args, phase, session, cast, ports[name], rates, name)
                    runs[name][phase].append(summary)
                    print(name, phase, json.dumps(summary, ensure_ascii=False))
    finally:
        for session in clients.values():
            await session.close()
    for name, phases in runs.items():
        out[name] = {phase: _median_summary(got) for phase, got in phases.items()}
        out[name]["runs"] = phases
    return out


async def _phase(args, phase, session, cast, port, rates, name) -> dict:
    server = server_processes(load.GROUPS[port])
    driver = Driver(session, cast)
    cpu_server, cpu_self = cpu_seconds(server), _self_cpu()
    if phase == "max":
        took = await closed(driver, args.concurrency, args.seconds)
        summary = driver.summary(took)
        if not driver.loops:
            raise SystemExit(f"no loop went through: {driver.failures[:3]}")
        rates.setdefault(name, args.rate or round(0.75 * summary["loops_per_s"], 1))
    else:
        took = await paced(driver, rates[name], args.seconds)
        summary = driver.summary(took) | {"target_loops_per_s": rates[name]}
    summary["cpu_share_server"] = round((cpu_seconds(server) - cpu_server) / took, 2)
    summary["cpu_share_driver"] = round((_self_cpu() - cpu_self) / took, 2)
    requests = summary["requests_per_s"] * took
    # what a write costs the server, whatever share of the cores it was given
    summary["server_cpu_ms_per_request"] = (
        round(1000 * (cpu_seconds(server) - cpu_server) / requests, 2) if requests else None
    )
    return summary


def _median_summary(got: list[dict]) -> dict:
    keys = ("loops_per_s", "requests_per_s", "p50_ms", "p99_ms", "cpu_share_server")
    keys += ("server_cpu_ms_per_request",)
    return {k: statistics.median(g[k] for g in got if g[k] is not None) for k in keys} | {
        "failures": sum(g["failures"] for g in got)
    }


async def soak(args: argparse.Namespace, group: int) -> dict:
    cast = await cast_of(list(range(1, COMMUNITIES + 1, 4)))
    pid = granian_worker(group)
    samples: list[tuple[float, float]] = []
    async with _client() as session:
        await closed(Driver(session, cast), args.concurrency, 3)  # warm, untimed
        rate = args.rate
        if not rate:
            probe = Driver(session, cast)
            took = await closed(probe, args.concurrency, 20)
            rate = round(0.6 * probe.loops / took, 1)
        driver = Driver(session, cast)
        samples.append((0.0, rss_mb(pid)))
        took = await paced(
            driver, rate, args.minutes * 60, lambda t: samples.append((round(t, 1), rss_mb(pid)))
        )
    samples.append((round(took, 1), rss_mb(pid)))
    mid = len(samples) // 2
    return {
        "minutes": args.minutes,
        "target_loops_per_s": rate,
        "worker_pid_cmdline": server_processes(group).get(pid, ""),
        "rss_mb_start": round(samples[0][1], 1),
        "rss_mb_at_half": round(samples[mid][1], 1),
        "rss_mb_end": round(samples[-1][1], 1),
        "rss_mb_max": round(max(m for _, m in samples), 1),
        "samples": samples,
        "load": driver.summary(took),
    }


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="loop", choices=["loop", "soak"])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, help="loops started per second (paced, soak)")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--label", default="10m")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--baseline", help="another checkout (e.g. a worktree of main) to measure alongside"
    )
    args = parser.parse_args()
    result = context()
    logs = Path(tempfile.mkdtemp())
    if args.what == "loop":
        ports = {"linli": PORT} | ({"baseline": BASE_PORT} if args.baseline else {})
        with ExitStack() as stack:
            stack.enter_context(linli(logs / "linli.log"))
            if args.baseline:
                result["baseline"] = baseline_of(args.baseline)
                base = Path(args.baseline).resolve()
                stack.enter_context(linli(logs / "base.log", BASE_PORT, base, BASE_WORKERS))
            result |= uvloop.run(measure(args, ports))
        record(f"order-loop-{args.label}", result)
        return
    with linli(logs / "linli.log") as proc:
        result |= uvloop.run(soak(args, proc.pid))
    path = record(f"soak-{args.label}", result)
    xs, ys = zip(*result["samples"], strict=True)
    load.plot(
        path.with_suffix(".png"),
        [x / 60 for x in xs],
        ys,
        "minutes",
        "MB resident (granian worker)",
        f"Memory of one app process under the order loop at {result['target_loops_per_s']} loops/s",
    )


if __name__ == "__main__":
    main()
