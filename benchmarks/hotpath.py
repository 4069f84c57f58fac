"""What each layer of a read costs: the app's CPU per request with one piece taken out at a time.

In one process, without a server or a network client in the way: the app (create_app, the
real one) is called as an ASGI callable with a hand-built request, `--requests` times in a row
on the perf database, and the process's CPU time per request is recorded. Then the same with
one layer replaced by a pass-through — the request-id/access-log wrapper, the Prometheus
middleware, the client-address middleware, the security headers, the id-range check — and with
the Bearer-token check replaced by one that decodes each token once (what verifying the JWT on
every request costs). Variants alternate round by round so they share the machine's load;
the median per variant is reported, and the difference to the full app is that layer's cost.

    uv run --group bench python benchmarks/hotpath.py             # the hall, 2,000 × 5 rounds
    uv run --group bench python benchmarks/hotpath.py --path '/api/v1/orders?view=mine'

Results: benchmarks/results/hotpath-<label>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from types import SimpleNamespace

import load
from load import DB, context, record, volunteer

VARIANTS = (
    "full app",
    "no request id / access log",
    "no Prometheus",
    "no client address",
    "no security headers",
    "no id-range check",
    "token decoded once per user",
)


def _passthrough(app):
    return app


async def _no_headers(message, scope) -> None:
    return None


def build(variant: str):
    """A fresh app with one layer replaced (the names create_app reads at call time)."""
    import backend.app as assembly
    from backend.auth.security import authentication
    from backend.settings import load_settings

    saved = {
        name: getattr(assembly, name)
        for name in (
            "RequestIdMiddleware",
            "prometheus",
            "remember_client_ip",
            "security_headers",
            "ids_in_range",
            "authentication",
        )
    }
    if variant == "no request id / access log":
        assembly.RequestIdMiddleware = _passthrough
    elif variant == "no Prometheus":
        assembly.prometheus = SimpleNamespace(middleware=_passthrough)
    elif variant == "no client address":
        assembly.remember_client_ip = _passthrough
    elif variant == "no security headers":
        assembly.security_headers = _no_headers
    elif variant == "no id-range check":
        assembly.ids_in_range = None
    elif variant == "token decoded once per user":
        assembly.authentication = _cached_authentication(authentication)
    try:
        return assembly.create_app(load_settings())
    finally:
        for name, value in saved.items():
            setattr(assembly, name, value)


def _cached_authentication(original):
    from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
    from litestar.middleware.base import DefineMiddleware

    from backend.auth.tokens import decode_access_token

    seen: dict[str, object] = {}

    class Cached(AbstractAuthenticationMiddleware):
        async def authenticate_request(self, connection):
            token = connection.headers.get("authorization", "").partition(" ")[2]
            if token not in seen:
                secret = connection.app.state.settings.secret_key
                seen[token] = decode_access_token(token, secret=secret)
            return AuthenticationResult(user=seen[token], auth=token)

    return DefineMiddleware(Cached, exclude=original.kwargs.get("exclude"))


def asgi_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    """An HTTP request's ASGI scope, as granian would hand it to the app (path may hold a query)."""
    raw_path, _, query = path.partition("?")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(app, path: str, token: str) -> int:
    scope = asgi_scope("GET", path, [(b"authorization", f"Bearer {token}".encode())])
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(args: argparse.Namespace) -> dict:
    apps = {v: build(v) for v in VARIANTS}
    users = [volunteer(c, c) for c in range(1, load.COMMUNITIES + 1, 4)]
    result: dict = {"path": args.path, "requests_per_round": args.requests, "rounds": []}
    async with apps["full app"].lifespan():
        for app in apps.values():
            if app is not apps["full app"]:
                app.state.database = apps["full app"].state.database
        tokens = await sign_in(apps["full app"], users)
        for app in apps.values():  # warm: caches, prepared statements
            for token in tokens[:50]:
                assert await call(app, args.path, token) == 200
        for _ in range(args.rounds):
            one = {}
            for variant, app in apps.items():
                started = time.process_time()
                for i in range(args.requests):
                    await call(app, args.path, tokens[i % len(tokens)])
                one[variant] = round(1000 * (time.process_time() - started) / args.requests, 3)
            result["rounds"].append(one)
    medians = {v: statistics.median(r[v] for r in result["rounds"]) for v in VARIANTS}
    full = medians["full app"]
    result["cpu_ms_per_request"] = medians
    result["layer_cost_ms"] = {v: round(full - m, 3) for v, m in medians.items() if v != "full app"}
    return result


async def sign_in(app, users: list[int]) -> list[str]:
    """Access tokens for these users, minted as the sign-in endpoint mints them."""
    from backend.auth.models import User
    from backend.auth.service import load_caller
    from backend.auth.tokens import encode_access_token

    settings = app.state.settings
    tokens = []
    async with app.state.database.reader_sessions() as session:
        for uid in users:
            caller = await load_caller(session, await session.get(User, uid))
            tokens.append(encode_access_token(caller, secret=settings.secret_key, minutes=180))
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/api/v1/orders?view=pool&sort=deadline&limit=20")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="10m")
    args = parser.parse_args()
    os.environ.update(load.ENV | {"DATABASE_URL": DB})
    result = context() | {"server": "none: the app called in-process, one request at a time"}
    result |= asyncio.run(measure(args))
    record(f"hotpath-{args.label}", result)


if __name__ == "__main__":
    main()
