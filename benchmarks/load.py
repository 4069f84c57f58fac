"""Load and latency on a generated district (benchmarks/generate.py), against the real server.

Starts `linli serve` (granian, one worker unless BENCH_WORKERS) on the perf database, and for
`feed` also benchmarks/reference_app.py under the same server; signs generated users in through
`POST /api/v1/auth/token`; runs one measurement; stops everything it started. wrk (Debian
package `wrk`) drives the endpoints: it is written in C and takes the least of the 2 shared
cores from the server it measures; a Lua script rotates the signed-in users per request.

    uv run --group bench python benchmarks/load.py feed     # pool feed: Linli vs reference
    uv run --group bench python benchmarks/load.py reads    # feed, board, my orders: p50/p99
        (wrk closed loop at saturation, then fixed rates at --paced × that maximum)
    uv run --group bench python benchmarks/load.py pages    # keyset pages 1…1000 (PNG)
    uv run --group bench python benchmarks/load.py explain  # EXPLAIN of every list query
    uv run --group bench python benchmarks/load.py scorecards   # a quarter's scorecards, timed

`--baseline DIR` (feed, reads) also serves another checkout (a worktree of main, its own
`uv sync --group bench` done) on other ports, checks both answer byte-identical bodies, and
alternates them round by round: before and after under the same machine load.

Results go to benchmarks/results/<measurement>-<orders>.json (and .png); each records the
machine, versions, data size and the load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from importlib import metadata
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DB = os.environ.get("PERF_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/linli_perf")
# BENCH_PORT moves all four (servers.py reads it too), e.g. when another checkout's server
# already answers on 8931: `_wait` would take that one for ours.
PORT = int(os.environ.get("BENCH_PORT", "8931"))
REF_PORT = PORT + 1
BASE_PORT, BASE_REF_PORT = PORT + 2, PORT + 3  # --baseline: the same servers from another checkout
SECRET = "perf-benchmark-secret-" + "x" * 32
COMMUNITIES = 200  # generate.py's default
# Users per community: generate.py's 1M users by default; PERF_USERS=20000 for a smoke-size
# district (generate.py --users 20000), so the ids below are its workers, volunteers, residents.
PER_COMMUNITY = int(os.environ.get("PERF_USERS", "1000000")) // COMMUNITIES
WORKERS = os.environ.get("BENCH_WORKERS", "1")
# The baseline's workers: with `--baseline` this same checkout, one run compares worker counts
# (`BENCH_WORKERS=2 BENCH_BASE_WORKERS=1 … --baseline .`).
BASE_WORKERS = os.environ.get("BENCH_BASE_WORKERS", WORKERS)
ENV = {
    "DATABASE_URL": DB,
    "LINLI_SECRET_KEY": SECRET,
    "LINLI_ACCESS_TOKEN_MINUTES": "180",
    "LINLI_LOG_LEVEL": "WARNING",
    "LINLI_JOBS": "off",
    "LINLI_WORKERS": WORKERS,
    # the abuse limits (backend/security/limits.py) would stop a load test: off (count 0)
    "LINLI_RATE_SIGNIN_PHONE": "0/900",
    "LINLI_RATE_SIGNIN_IP": "0/900",
    "LINLI_RATE_ORDER_CREATE": "0/3600",
}


def volunteer(c: int, k: int = 0) -> int:
    return (c - 1) * PER_COMMUNITY + 6 + k % 40


def worker(c: int, k: int = 0) -> int:
    return (c - 1) * PER_COMMUNITY + 1 + k % 5


def resident(c: int, k: int = 0) -> int:
    return (c - 1) * PER_COMMUNITY + 46 + (k * 37) % min(400, PER_COMMUNITY - 46)


# --- servers -------------------------------------------------------------------------------

GROUPS: dict[int, int] = {}  # port → process group of the server answering there


def server_processes(group: int) -> dict[int, str]:
    """pid → command line of every process in a server's process group (granian's main
    process and its worker)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[2]) == group:  # pgrp
            found[int(entry.name)] = cmd
    return found


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def _wait(port: int) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/orders", timeout=2).status_code:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on {port}")


