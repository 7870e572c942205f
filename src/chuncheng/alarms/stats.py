"""Response-time figures: pure functions, no Django (tested without a database)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks (numpy's default); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(seconds: Sequence[float]) -> dict[str, float | None]:
    """Median and p90 in seconds (rounded to 0.1 s), with the count they are over."""
    med, p90 = percentile(seconds, 50), percentile(seconds, 90)
    return {
        "count": len(seconds),
        "median": None if med is None else round(med, 1),
        "p90": None if p90 is None else round(p90, 1),
    }
