"""Granian vs uvicorn, measured: one app, 2 workers each, one bounded wrk load on 127.0.0.1.

Usage: DATABASE_URL=postgresql://…/db (migrated, with demo data) uv run python benchmarks/servers.py
Needs `wrk` (Debian package). Each run is bounded (SECONDS per endpoint, CONNECTIONS open) and
the servers are stopped afterwards. uvicorn with uvloop+httptools is measured when both import.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

PORT = int(os.environ.get("BENCH_PORT", "8931"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = os.environ.get("BENCH_WORKERS", "2")
BASE = f"http://127.0.0.1:{PORT}"

SERVERS = {
    "uvicorn (h11, asyncio)": [
        "uvicorn",
        "backend.app:create_app",
        "--factory",
        "--workers",
        WORKERS,
        "--port",
        str(PORT),
        "--no-access-log",
        "--http",
        "h11",
        "--loop",
        "asyncio",
    ],
    "uvicorn (httptools, uvloop)": [
        "uvicorn",
        "backend.app:create_app",
        "--factory",
        "--workers",
        WORKERS,
        "--port",
        str(PORT),
        "--no-access-log",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
    ],
    "granian (asgi, asyncio)": [
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "backend.app:create_app",
        "--workers",
        WORKERS,
        "--port",
        str(PORT),
        "--no-access-log",
        "--loop",
        "asyncio",
    ],
    "granian (asgi, uvloop)": [
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "backend.app:create_app",
        "--workers",
        WORKERS,
        "--port",
        str(PORT),
        "--no-access-log",
        "--loop",
        "uvloop",
    ],
}


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def wait_ready(timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{BASE}/health/ready", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not become ready")


def token(phone: str) -> str:
    body = json.dumps({"phone": phone, "password": "demo1234"}).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{BASE}/api/v1/auth/token", body, {"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return json.load(answer)["access_token"]


def wrk(url: str, *headers: str) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    for header in headers:
        args[1:1] = ["-H", header]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    rounds = int(os.environ.get("BENCH_ROUNDS", "1"))
    runs: dict[str, list[dict]] = {}
    # Interleaved rounds: a neighbour's burst on this shared machine hits every server alike.
    for _ in range(rounds):
        for name, result in one_round().items():
            runs.setdefault(name, []).append(result)
    summary = {
        name: {
            endpoint: {
                key: statistics.median(r[endpoint][key] for r in results)
                for key in results[0][endpoint]
            }
            for endpoint in results[0]
        }
        for name, results in runs.items()
    }
    print(json.dumps({"rounds": rounds, "median": summary, "runs": runs}, indent=2))


def one_round() -> dict[str, dict]:
    results = {}
    for name, command in SERVERS.items():
        if "uvloop" in name and not _has("uvloop"):
            continue
        if "httptools" in name and not _has("httptools"):
            continue
        log = open(f"/tmp/linli-bench-{command[0]}.log", "a")  # noqa: SIM115, S108
        server = subprocess.Popen(  # noqa: S603
            command, stdout=log, stderr=log, start_new_session=True
        )
        try:
            wait_ready()
            bearer = f"Authorization: Bearer {token('13800000002')}"
            results[name] = {
                "GET /health/live": wrk(f"{BASE}/health/live"),
                "GET /api/v1/orders?view=community": wrk(
                    f"{BASE}/api/v1/orders?view=community", bearer
                ),
            }
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()
        print(name, json.dumps(results[name]), file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
