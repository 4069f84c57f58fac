"""End-to-end fixtures: the real server (migrated SQLite with demo data, serving the built PWA)
in a subprocess, and Debian Chromium driven by Playwright with phone-sized contexts.

Skips with a reason where Chromium, the built PWA or axe-core is missing — except under
`CI=true`, where a missing piece fails the run (CI installs Chromium and must run these). Only the
SQLite run drives the browser: the server and the browser are the same in both database runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "pwa" / "dist"
AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
PASSWORD = "demo1234"  # the documented demo credential
ON_CI = os.environ.get("CI") == "true"


# The order page polls every 5 s until live updates land: wait longer than one poll.
expect.set_options(timeout=12_000)


def _missing(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"CI=true and {reason}: the end-to-end tests must run under CI")
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ensure_dist() -> None:
    if (DIST / "index.html").exists():
        return
    if subprocess.run(["which", "npm"], capture_output=True).returncode != 0:  # noqa: S607
        _missing("pwa/dist is not built and npm is missing (run `make pwa`)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT / "pwa", check=True)  # noqa: S607
    subprocess.run(["npm", "run", "build"], cwd=ROOT / "pwa", check=True)  # noqa: S607


async def _migrate_and_seed(url: str) -> None:
    from backend.db import Database
    from backend.demo import seed_demo
    from backend.migrations import upgrade
    from backend.settings import Settings

    await upgrade(url)
    database = Database.connect(Settings(database_url=url))
    try:
        async with database.writer_sessions() as session:
            await seed_demo(session)
    finally:
        await database.dispose()


class Server:
    """The running app: its base URL and a tiny JSON client for checks made behind the UI."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._tokens: dict[str, dict[str, str]] = {}

    def request(self, method: str, path: str, body: Any = None, phone: str | None = None) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if phone:
            headers["Authorization"] = f"Bearer {self.tokens(phone)['access_token']}"
        data = json.dumps(body).encode() if body is not None else None
        # Our own server on 127.0.0.1, over http: no other scheme reaches here.
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)  # noqa: S310
        with urllib.request.urlopen(req, timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read() or b"null")

    def tokens(self, phone: str) -> dict[str, str]:
        if phone not in self._tokens:
            self._tokens[phone] = self.request(
                "POST", "/api/v1/auth/token", {"phone": phone, "password": PASSWORD}
            )
        return self._tokens[phone]


# Package scope, not session: sync Playwright keeps an event loop running in this thread until it
# stops, and the async tests after this package need that thread's loop free again.
@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if os.environ.get("LINLI_TEST_DB", "sqlite") != "sqlite":
        pytest.skip("end-to-end tests run in the SQLite run only (same browser, same server)")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    _ensure_dist()
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'linli.db'}",
        "LINLI_ENV": "development",
        "LINLI_JOBS": "off",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    env.pop("LINLI_SECRET_KEY", None)
    # What `linli migrate` and `linli demo-data` do, in this process: on a shared 2-core machine
    # two more interpreter start-ups cost more than the rest of the fixture.
    asyncio.run(_migrate_and_seed(env["DATABASE_URL"]))
    log = (tmp / "server.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    proc = subprocess.Popen(  # noqa: S603 — a fixed command line
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90  # a loaded 2-core machine starts slowly
        while True:
            try:
                urllib.request.urlopen(base + "/health/live", timeout=1).close()  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {(tmp / 'server.log').read_text()}")
                time.sleep(0.2)
        yield Server(base)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="package")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone_as(browser: Any, server: Server) -> Iterator[Any]:
    """`phone_as(phone, elder=False)` → a new page in its own 390×844 context, signed in as that
    demo account the way the app keeps a session (the token pair in localStorage)."""
    contexts: list[Any] = []

    def open_page(phone: str | None, *, elder: bool = False, locale: str = "zh-CN") -> Any:
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale=locale,
            timezone_id="Asia/Shanghai",
            base_url=server.base,
            # axe-core is injected as an inline script, which the app's CSP (script-src 'self')
            # rightly blocks; the audit tool, not the app, needs the exemption.
            bypass_csp=True,
        )
        contexts.append(context)
        prefs = {"locale": locale, "elder": elder}
        seeds = {"linli.prefs": prefs}
        if phone:
            seeds["linli.auth"] = server.tokens(phone)
        # Only when absent: the app's own writes (rotated tokens, a toggled mode) survive reloads.
        script = "".join(
            f"localStorage.getItem({json.dumps(key)}) || "
            f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(value))});"
            for key, value in seeds.items()
        )
        context.add_init_script(script)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page: Any) -> list[dict]:
    """Serious and critical axe-core violations on the page as it is now."""
    if not AXE.exists():
        _missing("pwa/node_modules/axe-core is missing (cd pwa && npm ci)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