def _refuse_taken(port: int) -> None:
    """Several people benchmark on this box: a server of someone else's already on the port
    would answer `_wait` and be measured as ours."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is taken by another server: set BENCH_PORT")


@contextmanager
def server(command: list[str], port: int, log: Path, tree: Path = ROOT, workers: str = WORKERS):
    _refuse_taken(port)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | ENV
    env["LINLI_WORKERS"] = workers
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603 — our own commands
            command, cwd=tree, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait(port)
            GROUPS[port] = proc.pid
            yield proc
        finally:
            GROUPS.pop(port, None)
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def linli(log: Path, port: int = PORT, tree: Path = ROOT, workers: str = WORKERS):
    return server(["uv", "run", "linli", "serve", "--port", str(port)], port, log, tree, workers)


def reference(log: Path, port: int = REF_PORT, tree: Path = ROOT):
    command = ["uv", "run", "granian", "--interface", "asgi", "--factory", "--workers", WORKERS]
    command += ["--port", str(port), "--no-access-log", "--loop", "uvloop"]
    return server([*command, "benchmarks.reference_app:create_app"], port, log, tree)


@contextmanager
def servers(args: argparse.Namespace, *, with_reference: bool):
    """This checkout's Linli (and reference), and with `--baseline DIR` the same from DIR (for
    example a worktree of main) on other ports, all up at once so before and after alternate
    within one run under the same machine load."""
    logs = Path(tempfile.mkdtemp())
    with ExitStack() as stack:
        stack.enter_context(linli(logs / "linli.log"))
        if with_reference:
            stack.enter_context(reference(logs / "reference.log"))
        if args.baseline:
            base = Path(args.baseline).resolve()
            stack.enter_context(linli(logs / "base.log", BASE_PORT, base, BASE_WORKERS))
            if with_reference:
                stack.enter_context(reference(logs / "base-ref.log", BASE_REF_PORT, base))
        yield


async def sign_in(user_ids: list[int], port: int = PORT) -> dict[int, str]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        gate = asyncio.Semaphore(4)

        async def one(uid: int) -> tuple[int, str]:
            async with gate:
                body = {"phone": str(13_000_000_000 + uid), "password": "perf1234"}
                answer = await client.post("/api/v1/auth/token", json=body)
                answer.raise_for_status()
                return uid, answer.json()["access_token"]

        return dict(await asyncio.gather(*(one(u) for u in user_ids)))


# --- recording -----------------------------------------------------------------------------


def context() -> dict:
    versions = {}
    for package in ("litestar", "granian", "sqlalchemy", "asyncpg", "pydantic", "sqlmodel"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    pg = subprocess.run(  # noqa: S603
        ["psql", DB, "-Atc", 'SELECT version(), (SELECT count(*) FROM "order")'],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "postgresql_and_orders": pg,
        "server": f"linli serve (granian), {WORKERS} worker(s)"
        + (f", the baseline {BASE_WORKERS}" if BASE_WORKERS != WORKERS else ""),
        "load_average_before": os.getloadavg(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }


def record(name: str, result: dict) -> Path:
    result["load_average_after"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return path


# --- wrk -----------------------------------------------------------------------------------

WRK_SCRIPT = """
local tokens, paths = {}, {}
for line in io.lines(os.getenv("WRK_TOKENS")) do
  local token, path = line:match("([^ ]+) (.+)")
  tokens[#tokens + 1] = token
  paths[#paths + 1] = path
end
local i = math.random(#tokens)
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. tokens[i]})
end
"""


def wrk(port: int, lines: list[str], seconds: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script, tokens = Path(tmp, "rotate.lua"), Path(tmp, "tokens.txt")
        script.write_text(WRK_SCRIPT)
        tokens.write_text("\n".join(lines) + "\n")
        pids = list(server_processes(GROUPS[port])) if port in GROUPS else []
        cpu_before = cpu_seconds(pids)
        out = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                f"http://127.0.0.1:{port}",
            ],
            env=os.environ | {"WRK_TOKENS": str(tokens)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip

    def ms(label: str) -> float | None:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            return None
        scale = {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)]
        return round(float(found.group(1)) * scale, 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    done = int(re.search(r"(\d+) requests in", out).group(1))
    cpu = cpu_seconds(pids) - cpu_before
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        # the server's own CPU per answer: what a request costs it, whatever else the shared
        # cores were doing (requests/s only says how much CPU it was given)
        "server_cpu_ms_per_request": round(1000 * cpu / done, 2) if pids and done else None,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def paced(port: int, lines: list[str], rate: float, seconds: int) -> dict:
    """An open loop: requests start at a fixed rate whatever the answers do (wrk cannot), and
    each latency counts from when its request was due, so a stall is not hidden by the client
    waiting (no coordinated omission). One asyncio process with aiohttp on uvloop; its CPU is
    recorded beside the server's."""
    import resource

    import aiohttp
    import uvloop

    pairs = [line.split(" ", 1) for line in lines]
    pids = list(server_processes(GROUPS[port])) if port in GROUPS else []

    async def run() -> tuple[list[float], list[float], int, float]:
        latencies: list[float] = []
        lateness: list[float] = []  # the client's own: from due to sending (a busy box's share)
        failed = 0
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", connector=connector) as http:

            async def one(due: float, token: str, path: str) -> None:
                nonlocal failed
                headers = {"Authorization": f"Bearer {token}"}
                lateness.append((time.perf_counter() - due) * 1000)
                async with http.get(path, headers=headers) as answer:
                    await answer.read()
                    failed += answer.status != 200
                latencies.append((time.perf_counter() - due) * 1000)

            started = time.perf_counter()
            tasks, n = [], 0
            while (now := time.perf_counter()) - started < seconds:
                due = started + n / rate
                if due > now:
                    await asyncio.sleep(due - now)
                token, path = pairs[n % len(pairs)]
                tasks.append(asyncio.create_task(one(due, token, path)))
                n += 1
            await asyncio.gather(*tasks)
            return latencies, lateness, failed, time.perf_counter() - started

    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = cpu_seconds(pids)
    latencies, lateness, failed, took = uvloop.run(run())
    cpu = cpu_seconds(pids) - cpu_before
    after = resource.getrusage(resource.RUSAGE_SELF)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    late = statistics.quantiles(lateness, n=100, method="inclusive")
    return {
        "offered_rps": rate,
        "answered_rps": round(len(latencies) / took, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / len(latencies), 2) if pids else None,
        "p50_ms": round(q[49], 2),
        "p99_ms": round(q[98], 2),
        # included in the latencies above: how late the client itself sent (its event loop
        # woken late on a busy box), not the server's doing
        "client_send_lateness_p50_ms": round(late[49], 2),
        "client_send_lateness_p99_ms": round(late[98], 2),
        "non_200": failed,
        "client_cpu_share": round(
            (after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime) / took, 2
        ),
    }


def feed_lines(tokens: dict[int, str]) -> list[str]:
    return [f"{t} /api/v1/orders?view=pool&sort=deadline&limit=20" for t in tokens.values()]


def measure_feed(args: argparse.Namespace) -> None:
    ids = [volunteer(c, c) for c in range(1, COMMUNITIES + 1, 2)]
    result = context() | {"rounds": [], "connections": args.connections, "seconds": args.seconds}
    pairs = {"linli": (PORT, REF_PORT)}
    if args.baseline:
        pairs["baseline"] = (BASE_PORT, BASE_REF_PORT)
        result["baseline"] = baseline_of(args.baseline)
    with servers(args, with_reference=True):
        tokens = asyncio.run(sign_in(ids))
        lines = feed_lines(tokens)
        result["same_json_checked_for_users"] = check_same_json(tokens, *pairs["linli"])
        if args.baseline:
            check_same_json(tokens, *pairs["baseline"])
            result["baseline_byte_identical_for_users"] = check_identical(
                tokens.values(), [lines[0].split(" ", 1)[1]]
            )
        for ours, ref in pairs.values():  # warm every server, untimed
            wrk(ours, lines, 3, args.connections)
            wrk(ref, lines, 3, args.connections)
        for _ in range(args.rounds):
            one = {}
            for name, (ours, ref) in pairs.items():
                app = wrk(ours, lines, args.seconds, args.connections)
                ceiling = wrk(ref, lines, args.seconds, args.connections)
                one[name] = {"linli": app, "reference": ceiling}
                one[name]["ratio"] = round(app["rps"] / ceiling["rps"], 3)
            result["rounds"].append(one)
    for name in pairs:
        result[name] = {
            "median_ratio": statistics.median(r[name]["ratio"] for r in result["rounds"]),
            "median_linli_rps": statistics.median(
                r[name]["linli"]["rps"] for r in result["rounds"]
            ),
            "median_reference_rps": statistics.median(
                r[name]["reference"]["rps"] for r in result["rounds"]
            ),
            "median_linli_cpu_ms_per_request": _median_of(
                r[name]["linli"]["server_cpu_ms_per_request"] for r in result["rounds"]
            ),
            "median_reference_cpu_ms_per_request": _median_of(
                r[name]["reference"]["server_cpu_ms_per_request"] for r in result["rounds"]
            ),
        } | ({"tree": result.pop("baseline")} if name == "baseline" else {})
    record(f"feed-{args.label}", result)


def _median_of(values) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 2) if known else None


