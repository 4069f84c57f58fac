"""The production topology without containers, on 127.0.0.1: a fresh PostgreSQL database, the
one-shot migration, 3 `linli serve` processes (LINLI_ENV=production) and Caddy in front — then
the core loop through Caddy, a claim race between processes, periodic jobs (deadline escalation)
done exactly once by 3 runners, and a graceful stop of one process while the others answer.

    uv run python scripts/loopback_cluster.py      # exits 0 when every check held

Needs `caddy` (Debian package) and a PostgreSQL server (LINLI_TEST_PG_URL, default the local one;
a fresh database is created on it and dropped afterwards). Runs inside `make test`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("LINLI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test").replace(
    "postgresql+asyncpg://", "postgresql://"
)
APPS = 3
LINLI = str(Path(sys.executable).parent / "linli")  # the entry point, as operators run it
PASSWORD = "demo1234"  # noqa: S105 (the demo accounts)
RESIDENT, WORKER, PARTY, VOLUNTEER = "13800000001", "13800000002", "13800000003", "13800000004"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


STARTED = time.monotonic()


def step(message: str) -> None:
    print(f"loopback [{time.monotonic() - STARTED:5.1f} s]: {message}", flush=True)


class Cluster:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.app_ports = [free_port() for _ in range(APPS)]
        self.proxy_port = free_port()
        self.database = f"linli_loopback_{uuid.uuid4().hex[:8]}"
        base = PG_URL.rpartition("/")[0]
        self.env = {
            **os.environ,
            "LINLI_ENV": "production",
            "DATABASE_URL": f"{base}/{self.database}",
            "LINLI_SECRET_KEY": secrets.token_urlsafe(48),  # one key: any process checks any token
            "LINLI_SMS_BACKEND": "webhook",
            "LINLI_SMS_WEBHOOK_URL": "http://127.0.0.1:9/unused",  # the loop signs in by password
            "LINLI_SHUTDOWN_SECONDS": "10",
            "LINLI_LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",  # the log files are read while the processes run
            # Every process runs the periodic-job runner; ticks every second to race hard.
            "LINLI_JOBS": "on",
            "LINLI_JOBS_INTERVAL": "1",
        }

    async def create_database(self) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            await conn.close()

    async def drop_database(self) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            await conn.close()

    def linli(self, *args: str) -> None:
        done = subprocess.run(  # noqa: S603
            [LINLI, *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"linli {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start_apps(self) -> None:
        for index, port in enumerate(self.app_ports):
            log = (self.workdir / f"app{index}.log").open("w")
            self.processes.append(
                subprocess.Popen(  # noqa: S603
                    [LINLI, "serve", "--port", str(port)],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def start_proxy(self, caddy: str) -> None:
        upstreams = " ".join(f"127.0.0.1:{port}" for port in self.app_ports)
        caddyfile = self.workdir / "Caddyfile"
        caddyfile.write_text(
            "{\n\tadmin off\n\tauto_https off\n}\n"
            f"http://127.0.0.1:{self.proxy_port} {{\n"
            f"\treverse_proxy {upstreams} {{\n"
            "\t\tlb_policy round_robin\n\t\tlb_try_duration 5s\n\t\tfail_duration 10s\n"
            "\t\tflush_interval -1\n\t\theader_up X-Request-ID {http.request.uuid}\n\t}\n}\n"
        )
        env = {
            **os.environ,
            "XDG_DATA_HOME": str(self.workdir),
            "XDG_CONFIG_HOME": str(self.workdir),
        }
        log = (self.workdir / "caddy.log").open("w")
        self.processes.append(
            subprocess.Popen(  # noqa: S603
                [caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        urls = [f"http://127.0.0.1:{p}/health/ready" for p in [*self.app_ports, self.proxy_port]]
        for url in urls:
            while True:
                for process in self.processes:
                    if process.poll() is not None:
                        raise RuntimeError(f"a process exited early; logs in {self.workdir}")
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} not ready after {timeout} s")
                time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def dump_logs(self) -> None:
        for log in sorted(self.workdir.glob("*.log")):
            print(f"---- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)

    def logged(self, text: str, timeout: float = 10) -> bool:
        """Whether an app process logged `text` (logs are written by a background thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in self.app_log(i) for i in range(APPS)):
                return True
            time.sleep(0.2)
        return False

    def app_log(self, index: int) -> str:
        return (self.workdir / f"app{index}.log").read_text()


