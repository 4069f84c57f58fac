"""A real HTTP server for the live-event tests: SSE needs a streaming connection, which the
in-memory test client does not give. It runs the app on uvicorn in the tests' event loop, on a
free port of 127.0.0.1, against the session's test database."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.app import create_app
from backend.settings import Settings
from tests.factories import Api


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free port of 127.0.0.1, in a thread with its own event
    loop: the in-memory test client blocks the tests' loop while a request runs, and a server on
    that loop would then stall mid-transaction, holding SQLite's write lock."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="auto")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def live_url(settings: Settings) -> Iterator[str]:
    # No periodic jobs here: the suite's own app runs them; two runners would only add locks.
    quick = dataclasses.replace(settings, sse_heartbeat_seconds=1, jobs_enabled=False)
    with serving(create_app(quick)) as url:
        yield url


@pytest.fixture
async def live(
    live_url: str, world: dict, app: Litestar, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Api]:
    """The `Api` helper, speaking HTTP to the live server."""
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as client:
        yield Api(client, world, app, sessions)  # type: ignore[arg-type]


class Stream:
    """An open SSE stream, read one event at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()

    async def next(self, wait: float = 5, *, comments: bool = False) -> dict[str, Any]:
        """The next event (`{"event", "id", "data"}`), or `{"comment": …}` if `comments`."""
        message: dict[str, Any] = {}
        async with asyncio.timeout(wait):
            async for line in self.lines:
                if line == "":
                    if message:
                        return message
                    continue
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "" and comments:
                    return {"comment": value}
                if field == "data":
                    message["data"] = json.loads(value)
                elif field in ("event", "id"):
                    message[field] = value
        raise AssertionError("the stream ended")

    async def kinds_until(self, last: str, wait: float = 5) -> list[str]:
        """Event kinds received up to and including the first `last`."""
        seen: list[str] = []
        while not seen or seen[-1] != last:
            seen.append((await self.next(wait))["event"])
        return seen


@asynccontextmanager
async def stream(api: Api, phone: str, last_event_id: str | None = None) -> AsyncIterator[Stream]:
    headers = await api.headers(phone)
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    async with api.client.stream("GET", "/api/v1/events", headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        opened = Stream(response)
        hello = await opened.next(comments=True)
        assert hello == {"comment": "linli"}
        yield opened


class Receiver:
    """A local HTTP endpoint standing in for a push service or an SMS gateway. It records every
    request; the first path segment picks the answer: `ok` 201, `gone` 410, `bad` 400, `hang`
    waits 3 s, `flaky` waits 1 s, then answers 503, then 200. `tencent` answers like Tencent
    Cloud SMS (HTTP 200, JSON): `tencent/ok` sent, `tencent/busy` an InternalError first, then
    sent, `tencent/limit` a per-number daily limit."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.base = ""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append({"path": path, "headers": headers, "body": body})
        mode = path.strip("/").split("/")[0]
        status = {"ok": 201, "gone": 410, "bad": 400}.get(mode, 200)
        if mode == "hang":
            await asyncio.sleep(3)
        if mode == "flaky":
            tries = sum(1 for r in self.requests if r["path"] == path)
            if tries == 1:
                await asyncio.sleep(1)
            status = 503 if tries == 2 else 200
        answer = b""
        if mode == "tencent":
            answer = json.dumps(self.tencent(path)).encode()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": answer})

    def tencent(self, path: str) -> dict[str, Any]:
        outcome = path.strip("/").split("/")[1]
        tries = sum(1 for r in self.requests if r["path"] == path)
        if outcome == "busy" and tries == 1:
            error = {"Code": "InternalError.Timeout", "Message": "please retry"}
            return {"Response": {"Error": error, "RequestId": "r1"}}
        code = "LimitExceeded.PhoneNumberDailyLimit" if outcome == "limit" else "Ok"
        status = {"SerialNo": "5000:1", "PhoneNumber": "+8613800000001", "Code": code}
        return {"Response": {"SendStatusSet": [status], "RequestId": f"r{tries}"}}

    def to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serving(found) as url:
        found.base = url
        yield found


async def eventually(check: Any, wait: float = 5) -> Any:
    """Poll `check()` (sync or async) until it answers something truthy."""
    async with asyncio.timeout(wait):
        while True:
            found = check()
            if asyncio.iscoroutine(found):
                found = await found
            if found:
                return found
            await asyncio.sleep(0.05)