def baseline_of(tree: str) -> str:
    """Which commit the baseline checkout is at, for the record."""
    head = subprocess.run(  # noqa: S603
        ["git", "-C", tree, "log", "-1", "--format=%h %s"],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return f"{tree} at {head}"


def check_identical(tokens, paths: list[str]) -> int:
    """This checkout and the baseline answer byte-identical bodies (the change is a speed-up)."""
    checked = 0
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        for path in paths:
            ours = httpx.get(f"http://127.0.0.1:{PORT}{path}", headers=headers)
            base = httpx.get(f"http://127.0.0.1:{BASE_PORT}{path}", headers=headers)
            if ours.content != base.content:
                raise SystemExit(
                    f"{path}: baseline and this checkout differ:\n{ours.text}\n{base.text}"
                )
            checked += 1
    return checked


def check_same_json(tokens: dict[int, str], port: int = PORT, ref_port: int = REF_PORT) -> int:
    """Both answer the same JSON (timestamps compared as instants) for every signed-in user."""
    from datetime import datetime

    def norm(value):
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list):
            return [norm(v) for v in value]
        if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    path = "/api/v1/orders?view=pool&sort=deadline&limit=20"
    for token in tokens.values():
        headers = {"Authorization": f"Bearer {token}"}
        ours = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers).json()
        ref = httpx.get(f"http://127.0.0.1:{ref_port}{path}", headers=headers).json()
        if norm(ours) != norm(ref):
            raise SystemExit(f"reference and Linli disagree:\n{ours}\n{ref}")
    return len(tokens)


