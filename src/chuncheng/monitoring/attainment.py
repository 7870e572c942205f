"""Attainment of a target (pure: no Django imports). The rule, documented in docs/monitoring.md:

1. No current value → ``no_value``.
2. The current value meets the target → ``attained``.
3. The date is after the target set's target date (e.g. 2025-12-31) → ``off_track`` (compared directly, no
   projection).
4. Otherwise project linearly to the target date: a least-squares line through the snapshots of the last
   ``rule.window_days`` days (the current value included); with fewer than two distinct dates the projection is the
   current value (flat). Projection meets the target → ``on_track``.
5. Projection misses it by at most ``rule.risk_margin`` of the target (relative; an absolute margin of
   ``rule.zero_target_margin`` units when the target is 0) → ``at_risk``; else ``off_track``.

The numbers of the rule (margin, window) are policy data, ``policies/kunming/monitoring/attainment.json``, versioned
by effective date: ``rule_on(day)`` reads the version in force, and the functions here take it as an argument.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

POLICY = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "monitoring" / "attainment.json"

ATTAINED, ON_TRACK, AT_RISK, OFF_TRACK, NO_VALUE = "attained", "on_track", "at_risk", "off_track", "no_value"


@dataclass(frozen=True)
class AttainmentRule:
    """The numbers of the attainment rule in force from ``effective_from`` (one version of the policy file)."""

    version: str
    effective_from: date
    risk_margin: Decimal  # relative shortfall of the projection still "at risk" (0.10 = 10 % of the target)
    zero_target_margin: Decimal  # absolute shortfall still "at risk" when the target is 0
    window_days: int  # snapshots this many days back enter the projection


def _value(entry):
    return entry["value"] if isinstance(entry, dict) else entry


def load_rules(path: Path = POLICY) -> tuple[AttainmentRule, ...]:
    """Every version of the rule file, oldest first. ValueError when a number is missing or out of range."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    rules = []
    for v in doc["versions"]:
        rule = AttainmentRule(
            version=str(v["version"]),
            effective_from=date.fromisoformat(v["effective_from"]),
            risk_margin=Decimal(str(_value(v["risk_margin"]))),
            zero_target_margin=Decimal(str(_value(v["zero_target_margin"]))),
            window_days=int(_value(v["window_days"])),
        )
        if not (0 <= rule.risk_margin < 1 and rule.zero_target_margin >= 0 and rule.window_days > 0):
            raise ValueError(f"attainment rule {rule.version}: margin in [0, 1), zero margin ≥ 0, window > 0")
        rules.append(rule)
    if not rules:
        raise ValueError("the attainment rule file has no version")
    return tuple(sorted(rules, key=lambda r: r.effective_from))


@cache
def _rules() -> tuple[AttainmentRule, ...]:
    return load_rules()


def rule_on(day: date, rules: Sequence[AttainmentRule] | None = None) -> AttainmentRule:
    """The version in force on ``day``: the latest effective on or before it (the earliest before the first)."""
    rules = _rules() if rules is None else rules
    in_force = [r for r in rules if r.effective_from <= day]
    return in_force[-1] if in_force else rules[0]


def meets(value: Decimal, target: Decimal, comparison: str) -> bool:
    return {
        "gte": value >= target,
        "gt": value > target,
        "lte": value <= target,
        "lt": value < target,
    }[comparison]


def project(
    points: Sequence[tuple[date, Decimal]], as_of: date, value: Decimal, deadline: date, window_days: int
) -> Decimal:
    """The value on ``deadline`` of the least-squares line through ``points`` within ``window_days`` before
    ``as_of`` plus (as_of, value)."""
    window = {d: Decimal(v) for d, v in points if 0 <= (as_of - d).days <= window_days and d != as_of}
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
    *,
    rule: AttainmentRule,
) -> tuple[str, Decimal | None]:
    """(status, projected value on the deadline or None) for one indicator, area and target under ``rule``."""
    if value is None:
        return NO_VALUE, None
    value, target = Decimal(value), Decimal(target)
    if meets(value, target, comparison):
        return ATTAINED, None
    if as_of > deadline:
        return OFF_TRACK, None
    projected = project(history, as_of, value, deadline, rule.window_days)
    if meets(projected, target, comparison):
        return ON_TRACK, projected
    margin = abs(target) * rule.risk_margin if target else rule.zero_target_margin
    shortfall = target - projected if comparison in ("gte", "gt") else projected - target
    return (AT_RISK if shortfall <= margin else OFF_TRACK), projected
