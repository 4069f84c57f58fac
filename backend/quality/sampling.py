"""Choosing whom to phone: a stratified random sample of a month's completed orders.

Strata are the takers (each provider organisation, each volunteer), so one busy taker cannot
crowd the others out. Seats go to strata in proportion to their size (largest remainder), with
at least one seat per stratum while seats last. Within a stratum, orders of residents aged 60+
come first, in random order, then the others. Orders already in any callback list are never
drawn again.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

ELDER_AGE = 60


@dataclass(frozen=True)
class Candidate:
    order_id: int
    stratum: str
    elder: bool


def allocate(sizes: dict[str, int], seats: int) -> dict[str, int]:
    """Seats per stratum: one each while seats last, the rest by largest remainder."""
    total = sum(sizes.values())
    if seats >= total:
        return dict(sizes)
    keys = sorted(sizes, key=lambda k: (-sizes[k], k))
    if seats <= len(keys):
        return {k: (1 if i < seats else 0) for i, k in enumerate(keys)}
    given = {k: 1 for k in keys}
    rest, remaining = seats - len(keys), {k: sizes[k] - 1 for k in keys}
    pool = sum(remaining.values())
    shares = {k: rest * remaining[k] / pool for k in keys}
    for k in keys:
        given[k] += int(shares[k])
    left = seats - sum(given.values())
    for k in sorted(keys, key=lambda k: (-(shares[k] - int(shares[k])), k))[:left]:
        given[k] += 1
    return given


def draw(candidates: list[Candidate], seats: int, rng: random.Random) -> list[Candidate]:
    by_stratum: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_stratum[candidate.stratum].append(candidate)
    seats_for = allocate({k: len(v) for k, v in by_stratum.items()}, seats)
    chosen: list[Candidate] = []
    for stratum in sorted(by_stratum):
        members = by_stratum[stratum]
        rng.shuffle(members)
        members.sort(key=lambda c: not c.elder)  # stable: elders first, each group shuffled
        chosen += members[: seats_for[stratum]]
    rng.shuffle(chosen)
    return chosen