def measure_reads(args: argparse.Namespace) -> None:
    communities = range(1, COMMUNITIES + 1, 4)
    who = {
        "pool feed (hall)": ([volunteer(c, c) for c in communities], "view=pool&sort=deadline"),
        "dispatch board": (
            [worker(c, c) for c in communities],
            "view=community&status=submitted&sort=deadline",
        ),
        "my orders": ([resident(c, c) for c in communities], "view=mine"),
        "community, newest": ([worker(c, c + 1) for c in communities], "view=community"),
        "my tasks": ([volunteer(c, c + 3) for c in communities], "view=assigned&sort=deadline"),
    }
    result = context() | {"connections": args.connections, "seconds": args.seconds}
    ports = {"linli": PORT} | ({"baseline": BASE_PORT} if args.baseline else {})
    if args.baseline:
        result["baseline"] = baseline_of(args.baseline)
    result["endpoints"] = {}
    with servers(args, with_reference=False):
        tokens = asyncio.run(sign_in(sorted({u for ids, _ in who.values() for u in ids})))
        for name, (ids, query) in who.items():
            lines = [f"{tokens[u]} /api/v1/orders?{query}&limit=20" for u in ids]
            entry: dict = {"query": query}
            if args.baseline:
                entry["baseline_byte_identical_for_users"] = check_identical(
                    [tokens[u] for u in ids], [f"/api/v1/orders?{query}&limit=20"]
                )
            for port in ports.values():
                wrk(port, lines, 3, args.connections)  # warm, untimed
            runs: dict[str, list] = {k: [] for k in ports}
            for _ in range(args.rounds):  # alternate, so both see the same machine
                for key, port in ports.items():
                    runs[key].append(wrk(port, lines, args.seconds, args.connections))
            for key, got in runs.items():
                entry[key] = {
                    "runs": got,
                    "median_rps": statistics.median(r["rps"] for r in got),
                    "median_p50_ms": statistics.median(r["p50_ms"] for r in got),
                    "median_p99_ms": statistics.median(r["p99_ms"] for r in got),
                    "median_cpu_ms_per_request": _median_of(
                        r["server_cpu_ms_per_request"] for r in got
                    ),
                }
            # Below saturation: fixed rates, shares of this endpoint's maximum — the baseline's
            # when there is one, so before and after are offered the same requests per second.
            ceiling = entry["baseline" if args.baseline else "linli"]["median_rps"]
            for share in args.paced:
                rate = round(share * ceiling, 1)
                for key, port in ports.items():
                    entry[key].setdefault("paced", {})[str(share)] = paced(
                        port, lines, rate, args.seconds
                    )
            result["endpoints"][name] = entry
    record(f"reads-{args.label}", result)


