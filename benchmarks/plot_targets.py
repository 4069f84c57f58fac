"""Plots of issue 10's targets from the results already recorded in benchmarks/results/.

Measures nothing: it reads the JSON files that load.py and order_loop.py wrote and draws
  feed-ratio.png  the pool feed's req/s as a ratio to the reference endpoint, per round
                  (the four in FEED_FILES), against the 0.5× target;
  order-loop.png  the order loop's maximum loops/s per round (order-loop-10m*.json, log axis)
                  against 300 loops/s, and its p99 paced at 75 % of that maximum against 50 ms;
  reads-p99.png   p99 of the hall, board and my-orders lists at 25 % and 50 % of saturation
                  (round four's reads-10m-r4*.json and reads-10m-quiet.json) against 20 ms.
Bars are the medians each file records (dots: its single rounds, where it keeps them); every
value is printed with the file and key it came from.

    uv run --group bench python benchmarks/plot_targets.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path(__file__).parent / "results"
FEED_FILES = ["feed-10m.json", "feed-10m-quiet.json", "feed-10m-r3.json", "feed-10m-r4.json"]
READS_FILES = [
    "reads-10m-quiet.json",
    "reads-10m-r4.json",
    "reads-10m-r4-workers.json",
    "reads-10m-r4-c4.json",
]
READ_LISTS = {"pool feed (hall)": "hall", "dispatch board": "board", "my orders": "my orders"}


def load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def say(png: str, name: str, key: str, value, rounds=()) -> None:
    """Print where a drawn value came from (floats to 6 significant digits)."""
    extra = f"  (rounds {', '.join(f'{r:g}' for r in rounds)})" if rounds else ""
    shown = f"{value:g}" if isinstance(value, float) else value
    print(f"{png}: {name} {key} = {shown}{extra}")


def workers(data: dict) -> tuple[int, int]:
    """(this side's, the baseline's) granian workers, from the `server` line each file records.

    `--baseline` with BENCH_BASE_WORKERS records "N worker(s), the baseline M"; without it both
    sides ran with N.
    """
    own = int(re.search(r"(\d+) worker", data["server"]).group(1))
    base = re.search(r"the baseline (\d+)", data["server"])
    return own, int(base.group(1)) if base else own


def label(name: str, data: dict, n_workers: int) -> str:
    """The file name without its measurement (feed-, order-loop-), when it ran, the workers."""
    return f"{name[name.index('10m') :]}\n{data['at'][11:16]} UTC, {n_workers} w"


def finish(fig, png: str) -> None:
    fig.tight_layout()
    fig.savefig(RESULTS / png, dpi=100)
    plt.close(fig)
    print(f"wrote {RESULTS / png}")


def feed_ratio() -> None:
    png = "feed-ratio.png"
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, name in enumerate(FEED_FILES):
        data = load(name)
        side = data["linli"]
        rounds = [r["linli"]["ratio"] for r in data["rounds"]]
        say(png, name, "linli.median_ratio", side["median_ratio"], rounds)
        say(
            png,
            name,
            "linli.median_linli_rps / median_reference_rps",
            f"{side['median_linli_rps']} / {side['median_reference_rps']}",
        )
        ax.bar(i, side["median_ratio"], color="tab:blue")
        ax.plot([i] * len(rounds), rounds, "k.", markersize=4)
        ax.annotate(
            f"{side['median_ratio']:.2f}\n{side['median_linli_rps']:.0f} / "
            f"{side['median_reference_rps']:.0f} req/s",
            (i, 0.03),
            ha="center",
            va="bottom",
            fontsize=8,
            color="white",
        )
    ax.axhline(0.5, color="tab:red", linestyle="--", label="target 0.5×")
    ax.set_xticks(
        range(len(FEED_FILES)),
        [label(n, load(n), workers(load(n))[0]) for n in FEED_FILES],
        fontsize=8,
    )
    ax.set_ylabel("Linli req/s ÷ reference req/s")
    ax.set_ylim(0, 1.35)
    ax.set_title("Pool feed vs the reference endpoint, 10M orders (median; dots: rounds)")
    ax.legend(loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    finish(fig, png)


def order_loop_bars() -> list[tuple[str, str, dict, int]]:
    """(file, side, the file's data, workers) per bar in time order; a file whose baseline is this
    code with another worker count (BENCH_BASE_WORKERS) gives that side a bar of its own."""
    bars = []
    for path in sorted(RESULTS.glob("order-loop-10m*.json")):
        data = json.loads(path.read_text())
        own, base = workers(data)
        bars.append((path.name, "linli", data, own))
        if "baseline" in data and base != own:
            bars.append((path.name, "baseline", data, base))
    return sorted(bars, key=lambda b: (b[2]["at"], b[3]))


def order_loop() -> None:
    png = "order-loop.png"
    bars = order_loop_bars()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    for i, (name, side, data, _) in enumerate(bars):
        rec = data[side]
        runs = rec["runs"]
        max_rounds = [r["loops_per_s"] for r in runs["max"]]
        p99_rounds = [r["p99_ms"] for r in runs["paced"]]
        say(png, name, f"{side}.max.loops_per_s", rec["max"]["loops_per_s"], max_rounds)
        say(png, name, f"{side}.paced.p99_ms", rec["paced"]["p99_ms"], p99_rounds)
        top.bar(i, rec["max"]["loops_per_s"], color="tab:blue")
        top.plot([i] * len(max_rounds), max_rounds, "k.", markersize=4)
        top.annotate(
            f"{rec['max']['loops_per_s']:.1f}", (i, 1.1), ha="center", fontsize=8, color="white"
        )
        bottom.bar(i, rec["paced"]["p99_ms"], color="tab:orange")
        bottom.plot([i] * len(p99_rounds), p99_rounds, "k.", markersize=4)
        bottom.annotate(
            f"{rec['paced']['p99_ms']:.0f}", (i, 11), ha="center", fontsize=8, color="white"
        )
    top.axhline(300, color="tab:red", linestyle="--", label="target 300 loops/s")
    top.set_yscale("log")
    top.set_ylim(1, 600)
    top.set_ylabel("loops/s at the maximum")
    top.set_title("Order loop at 10M orders (create … rate; median; dots: rounds)")
    bottom.axhline(50, color="tab:red", linestyle="--", label="target p99 < 50 ms")
    bottom.set_yscale("log")
    bottom.set_ylim(10, 20000)
    bottom.set_ylabel("p99 ms, paced at 75 % of max")
    bottom.set_xticks(range(len(bars)), [label(b[0], b[2], b[3]) for b in bars], fontsize=7)
    for ax in (top, bottom):
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    finish(fig, png)


def reads_p99() -> None:
    """One bar per run and list; round four's worker file measured this code with 1 and with
    2 workers (its `baseline` side is the one-worker server), so both sides are drawn."""
    png = "reads-p99.png"
    series = []
    for name in READS_FILES:
        data = load(name)
        own, base = workers(data)
        if "baseline" in data and isinstance(data["baseline"], str) and base != own:
            series.append((name, "baseline", data, base))
        series.append((name, "linli", data, own))
    fig, panels = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    width = 0.8 / len(series)
    for ax, share in zip(panels, ("0.25", "0.5"), strict=True):
        for j, (name, side, data, n) in enumerate(series):
            values = []
            for endpoint in READ_LISTS:
                paced = data["endpoints"][endpoint][side]["paced"][share]
                say(
                    png,
                    name,
                    f"endpoints[{endpoint}].{side}.paced[{share}].p99_ms",
                    paced["p99_ms"],
                )
                values.append(paced["p99_ms"])
            xs = [k + (j - (len(series) - 1) / 2) * width for k in range(len(READ_LISTS))]
            stem = name.removesuffix(".json").removeprefix("reads-10m-")
            ax.bar(xs, values, width, label=f"{stem}, {n} w, {data['connections']} conn")
        ax.axhline(20, color="tab:red", linestyle="--", label="target 20 ms")
        ax.set_yscale("log")
        ax.set_xticks(range(len(READ_LISTS)), list(READ_LISTS.values()))
        ax.set_title(f"at {float(share):.0%} of saturation")
        ax.grid(axis="y", alpha=0.3)
    panels[0].set_ylabel("p99 ms (fixed-rate open loop)")
    panels[1].legend(fontsize=7, loc="upper right")
    fig.suptitle("Lists at 10M orders: p99 below saturation (c4: the box was busy)")
    finish(fig, png)


if __name__ == "__main__":
    feed_ratio()
    order_loop()
    reads_p99()
