"""Pure calculations of family care beds (no database): the policy file, months, the plan and the compliance rate."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from chuncheng.familybeds.choices import ComplianceStatus

POLICY = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "familybeds" / "policy.json"


@cache
def policy() -> dict[str, Any]:
    """The policy data: eligible levels, default plan, adaptation subsidy cap and items (each with its source)."""
    doc = json.loads(POLICY.read_text(encoding="utf-8"))
    return {
        key: entry["value"] if isinstance(entry, dict) and "value" in entry else entry for key, entry in doc.items()
    }


def eligible_levels() -> list[str]:
    return list(policy()["eligible_levels"])


def subsidy_cap() -> Decimal:
    return Decimal(policy()["adaptation_subsidy_cap"])


def adaptation_items() -> dict[str, str]:
    return {item["code"]: item["name"] for item in policy()["adaptation_items"]}


def default_plan() -> list[dict[str, Any]]:
    return [dict(entry) for entry in policy()["default_plan"]]


def month_range(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``; ValueError when malformed."""
    year, _, mon = month.partition("-")
    if len(year) != 4 or len(mon) != 2:
        raise ValueError(month)
    first = date(int(year), int(mon), 1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def plan_total(plan: list[dict[str, Any]], kinds: set[str]) -> int | None:
    """Visits per month of a plan, or None when an entry has an unknown kind or a count outside 1–31."""
    total = 0
    for entry in plan:
        count = entry.get("visits_per_month")
        if entry.get("kind") not in kinds or not isinstance(count, int) or not 1 <= count <= 31:
            return None
        total += count
    return total if plan else None


def compliance(planned: int, verified: int) -> tuple[Decimal, str]:
    """Rate (verified / planned, two decimals) and status: compliant when the verified visits reach the plan."""
    rate = (Decimal(verified) / Decimal(planned)).quantize(Decimal("0.01"), ROUND_HALF_UP) if planned else Decimal(1)
    return rate, ComplianceStatus.COMPLIANT if verified >= planned else ComplianceStatus.SHORT