def measure_pages(args: argparse.Namespace) -> None:
    pages = args.pages
    result = context() | {"pages": pages, "passes": args.rounds}
    with linli(Path(tempfile.mkdtemp()) / "linli.log"):
        token = asyncio.run(sign_in([worker(1)]))[worker(1)]
        headers = {"Authorization": f"Bearer {token}"}
        timings: list[list[float]] = []
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers) as client:
            for _ in range(args.rounds):
                cursor, times = None, []
                for _ in range(pages):
                    params = {"view": "community", "limit": 20} | (
                        {"cursor": cursor} if cursor else {}
                    )
                    started = time.perf_counter()
                    answer = client.get("/api/v1/orders", params=params)
                    times.append((time.perf_counter() - started) * 1000)
                    cursor = answer.json()["next_cursor"]
                    if cursor is None:
                        break
                timings.append(times)
    per_page = [statistics.median(t[i] for t in timings) for i in range(len(timings[0]))]
    deciles = {
        f"pages {i + 1}-{i + 100}": round(statistics.median(per_page[i : i + 100]), 2)
        for i in range(0, len(per_page), 100)
    }
    result |= {"pages_walked": len(per_page), "median_ms_by_hundred": deciles}
    result["first_page_ms"], result["last_page_ms"] = round(per_page[0], 2), round(per_page[-1], 2)
    path = record(f"pages-{args.label}", result)
    plot(
        path.with_suffix(".png"),
        range(1, len(per_page) + 1),
        per_page,
        "page (20 orders, view=community, newest first)",
        "ms (median of passes)",
        f"Keyset pages of community 1, district of {result['postgresql_and_orders'].split('|')[-1]}"
        " orders",
    )


def measure_scorecards(args: argparse.Namespace) -> None:
    """Provider and team scorecards of a quarter, timed through the service the API calls
    (median of `--rounds`), and which indexes the grouped query's plan reads."""
    import explain

    result = context() | {"quarter": args.quarter, "rounds": args.rounds}
    result["indexes_present"] = subprocess.run(  # noqa: S603
        ["psql", DB, "-Atc", "SELECT indexname FROM pg_indexes WHERE tablename IN "  # noqa: S607
         "('rating', 'orderevent') ORDER BY 1"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    result |= asyncio.run(explain.time_scorecards(DB, args.quarter, args.rounds))
    record(f"scorecards-{args.label}", result)


def plot(path: Path, xs, ys, xlabel: str, ylabel: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(list(xs), list(ys), linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["feed", "reads", "pages", "explain", "scorecards"])
    parser.add_argument("--quarter", default="2026Q4")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--label", default="10m")
    parser.add_argument(
        "--paced",
        type=float,
        nargs="*",
        default=[0.5, 0.25],
        help="reads: also offer these shares of each endpoint's maximum at a fixed rate "
        "(the baseline's maximum with --baseline; none: skip)",
    )
    parser.add_argument(
        "--baseline", help="another checkout (e.g. a worktree of main) to measure alongside"
    )
    args = parser.parse_args()
    if args.what == "explain":
        import explain

        record(f"explain-{args.label}", context() | explain.run(DB))
        return
    measures = {"feed": measure_feed, "reads": measure_reads, "pages": measure_pages}
    measures["scorecards"] = measure_scorecards
    measures[args.what](args)


if __name__ == "__main__":
    main()
