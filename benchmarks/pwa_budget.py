"""PWA budgets: builds the phone app, reports the initial JS+CSS (gzip), and runs Lighthouse
(mobile preset, simulated throttling) on the resident home and the worker's dispatch board, signed
in. Prints a Markdown table for docs/performance.md ("PWA budgets"). Not part of `make test`.

    cd benchmarks && npm ci && cd .. && uv run python benchmarks/pwa_budget.py [--runs 3]
        [--skip-build] [--page "dispatch board"] [--keep DIR  (Lighthouse's JSON reports)]
        [--out FILE  (every run and the load averages as JSON, for benchmarks/results/)]
        [--language zh-CN  (the phone's language; default en-US, headless Chromium's own)]

Signing in: the app keeps its token pair in localStorage under `linli.auth`. The script starts
Debian Chromium with a debugging port, writes the pair on a same-origin JSON page (so no service
worker is installed and the audited load stays cold), then points Lighthouse at that Chromium with
`--disable-storage-reset` so the pair survives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {"resident home": ("13800000001", "/home"), "dispatch board": ("13800000002", "/board")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 — our own 127.0.0.1
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"{url} did not come up")
            time.sleep(0.3)


def build(skip: bool) -> float:
    command = ["node", "scripts/check-budget.mjs"] if skip else ["npm", "run", "build"]
    out = subprocess.run(  # noqa: S603 — fixed command lines
        command,
        cwd=ROOT / "pwa",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"initial JS\+CSS ([\d.]+) KB gzip", out)
    if not match:
        sys.exit(f"no budget line in the build output:\n{out}")
    return float(match.group(1))


async def prepare(url: str) -> None:
    sys.path.insert(0, str(ROOT))
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


def token_pair(base: str, phone: str) -> dict:
    body = json.dumps({"phone": phone, "password": "demo1234"}).encode()
    req = urllib.request.Request(  # noqa: S310
        base + "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())


def sign_in(debug_port: int, base: str, pair: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        page = browser.contexts[0].new_page()
        page.goto(base + "/health/live")
        page.evaluate("p => localStorage.setItem('linli.auth', JSON.stringify(p))", pair)
        page.close()


def lighthouse(debug_port: int, url: str, out: Path) -> dict:
    cli = ROOT / "benchmarks" / "node_modules" / ".bin" / "lighthouse"
    command = [str(cli), url, f"--port={debug_port}", "--disable-storage-reset", "--quiet"]
    command += ["--only-categories=performance,accessibility", "--output=json"]
    command += [f"--output-path={out}", "--form-factor=mobile"]
    subprocess.run(  # noqa: S603 — our own URL and paths
        command,
        check=True,
        env={**os.environ, "CHROME_PATH": CHROME},
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"],
        "accessibility": report["categories"]["accessibility"]["score"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "failed_a11y": [
            a["id"]
            for a in report["categories"]["accessibility"]["auditRefs"]
            if audits[a["id"]].get("score") == 0 and a.get("weight", 0) > 0
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument("--skip-build", action="store_true", help="measure the pwa/dist there is")
    parser.add_argument("--page", choices=sorted(PAGES), action="append", help="only this page")
    parser.add_argument("--keep", type=Path, help="copy Lighthouse's JSON reports into this folder")
    parser.add_argument("--out", type=Path, help="write every run and the load averages as JSON")
    parser.add_argument(
        "--language",
        default="en-US",
        help="the phone's language (Chromium --accept-lang); the app starts in it: en-US (headless "
        "Chromium's own, so English, fetched on demand) or zh-CN (a Chinese phone)",
    )
    args = parser.parse_args()
    pages = {name: PAGES[name] for name in args.page or PAGES}
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    size = build(args.skip_build)
    # The machine is shared: the load around the measurement says how far to trust it.
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="linli-bench-"))
    db_url = f"sqlite+aiosqlite:///{tmp / 'linli.db'}"
    asyncio.run(prepare(db_url))
    port, debug_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "LINLI_JOBS": "off", "LINLI_ENV": "development"}
    command = [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(  # noqa: S603 — a fixed command line
        command,
        cwd=ROOT,
        env=env,
    )
    chrome = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health/live", server)
        results: dict[str, list[dict]] = {}
        for name, (phone, path) in pages.items():
            pair = token_pair(base, phone)
            for run in range(args.runs):
                # A fresh profile per run: a cold load, nothing cached but the sign-in.
                profile = tmp / f"profile-{name.replace(' ', '-')}-{run}"
                browser = [CHROME, *FLAGS, f"--remote-debugging-port={debug_port}"]
                browser += [f"--accept-lang={args.language}"]
                browser += [f"--user-data-dir={profile}", "about:blank"]
                chrome = subprocess.Popen(  # noqa: S603
                    browser,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                wait_for(f"http://127.0.0.1:{debug_port}/json/version", chrome)
                sign_in(debug_port, base, pair)
                report = tmp / f"{name.replace(' ', '-')}-{run}.json"
                result = lighthouse(debug_port, base + path, report)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    shutil.copy(report, args.keep / report.name)
                results.setdefault(name, []).append(result)
                chrome.terminate()
                chrome.wait(timeout=10)
                chrome = None
    finally:
        if chrome is not None:
            chrome.kill()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)

    load_after = os.getloadavg()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Chromium {chromium_version()}"
    )
    print(
        f"machine: {machine}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(f"initial JS+CSS: {size} KB gzip (budget 150 KB)\n")
    print("| page | performance | accessibility | FCP ms | LCP ms | TBT ms | CLS | runs |")
    print("|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():

        def med(key: str, runs: list[dict] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        each = ", ".join(f"{r['performance']:.2f}" for r in runs)
        print(
            f"| {name} | {med('performance'):.2f} ({each})"
            f" | {med('accessibility'):.2f} | {med('fcp_ms'):.0f} | {med('lcp_ms'):.0f}"
            f" | {med('tbt_ms'):.0f} | {med('cls'):.3f} | {len(runs)} |"
        )
        failed = sorted({a for r in runs for a in r["failed_a11y"]})
        if failed:
            print(f"|   failed accessibility audits: {', '.join(failed)} |||||||")
    if args.out:
        record = {
            "started": started,
            "language": args.language,
            "machine": machine,
            "load_before": load_before,
            "load_after": load_after,
            "initial_js_css_kb_gzip": size,
            "pages": results,
        }
        args.out.write_text(json.dumps(record, indent=2) + "\n")


def chromium_version() -> str:
    out = subprocess.run([CHROME, "--version"], capture_output=True, text=True).stdout  # noqa: S603
    return out.strip().split()[1] if out.strip() else "?"


if __name__ == "__main__":
    main()
