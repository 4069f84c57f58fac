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
from datetime import datetime
from pathlib import Path

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Streams:
    def __init__(self) -> None:
        self.arrivals: dict[int, list[float]] = {}  # event id → latencies (s)
        self.opened = 0
        self.failed = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def open(self, port: int, token: str) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 16)
        except OSError:
            self.failed += 1
            return
        writer.write(
            f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            head = b"no answer"
        if b" 200 " not in head.split(b"\r\n", 1)[0]:
            self.failed += 1
            writer.close()
            return
        self.opened += 1
        self.writers.append(writer)
        buffer = b""
        while chunk := await reader.read(1 << 16):
            buffer += chunk
            while b"\ndata: " in buffer:
                start = buffer.index(b"\ndata: ") + 7
                end = buffer.find(b"\r\n", start)
                if end < 0:
                    break
                line, buffer = buffer[start:end], buffer[end:]
                if line.startswith(b"{"):
                    event = json.loads(line)
                    sent = datetime.fromisoformat(event["at"]).timestamp()
                    self.arrivals.setdefault(event["id"], []).append(time.time() - sent)
            cut = buffer.find(b"\ndata: ")
            buffer = buffer[cut:] if cut >= 0 else buffer[-8:]  # keep only a partial event


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
    workdir: Path, database_url: str | None, workers: int
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
    linli = shutil.which("linli") or str(ROOT / ".venv" / "bin" / "linli")
    for step in ("migrate", "demo-data"):
        subprocess.run([linli, step], env=env, check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    port = free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [linli, "serve", "--port", str(port)],
        env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    return server, port


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


async def run(
    server: subprocess.Popen, port: int, connections: int, events: int, batch: int
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
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
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
            client_cpu = time.process_time() - client_cpu
            events_seconds = time.monotonic() - events_started
    finally:
        for writer in streams.writers:
            writer.close()
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
        "client_cpu_seconds": round(client_cpu, 1),
        "loadavg_at_start": load_at_start,
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg()[0],
        "python": sys.version.split()[0],
    }


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
    args = parser.parse_args()
    if args.workers > 1 and not args.postgres:
        parser.error("several workers need --postgres (SQLite events stay in one process)")
    workdir = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    database_url = postgres_database(args.postgres, create=True) if args.postgres else None
    server, port = start_server(workdir, database_url, args.workers)
    try:
        result = asyncio.run(run(server, port, args.connections, args.events, args.batch))
    finally:
        stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
        if args.postgres:
            postgres_database(args.postgres, create=False)
    result.update(database="postgresql" if args.postgres else "sqlite", workers=args.workers)
    suffix = f"-pg-{args.workers}w" if args.postgres else ""
    out = ROOT / "benchmarks" / "results" / f"sse_fanout-{args.connections}{suffix}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| measure | value |\n|---|---|")
    for key, value in result.items():
        print(f"| {key} | {value} |")


if __name__ == "__main__":
    main()
