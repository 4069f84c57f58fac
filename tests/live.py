"""A real Linli server in a child process (uvicorn on a free port), for the tests that need one:
fuzzing over HTTP, killing the server mid-write, reading what it logs."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from backend.settings import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str, workdir: Path, *, secret: str, limits: bool = False):
        self.database_url = database_url
        self.workdir = workdir
        self.secret = secret
        self.limits = limits
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "LINLI_ENV": "test",
            "DATABASE_URL": self.database_url,
            "LINLI_SECRET_KEY": self.secret,
            "LINLI_ACCESS_TOKEN_MINUTES": "60",
            "LINLI_FILES_DIR": str(self.workdir / "files"),
            "LINLI_JOBS": "off",
        }
        if not self.limits:  # the load comes from one address and a few accounts
            env.update({f"LINLI_RATE_{name.upper()}": "0/60" for name in DEFAULT_LIMITS})
        return env

    def start(self, timeout: float = 120) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and module
            [
                sys.executable,
                "-m",
                "uvicorn",
                "backend.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "info",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if (
                    httpx.get(f"{self.url}/health/ready", timeout=1, trust_env=False).status_code
                    == 200
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye — a power cut for the process."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


_ZYGOTE = r"""
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
import uvicorn
from backend.app import create_app
from backend.migrations import head_revision, known_revisions
# The slow part of a start, done once before any fork (as a pre-loading server does): imports,
# building the app (no connection, loop or thread exists until its lifespan runs in the child),
# and the readiness probe's reading of every migration script.
app = create_app()
head_revision(), known_revisions()
for line in sys.stdin:
    port, log = line.split()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
        os._exit(0)
    print(pid, flush=True)
"""


class ForkingServer(LiveServer):
    """A LiveServer whose restarts are quick: one parent builds the app once and forks a fresh
    uvicorn process for each start, so ten kill-and-restart rounds cost seconds, not minutes.
    Each child is still a whole server process, killed with a real SIGKILL."""

    def __init__(self, *args, env: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.extra_env = env or {}  # settings of this server's processes only
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.zygote = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", _ZYGOTE],
            cwd=ROOT,
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid: int | None = None

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.extra_env}

    def start(self, timeout: float = 120) -> None:
        assert self.zygote.stdin and self.zygote.stdout
        self.zygote.stdin.write(f"{self.port} {self.log_path}\n")
        self.zygote.stdin.flush()
        self.pid = int(self.zygote.stdout.readline())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{self.url}/health/ready", timeout=1, trust_env=False)
                if ready.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"server did not become ready: {self.log()[-2000:]}")

    def freeze(self, frozen: bool = True) -> None:
        """SIGSTOP (or SIGCONT): the process keeps its sockets but says nothing more, like a
        hung VM or a host cut off the network."""
        assert self.pid is not None
        os.kill(self.pid, signal.SIGSTOP if frozen else signal.SIGCONT)

    def kill(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # wait until the port is free again
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, 0)
                    time.sleep(0.02)
                    continue
                break
            self.pid = None

    def stop(self) -> None:
        self.kill()
        if self.zygote.poll() is None:
            self.zygote.kill()
            self.zygote.wait(timeout=10)
