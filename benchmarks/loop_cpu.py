"""What a write of the order loop costs the app alone: CPU per request, in-process, one at a time.

The server-side figure of `order_loop.py` (CPU of the granian worker per request) moves with the
machine's load, because 16 loops in flight compete with PostgreSQL and everyone else for two
cores. Here the app (create_app, the real one, as `hotpath.py` builds it) is called as an ASGI
callable, one request after the other, for `--loops` full loops (create, dispatch, accept,
start, complete, rate, each answer checked) on the perf database, and the process's CPU time
per request is recorded: the app's own work per write, with the background delivery each
commit starts included, without a network client or a second request in the way.

`--baseline DIR` runs the same in another checkout (a worktree of main with its own
`uv sync --group bench`) in a process of its own, alternating with this one round by round.

    uv run --group bench python benchmarks/loop_cpu.py --baseline /tmp/base --rounds 3

Results: benchmarks/results/loop-cpu-<label>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import hotpath
import load
import order_loop
from load import COMMUNITIES, DB, context, record, resident, volunteer, worker


async def _post(app, path: str, token: str, body: dict) -> dict:
    raw = json.dumps(body).encode()
    headers = [(b"authorization", f"Bearer {token}".encode())]
    headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(raw))]
    scope = hotpath.asgi_scope("POST", path, headers)
    answer: dict = {"body": b""}

    async def receive():
        return {"type": "http.request", "body": raw, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    if answer["status"] not in (200, 201):
        raise RuntimeError(f"{path}: {answer['status']} {answer['body'][:200]!r}")
    return json.loads(answer["body"])


async def _cast(app) -> list[tuple]:
    communities = list(range(1, COMMUNITIES + 1, 4))
    category = await order_loop.volunteer_category_of(communities)
    people = [(c, resident(c, 7), worker(c), volunteer(c, 20)) for c in communities]
    tokens = await hotpath.sign_in(app, [u for _, *trio in people for u in trio])
    return [
        (c, category[c], *tokens[3 * i : 3 * i + 3], v) for i, (c, _, _, v) in enumerate(people)
    ]


async def _loop(app, who: tuple) -> None:
    community, category, res, wkr, vol, vol_id = who
    body = {"community_id": community, "category_id": category, "description": "压测：取快递"}
    order = await _post(app, "/api/v1/orders", res, body)
    base = f"/api/v1/orders/{order['id']}"
    await _post(app, f"{base}/dispatch", wkr, {"mode": "assign", "assignee_user_id": vol_id})
    await _post(app, f"{base}/accept", vol, {})
    await _post(app, f"{base}/start", vol, {})
    await _post(app, f"{base}/complete", vol, {"note": "已送到", "hours": 0.5})
    rating = {"stars": 5, "timeliness": 5, "attitude": 5, "quality": 5}
    if (await _post(app, f"{base}/rate", res, rating))["status"] != "closed":
        raise RuntimeError("the loop did not close the order")


async def one(loops: int) -> dict:
    """This checkout's app: `loops` loops after 20 untimed ones."""
    app = hotpath.build("full app")
    async with app.lifespan():
        cast = await _cast(app)
        for i in range(20):  # warm: caches, prepared statements
            await _loop(app, cast[i % len(cast)])
        await asyncio.sleep(0.5)  # the warm-up's background delivery
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(loops):
            await _loop(app, cast[i % len(cast)])
        await asyncio.sleep(0.5)  # counted: delivery runs after each commit
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall - 0.5
    writes = 6 * loops
    return {
        "cpu_ms_per_write": round(1000 * cpu / writes, 2),
        "wall_ms_per_write": round(1000 * wall / writes, 2),
    }


def run_in(tree: Path, arguments: list[str], script: str = __file__) -> dict:
    """One round of `script --one` in a checkout's own interpreter (its backend, its
    dependencies); the last line it prints is its JSON."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    command = ["uv", "run", "--group", "bench", "python", str(Path(script).resolve())]
    out = subprocess.run(  # noqa: S603 — our own command
        [*command, "--one", *arguments],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def rounds_in_process(
    script: str, doc: str, count: str, default: int, one: Callable[[int], Awaitable[dict]]
) -> tuple[argparse.Namespace, dict[str, Path], dict] | None:
    """The command line the in-process CPU benchmarks share (this one and list_cpu.py):
    `--<count> N --rounds R --label L --baseline DIR`. Under `--one` (how `run_in` runs a round
    in a checkout) prints `one(N)` and returns None; otherwise runs the rounds, this checkout and
    the baseline taking turns, and returns the arguments, the checkouts and the result so far."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(f"--{count}", type=int, default=default)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="10m")
    parser.add_argument("--baseline", help="another checkout to measure alongside")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.update(load.ENV | {"DATABASE_URL": DB})
    n = getattr(args, count)
    if args.one:
        print(json.dumps(asyncio.run(one(n))))
        return None
    trees = {"linli": load.ROOT} | ({"baseline": Path(args.baseline)} if args.baseline else {})
    result = context() | {"server": "none: the app called in-process, one request at a time"}
    result |= {f"{count}_per_round": n, "rounds": []}
    for _ in range(args.rounds):
        one_round = {
            name: run_in(tree, [f"--{count}", str(n)], script) for name, tree in trees.items()
        }
        print(json.dumps(one_round), file=sys.stderr)
        result["rounds"].append(one_round)
    return args, trees, result


def main() -> None:
    ran = rounds_in_process(__file__, __doc__, "loops", 150, one)
    if ran is None:
        return
    args, trees, result = ran
    result["cpu_ms_per_write"] = {
        name: statistics.median(r[name]["cpu_ms_per_write"] for r in result["rounds"])
        for name in trees
    }
    record(f"loop-cpu-{args.label}", result)


if __name__ == "__main__":
    main()
