"""Attainment of a target (pure: no Django imports). The rule, documented in docs/monitoring.md:

1. No current value → ``no_value``.
2. The current value meets the target → ``attained``.
3. The date is after the target set's target date (e.g. 2025-12-31) → ``off_track`` (compared directly, no
   projection).
4. Otherwise project linearly to the target date: a least-squares line through the snapshots of the last
   ``WINDOW_DAYS`` days (the current value included); with fewer than two distinct dates the projection is the
   current value (flat). Projection meets the target → ``on_track``.
5. Projection misses it by at most ``RISK_MARGIN`` of the target (relative; an absolute margin of 1 unit when the
   target is 0) → ``at_risk``; else ``off_track``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

WINDOW_DAYS = 365
RISK_MARGIN = Decimal("0.10")

ATTAINED, ON_TRACK, AT_RISK, OFF_TRACK, NO_VALUE = "attained", "on_track", "at_risk", "off_track", "no_value"


def meets(value: Decimal, target: Decimal, comparison: str) -> bool:
    return {
        "gte": value >= target,
        "gt": value > target,
        "lte": value <= target,
        "lt": value < target,
    }[comparison]


def project(points: Sequence[tuple[date, Decimal]], as_of: date, value: Decimal, deadline: date) -> Decimal:
    """The value on ``deadline`` of the least-squares line through ``points`` within the window before ``as_of``
    plus (as_of, value)."""
    window = {d: Decimal(v) for d, v in points if 0 <= (as_of - d).days <= WINDOW_DAYS and d != as_of}
    window[as_of] = Decimal(value)
    if len(window) < 2:
        return Decimal(value)
    xs = [Decimal((d - as_of).days) for d in window]
    ys = list(window.values())
    n = Decimal(len(xs))
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    return intercept + slope * Decimal((deadline - as_of).days)


def attainment(
    value: Decimal | None,
    target: Decimal,
    comparison: str,
    as_of: date,
    deadline: date,
    history: Sequence[tuple[date, Decimal]] = (),
) -> tuple[str, Decimal | None]:
    """(status, projected value on the deadline or None) for one indicator, area and target."""
    if value is None:
        return NO_VALUE, None
    value, target = Decimal(value), Decimal(target)
    if meets(value, target, comparison):
        return ATTAINED, None
    if as_of > deadline:
        return OFF_TRACK, None
    projected = project(history, as_of, value, deadline)
    if meets(projected, target, comparison):
        return ON_TRACK, projected
    margin = abs(target) * RISK_MARGIN if target else Decimal(1)
    shortfall = target - projected if comparison in ("gte", "gt") else projected - target
    return (AT_RISK if shortfall <= margin else OFF_TRACK), projected