async def core_loop(base: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:

        async def token(phone: str) -> dict[str, str]:
            answer = await client.post(
                "/api/v1/auth/token", json={"phone": phone, "password": PASSWORD}
            )
            answer.raise_for_status()
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        resident, worker, party, volunteer = [
            await token(p) for p in (RESIDENT, WORKER, PARTY, VOLUNTEER)
        ]
        me = (await client.get("/api/v1/me", headers=resident)).json()
        community = me["memberships"][0]["community_id"]
        categories = (
            await client.get(f"/api/v1/communities/{community}/categories", headers=resident)
        ).json()
        body = {
            "community_id": community,
            "category_id": categories[0]["id"],
            "description": "灯坏了",
        }
        key = {"Idempotency-Key": uuid.uuid4().hex}
        first = await client.post("/api/v1/orders", json=body, headers={**resident, **key})
        replay = await client.post("/api/v1/orders", json=body, headers={**resident, **key})
        assert first.status_code == 201, first.text
        assert replay.json()["id"] == first.json()["id"], "idempotency holds across processes"
        order = first.json()["id"]

        async def act(headers: dict, action: str, payload: dict | None = None) -> httpx.Response:
            return await client.post(
                f"/api/v1/orders/{order}/{action}", json=payload or {}, headers=headers
            )

        assert (await act(worker, "dispatch", {"mode": "pool"})).status_code == 200
        claims = await asyncio.gather(act(party, "accept"), act(volunteer, "accept"))
        codes = sorted(c.status_code for c in claims)
        assert codes == [200, 409], f"exactly one claim wins across processes, got {codes}"
        taker = party if claims[0].status_code == 200 else volunteer
        assert (await act(taker, "start")).status_code == 200
        assert (await act(taker, "complete", {"note": "换了灯泡", "hours": 0.5})).status_code == 200
        rating = {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5}
        rated = await act(resident, "rate", rating)
        assert rated.status_code == 200, rated.text
        final = rated.json()
        assert final["status"] == "closed"
        assert [e["action"] for e in final["timeline"]] == [
            "submit", "dispatch", "accept", "start", "complete", "rate",
        ]  # fmt: skip
        missing = await client.get("/api/v1/orders/99999999", headers=resident)
        assert missing.status_code == 404
        assert missing.json()["request_id"] == missing.headers["x-request-id"]
        return {"order": final["number"], "request_id": missing.json()["request_id"]}


async def after_one_stops(base: str, cluster: Cluster) -> None:
    """SIGTERM one app process under load: requests in flight finish, it exits 0, and the proxy
    keeps answering every request from the other processes."""
    victim = cluster.processes[0]
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        signed_in = await client.post(
            "/api/v1/auth/token", json={"phone": WORKER, "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}

        async def board() -> int:
            answer = await client.get("/api/v1/orders?view=community", headers=headers)
            return answer.status_code

        load = [asyncio.create_task(board()) for _ in range(24)]
        await asyncio.sleep(0.05)
        victim.send_signal(signal.SIGTERM)
        codes = await asyncio.gather(*load)
        code = await asyncio.to_thread(victim.wait, 30)
        assert code == 0, f"graceful stop exits 0, got {code}"
        assert codes == [200] * len(codes), f"no request lost while one process stopped: {codes}"
        after = [await board() for _ in range(6)]
    assert after == [200] * 6, after


async def jobs_run_exactly_once(base: str, cluster: Cluster) -> int:
    """Deadline escalation with 3 runners on one database: every passed deadline is escalated
    once — one claim row, one timeline event, one notice per worker — never once per process."""
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        signed_in = await client.post(
            "/api/v1/auth/token", json={"phone": RESIDENT, "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        me = (await client.get("/api/v1/me", headers=headers)).json()
        community = me["memberships"][0]["community_id"]
        categories = (
            await client.get(f"/api/v1/communities/{community}/categories", headers=headers)
        ).json()
        ids = []
        for n in range(6):
            body = {
                "community_id": community,
                "category_id": categories[n % len(categories)]["id"],
                "description": f"逾期测试 {n}",
            }
            answer = await client.post("/api/v1/orders", json=body, headers=headers)
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
    conn = await asyncpg.connect(cluster.env["DATABASE_URL"])
    try:
        await conn.execute(
            "UPDATE \"order\" SET respond_by = now() - interval '1 hour' WHERE id = ANY($1)", ids
        )
        deadline = time.monotonic() + 60
        while True:
            done = await conn.fetchval(
                "SELECT count(*) FROM order_escalation WHERE order_id = ANY($1)", ids
            )
            if done == len(ids):
                break
            assert time.monotonic() < deadline, f"only {done} of {len(ids)} escalated in 60 s"
            await asyncio.sleep(0.5)
        await asyncio.sleep(3)  # several more ticks of every process
        events = await conn.fetch(
            "SELECT order_id, count(*) AS n FROM orderevent"
            " WHERE action = 'escalate' AND order_id = ANY($1) GROUP BY order_id",
            ids,
        )
        assert sorted((r["order_id"], r["n"]) for r in events) == [(i, 1) for i in sorted(ids)]
        doubled = await conn.fetch(
            "SELECT user_id, order_id FROM notification WHERE kind = 'order.escalated'"
            " GROUP BY user_id, order_id HAVING count(*) > 1"
        )
        assert doubled == [], f"a worker was told twice: {doubled}"
        told = await conn.fetchval(
            "SELECT count(*) FROM notification WHERE kind = 'order.escalated'"
            " AND order_id = ANY($1)",
            ids,
        )
        assert told >= len(ids), "the community's workers were told"
        return len(ids)
    finally:
        await conn.close()


async def main() -> int:
    caddy = shutil.which("caddy")
    if caddy is None:
        print("loopback: caddy not installed (apt-get install -y caddy)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="linli-loopback-") as tmp:
        cluster = Cluster(Path(tmp))
        await cluster.create_database()
        try:
            step(f"database {cluster.database}: migrate once, then seed the demo accounts")
            cluster.linli("migrate")
            cluster.linli("demo-data")
            step(f"{APPS} app processes on {cluster.app_ports}, Caddy on {cluster.proxy_port}")
            cluster.start_apps()
            cluster.start_proxy(caddy)
            cluster.wait_ready()
            base = f"http://127.0.0.1:{cluster.proxy_port}"
            outcome = await core_loop(base)
            step(f"core loop closed order {outcome['order']} through Caddy")
            served = [i for i in range(APPS) if '"path": "/api/v1/' in cluster.app_log(i)]
            assert served == list(range(APPS)), f"round robin reached processes {served}"
            assert cluster.logged(outcome["request_id"]), "the proxy's request id reached a log"
            step("every process served the loop; the request id is in the app's log")
            escalated = await jobs_run_exactly_once(base, cluster)
            step(f"{escalated} passed deadlines escalated exactly once by {APPS} job runners")
            await after_one_stops(base, cluster)
            step("a process stopped gracefully on SIGTERM; the others kept answering")
        except BaseException:
            cluster.dump_logs()
            raise
        finally:
            cluster.stop()
            await cluster.drop_database()
    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
