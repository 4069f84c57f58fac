"""An existing Open311 client library (`georeport` from PyPI, unchanged) reads services and
requests from a real `linli serve` process, in both formats.

The server runs on its own SQLite file with the demo data (seeded in-process to save time),
on a free 127.0.0.1 port, and is stopped in `finally`. `georeport` only reads, so the request
it follows is filed with a plain form POST, as any 311 client would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
from georeport import GeoReport

from backend.db import Database
from backend.demo import seed_demo
from backend.migrations import upgrade
from backend.open311.integrations import issue_key
from backend.places.models import Community
from backend.settings import ROOT, Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _prepare(url: str) -> str:
    await upgrade(url)
    database = Database.connect(Settings(database_url=url))
    try:
        async with database.writer_sessions() as session:
            await seed_demo(session)
            demo = await session.scalar(
                Community.__table__.select().where(Community.slug == "demo")
            )
            issued = await issue_key(session, name="georeport", community_ids=[demo], actor=None)
    finally:
        await database.dispose()
    return issued.api_key


def _wait_ready(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited"
        try:
            if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not come up")


def _read_with_georeport(base: str, api_key: str) -> None:
    root = f"{base}/open311/v2"
    as_json = GeoReport(root, jurisdiction="demo")
    as_xml = GeoReport(root, jurisdiction="demo", output_format="xml")
    services = as_json.get_service_list()
    assert {s["service_code"] for s in services} >= {"meal", "lighting", "plumbing"}
    xml_services = as_xml.get_service_list()
    assert [s["service_code"] for s in xml_services] == [s["service_code"] for s in services]
    definition = as_xml.get_service_definition("lighting")
    assert definition["service_code"] == "lighting"
    assert definition["attributes"]["attribute"][0]["code"] == "urgency"
    assert as_json.get_service_definition("lighting")["attributes"][0]["code"] == "urgency"

    filed = httpx.post(
        f"{root}/requests.json",
        data={
            "api_key": api_key,
            "jurisdiction_id": "demo",
            "service_code": "lighting",
            "lat": "31.2304",
            "long": "121.4737",
            "description": "路灯不亮",
        },
        timeout=30,
    )
    assert filed.status_code == 201, filed.text
    number = filed.json()[0]["service_request_id"]

    listed = as_json.get_service_requests(status="open")
    assert number in [r["service_request_id"] for r in listed]
    assert len(listed) > 1  # the demo orders are requests too
    one = as_json.get_service_request(number)
    assert (one["status"], one["lat"], one["long"]) == ("open", 31.2304, 121.4737)
    xml_one = as_xml.get_service_request(number)
    assert (xml_one["service_request_id"], xml_one["status"]) == (number, "open")
    xml_listed = as_xml.get_service_requests(service_request_id=number)
    assert xml_listed["service_code"] == "lighting"  # one <request>: xmltodict gives a dict
    closed = as_json.get_service_requests(status="closed")
    assert closed and all(r["status"] == "closed" for r in closed)


def _serve_and_read(url: str, api_key: str) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LINLI_ENV": "test",
        "LINLI_OPEN311_RATE_LIMIT": "100",
    }
    command = ["uv", "run", "--frozen", "linli", "serve", "--host", "127.0.0.1", "--port"]
    server = subprocess.Popen(  # noqa: S603 — our own command
        [*command, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        _read_with_georeport(base, api_key)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


async def test_georeport_reads_from_a_running_server(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'served.db'}"
    api_key = await _prepare(url)
    await asyncio.to_thread(_serve_and_read, url, api_key)
