"""Trend sparklines drawn server-side as inline SVG (pure: no Django). The page puts the points into a ``<polyline>``;
no script, no inline style (strict CSP): colours come from CSS classes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT, PAD = 120, 28, 3


@dataclass(frozen=True)
class Sparkline:
    points: str  # "x,y x,y …" in the viewBox 0 0 WIDTH HEIGHT
    last_x: float
    last_y: float
    first: Decimal
    last: Decimal
    low: Decimal
    high: Decimal
    start: date
    end: date
    count: int
    width: int = WIDTH
    height: int = HEIGHT


def monthly(points: Sequence[tuple[date, Decimal]], as_of: date, months: int = 24) -> list[tuple[date, Decimal]]:
    """The latest point of each of the ``months`` calendar months up to ``as_of``'s month (as_of's own point last
    when given), oldest first. Points after ``as_of`` or older than the window are left out."""
    first = (as_of.year * 12 + as_of.month - 1) - (months - 1)
    latest: dict[int, tuple[date, Decimal]] = {}
    for d, v in points:
        if v is None or d > as_of:
            continue
        m = d.year * 12 + d.month - 1
        if m >= first and (m not in latest or d > latest[m][0]):
            latest[m] = (d, Decimal(v))
    return [latest[m] for m in sorted(latest)]


def draw(series: Sequence[tuple[date, Decimal]]) -> Sparkline | None:
    """The polyline of ``series`` (dates on x by day, values on y, min at the bottom); None under two points."""
    if len(series) < 2:
        return None
    start, end = series[0][0], series[-1][0]
    span = max((end - start).days, 1)
    values = [Decimal(v) for _d, v in series]
    low, high = min(values), max(values)
    rise = high - low
    coords = []
    for d, v in zip((d for d, _v in series), values, strict=True):
        x = PAD + (WIDTH - 2 * PAD) * (d - start).days / span
        y = HEIGHT / 2 if rise == 0 else PAD + (HEIGHT - 2 * PAD) * float((high - v) / rise)
        coords.append((round(x, 1), round(y, 1)))
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y in coords),
        last_x=coords[-1][0],
        last_y=coords[-1][1],
        first=values[0],
        last=values[-1],
        low=low,
        high=high,
        start=start,
        end=end,
        count=len(series),
    )
