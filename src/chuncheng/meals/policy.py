"""The meal policy pack (``policies/kunming/meals/subsidies.json``): versioned parameters, each with its source.

Read from the file (no table): the version in force on a day is the one whose dates cover it. Amounts are strings
(exact decimals)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

PACK = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "meals" / "subsidies.json"


class PolicyError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class MealPolicy:
    label: str
    effective_from: date
    effective_to: date | None
    parameters: dict[str, Any]

    def value(self, name: str) -> Any:
        return self.parameters[name]["value"]

    @property
    def subsidy_table(self) -> dict[str, dict[str, Decimal]]:
        return {g: {s: Decimal(v) for s, v in slots.items()} for g, slots in self.value("subsidy").items()}


def check_pack(data: dict[str, Any]) -> list[MealPolicy]:
    """Every parameter has a value and a source; versions do not overlap."""
    versions = []
    for v in data["versions"]:
        for name, param in v["parameters"].items():
            if not isinstance(param, dict) or "value" not in param or not param.get("source"):
                raise PolicyError("input_invalid", f"助餐政策 {v['label']} 的参数 {name} 缺少取值或来源")
        versions.append(
            MealPolicy(
                v["label"],
                date.fromisoformat(v["effective_from"]),
                date.fromisoformat(v["effective_to"]) if v.get("effective_to") else None,
                v["parameters"],
            )
        )
    versions.sort(key=lambda p: p.effective_from)
    for a, b in itertools.pairwise(versions):
        if a.effective_to is None or a.effective_to >= b.effective_from:
            raise PolicyError("policy_version_overlap", f"助餐政策版本 {a.label} 与 {b.label} 有效期重叠")
    return versions


@cache
def versions() -> tuple[MealPolicy, ...]:
    return tuple(check_pack(json.loads(PACK.read_text(encoding="utf-8"))))


def in_force(on: date) -> MealPolicy:
    for policy in versions():
        if policy.effective_from <= on and (policy.effective_to is None or on <= policy.effective_to):
            return policy
    raise PolicyError("policy_not_in_force", f"{on.isoformat()} 没有生效的助餐政策版本")
