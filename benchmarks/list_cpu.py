"""What a list costs the app alone: CPU per list request, in-process, one request at a time.

The read-side twin of `loop_cpu.py`: the app (create_app, the real one, as `hotpath.py` builds
it) is called as an ASGI callable, `--requests` times in a row per list — the order hall, the
dispatch board, my orders, each by the users of 50 communities in turn — on the perf database,
and the process's CPU time per request is recorded: the app's own work per read, without a
server, a network client or a second request in the way. `--baseline DIR` runs the same in
another checkout (a worktree of main with its own `uv sync --group bench`) in a process of its
own, alternating with this one round by round.

    uv run --group bench python benchmarks/list_cpu.py --baseline /tmp/base --rounds 3

Results: benchmarks/results/list-cpu-<label>.json.
"""

from __future__ import annotations

import statistics
import time

import hotpath
import loop_cpu
from load import COMMUNITIES, record, resident, volunteer, worker

LISTS = {
    "order hall": (volunteer, "view=pool&sort=deadline"),
    "dispatch board": (worker, "view=community&status=submitted&sort=deadline"),
    "my orders": (resident, "view=mine"),
}


async def one(requests: int) -> dict:
    """This checkout's app: `requests` of each list after 100 untimed ones."""
    app = hotpath.build("full app")
    found = {}
    async with app.lifespan():
        for name, (role, query) in LISTS.items():
            users = [role(c, c) for c in range(1, COMMUNITIES + 1, 4)]
            tokens = await hotpath.sign_in(app, users)
            path = f"/api/v1/orders?{query}&limit=20"
            for i in range(100):  # warm: caches, prepared statements
                await hotpath.call(app, path, tokens[i % len(tokens)])
            cpu, wall = time.process_time(), time.perf_counter()
            for i in range(requests):
                status = await hotpath.call(app, path, tokens[i % len(tokens)])
                if status != 200:
                    raise SystemExit(f"{name}: {status}")
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            found[name] = {
                "cpu_ms_per_request": round(1000 * cpu / requests, 3),
                "wall_ms_per_request": round(1000 * wall / requests, 3),
            }
    return found


def main() -> None:
    ran = loop_cpu.rounds_in_process(__file__, __doc__, "requests", 1000, one)
    if ran is None:
        return
    args, trees, result = ran
    result["cpu_ms_per_request"] = {
        name: {
            lst: statistics.median(r[name][lst]["cpu_ms_per_request"] for r in result["rounds"])
            for lst in LISTS
        }
        for name in trees
    }
    record(f"list-cpu-{args.label}", result)


if __name__ == "__main__":
    main()
