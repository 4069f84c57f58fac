"""How many SSE streams one app process holds, how fast an event reaches all of them, and the
memory each stream costs.

Starts `linli serve` (one granian worker, SQLite, memory channels; or with --postgres several
workers on a fresh PostgreSQL database, events crossing them by LISTEN/NOTIFY) on a free
127.0.0.1 port against a fresh database with the demo people, opens N streams as the demo
worker (who sees every order of the community, so every stream is a relevant subscriber),
places one warm-up order (not counted), then E orders one second apart, and times, for every
stream, the gap between the event's timestamp (taken inside the order's transaction, before its
commit) and its arrival. It also reports the CPU seconds the server and this client spent while
the events went out.
Memory is the resident set size of the server and its worker processes before and after the
streams open.

    uv run python benchmarks/sse_fanout.py --connections 10000 --events 10
    uv run python benchmarks/sse_fanout.py --connections 10000 --events 5 \
        --postgres postgresql://postgres@127.0.0.1:5432 --workers 2

The client is one asyncio process with raw sockets on the same machine, so the latencies include
the client's own scheduling; it prints a Markdown table and writes JSON under benchmarks/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
WORKER, RESIDENT, PASSWORD = "13800000002", "13800000001", "demo1234"


def rss_kib(pid: int) -> int:
    """Resident memory of the server and its worker processes (granian serves from a child)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        for line in Path(f"/proc/{current}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants that are still running."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of the workers' threads by thread name (the Python loop, granian's Rust
    runtime threads, the database's), to tell the app's share from the server's."""
    ticks = os.sysconf("SC_CLK_TCK")
    total: dict[str, float] = {}
    for worker in worker_pids(pid):
        for stat in Path(f"/proc/{worker}/task").glob("*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            total[name] = total.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stream(asyncio.Protocol):
    """One SSE connection, read in the loop's callback (no task, no stream reader per
    connection): the client must stay cheap, since it shares the machine's cores with the
    server it measures. The arrival time is taken as the bytes are handed over."""

    def __init__(self, streams: Streams, request: bytes) -> None:
        self.streams, self.request = streams, request
        self.answered: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        transport.write(self.request)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answered.done():
            self.answered.set_result(False)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer + data
        if not self.answered.done():
            if b"\r\n\r\n" not in buffer:
                self.buffer = buffer
                return
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            self.answered.set_result(b" 200 " in head.split(b"\r\n", 1)[0])
        # Each SSE message arrives whole inside one HTTP chunk, so chunk-size lines fall between
        # messages; only a message cut by a TCP segment boundary waits for the next read.
        start = 0
        while (found := buffer.find(b"\ndata: ", start)) >= 0:
            end = buffer.find(b"\r\n", found + 7)
            if end < 0:
                break
            self.streams.arrived(buffer[found + 7 : end], now)
            start = end
        rest = buffer.rfind(b"\ndata: ", start)
        self.buffer = buffer[rest:] if rest >= 0 else buffer[-8:]


class Streams:
    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = {}  # event id → latencies (s)
        self.opened = 0
        self.failed = 0
        self.transports: list[asyncio.BaseTransport] = []
        # Every stream gets the same data line per event: parse it once (the arrival time
        # is still each stream's own).
        self._sent: dict[bytes, tuple[int, float] | None] = {}

    def arrived(self, line: bytes, now: float) -> None:
        if (known := self._sent.get(line, False)) is False:
            known = None
            if line.startswith(b"{"):
                event = json.loads(line)
                if "at" in event:
                    known = event["id"], datetime.fromisoformat(event["at"]).timestamp()
            self._sent[line] = known
        if known is not None:
            self.arrivals.setdefault(known[0], []).append(now - known[1])

    async def open(self, port: int, token: str) -> None:
        request = (
            f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        loop = asyncio.get_running_loop()
        try:
            transport, stream = await loop.create_connection(
                lambda: Stream(self, request), "127.0.0.1", port
            )
        except OSError:
            self.failed += 1
            return
        try:
            ok = await asyncio.wait_for(stream.answered, 60)
        except TimeoutError:
            ok = False
        if not ok:
            self.failed += 1
            transport.close()
            return
        self.opened += 1
        self.transports.append(transport)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


PG_DATABASE = "linli_bench_sse"


def postgres_database(server_url: str, *, create: bool) -> str:
    """(Re)create, or drop, the benchmark's own database on that PostgreSQL server."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(server_url.rstrip("/") + "/postgres")
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            if create:
                await conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        finally:
            await conn.close()

    asyncio.run(run())
    return server_url.rstrip("/") + f"/{PG_DATABASE}"


def start_server(
    workdir: Path, database_url: str | None, workers: int, root: Path = ROOT
) -> tuple[subprocess.Popen, int]:
    """Migrate a fresh database (SQLite unless given), add the demo data, serve on a free port."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    env = {
        **os.environ,
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.db'}",
        "LINLI_WORKERS": str(workers),
        "LINLI_ENV": "test",
        "LINLI_JOBS": "off",
        "LINLI_ACCESS_TOKEN_MINUTES": "60",
        "LINLI_SSE_HEARTBEAT_SECONDS": "15",
    }
    linli = str(root / ".venv" / "bin" / "linli")
    if root == ROOT and not Path(linli).exists():
        linli = shutil.which("linli") or linli
    for step in ("migrate", "demo-data"):
        subprocess.run([linli, step], env=env, check=True, cwd=root, capture_output=True)  # noqa: S603
    port = free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [linli, "serve", "--port", str(port)],
        env=env, cwd=root, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    return server, port


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def worker_pids(pid: int) -> list[int]:
    """The server's descendant processes (granian's workers), or the server itself."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                found.append(int(stat.parent.name))
        except OSError:
            continue  # ended meanwhile
    return [p for child in found for p in worker_pids(child)] or [pid]


def start_profile(server: subprocess.Popen, out: str) -> list[subprocess.Popen]:
    """py-spy sampling the workers (without pausing them) while the events go out."""
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    return [
        subprocess.Popen(  # noqa: S603
            [
                spy,
                "record",
                "--pid",
                str(pid),
                "--rate",
                "200",
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                f"{out}.{n}.txt",
            ],
            stdout=subprocess.DEVNULL,
            stderr=Path(f"{out}.{n}.log").open("wb"),
        )
        for n, pid in enumerate(worker_pids(server.pid))
    ]


async def run(
    server: subprocess.Popen,
    port: int,
    connections: int,
    events: int,
    batch: int,
    profile: str | None = None,
) -> dict:
    streams = Streams()
    tasks: list[asyncio.Task] = []
    load_at_start = os.getloadavg()[0]
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

            async def token(phone: str) -> str:
                answer = await http.post(
                    "/api/v1/auth/token", json={"phone": phone, "password": PASSWORD}
                )
                return answer.json()["access_token"]

            worker, resident = await token(WORKER), await token(RESIDENT)
            await asyncio.sleep(1)
            rss_before = rss_kib(server.pid)
            started = time.monotonic()
            for offset in range(0, connections, batch):
                for _ in range(min(batch, connections - offset)):
                    tasks.append(asyncio.create_task(streams.open(port, worker)))
                while streams.opened + streams.failed < min(offset + batch, connections):  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
                print(f"{streams.opened} open, {streams.failed} failed", file=sys.stderr)
            connect_seconds = time.monotonic() - started
            await asyncio.sleep(2)
            rss_after = rss_kib(server.pid)

            me = await http.get("/api/v1/me", headers={"Authorization": f"Bearer {resident}"})
            community = me.json()["memberships"][0]["community_id"]
            categories = await http.get(
                f"/api/v1/communities/{community}/categories",
                headers={"Authorization": f"Bearer {resident}"},
            )
            category = categories.json()[0]["id"]

            async def place(text: str) -> None:
                answer = await http.post(
                    "/api/v1/orders",
                    headers={"Authorization": f"Bearer {resident}"},
                    json={"community_id": community, "category_id": category, "description": text},
                )
                assert answer.status_code == 201, answer.text

            # A warm-up order, not counted: the first one through a fresh process pays for
            # imports and caches inside its transaction, which a running server has behind it.
            await place("预热")
            await asyncio.sleep(3)
            streams.arrivals.clear()
            spies = start_profile(server, profile) if profile else []
            await asyncio.sleep(1 if spies else 0)  # py-spy attaches
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            threads = thread_cpu(server.pid)
            events_started = time.monotonic()
            for n in range(events):
                await place(f"压测 {n}")
                await asyncio.sleep(1)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and (  # noqa: ASYNC110
                len(streams.arrivals) < events
                or min(len(v) for v in streams.arrivals.values()) < streams.opened
            ):
                await asyncio.sleep(0.2)
            # Who was busy while the events went out: the server, or this client reading them.
            server_cpu = cpu_seconds(server.pid) - server_cpu
            threads = {
                name: round(spent - threads.get(name, 0), 2)
                for name, spent in thread_cpu(server.pid).items()
                if spent - threads.get(name, 0) >= 0.01
            }
            client_cpu = time.process_time() - client_cpu
            events_seconds = time.monotonic() - events_started
            for spy in spies:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                spy.wait(30)
    finally:
        for transport in streams.transports:
            transport.close()
        for task in tasks:
            task.cancel()
    latencies = [x for v in streams.arrivals.values() for x in v]
    return {
        "connections_requested": connections,
        "connections_open": streams.opened,
        "connections_failed": streams.failed,
        "connect_seconds": round(connect_seconds, 1),
        "server_rss_mib_before": round(rss_before / 1024, 1),
        "server_rss_mib_after": round(rss_after / 1024, 1),
        "kib_per_connection": round((rss_after - rss_before) / max(streams.opened, 1), 1),
        "events": events,
        "deliveries": len(latencies),
        "deliveries_expected": events * streams.opened,
        "latency_p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000) if latencies else None,
        "latency_max_ms": round(max(latencies) * 1000) if latencies else None,
        "p99_ms_per_event": [
            round(percentile(v, 0.99) * 1000) for _, v in sorted(streams.arrivals.items())
        ],
        "event_phase_seconds": round(events_seconds, 1),
        "server_cpu_seconds": round(server_cpu, 1),
        "server_cpu_seconds_by_thread": threads,
        "server_cpu_us_per_delivery": round(server_cpu * 1e6 / max(len(latencies), 1), 1),
        "client_cpu_seconds": round(client_cpu, 1),
        "loadavg_at_start": load_at_start,
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg()[0],
        "python": sys.version.split()[0],
    }


def run_client(main: Coroutine[Any, Any, dict]) -> dict:
    """On uvloop when it is installed (the bench group has it): a cheaper client."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="serve from a fresh database on this PostgreSQL server (postgresql://user@host:port) "
        "instead of SQLite; events then cross workers by LISTEN/NOTIFY",
    )
    parser.add_argument("--workers", type=int, default=1, help="granian workers (PostgreSQL only)")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="sample each worker with py-spy during the events; collapsed stacks to PREFIX.N.txt",
    )
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve the checkout in this directory (its own .venv), e.g. an older commit in "
        "another git worktree, to measure before and after with the same client",
    )
    args = parser.parse_args()
    if args.workers > 1 and not args.postgres:
        parser.error("several workers need --postgres (SQLite events stay in one process)")
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    database_url = postgres_database(args.postgres, create=True) if args.postgres else None
    server, port = start_server(workdir, database_url, args.workers, args.server_root.resolve())
    try:
        result = run_client(
            run(server, port, args.connections, args.events, args.batch, args.profile)
        )
    finally:
        stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            postgres_database(args.postgres, create=False)
    result.update(
        database="postgresql" if args.postgres else "sqlite",
        workers=args.workers,
        server_commit=subprocess.run(  # noqa: S603
            ["git", "-C", str(args.server_root), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True, text=True, check=False,
        ).stdout.strip(),
    )  # fmt: skip
    suffix = f"-pg-{args.workers}w" if args.postgres else ""
    if args.server_root.resolve() != ROOT:
        suffix += f"-{result['server_commit']}"
    out = ROOT / "benchmarks" / "results" / f"sse_fanout-{args.connections}{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| measure | value |\n|---|---|")
    for key, value in result.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
