"""GB/T 42195-2022 scoring as a pure function of the answers (no Django): sub-scores, total, levels, C.4 adjustments.

The standard is data (``policies/standards/gb-t-42195-2022.json``): items with their options and points, dimension
maxima, level bands, the adjustment rules and the reassessment policy. ``score`` reads only that definition.

Answers are keyed by indicator: each of the 26 items (``"B.1.1"`` …) gives the points of the chosen option, and the
adjustment inputs give ``coma`` (bool), ``diagnosis_dementia`` (bool, F00–F03), ``diagnosis_psychiatric`` (bool,
F04–F99) and ``risk_events_30d`` (a count of care-risk events in the last 30 days).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

STANDARD_FILE = Path(__file__).resolve().parent.parent / "policies" / "standards" / "gb-t-42195-2022.json"


class ScoringError(ValueError):
    """Answers the standard cannot score. ``code`` is stable (``answer_missing``, ``option_unknown`` …)."""

    def __init__(self, code: str, message: str, keys: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.keys = keys or []

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "keys": self.keys}


@dataclass(frozen=True)
class Standard:
    """The parsed definition of the standard (see the JSON file for the source of every number)."""

    raw: dict[str, Any]

    @property
    def items(self) -> list[dict[str, Any]]:
        return self.raw["items"]

    @property
    def item_codes(self) -> list[str]:
        return [item["code"] for item in self.items]

    @property
    def dimensions(self) -> list[dict[str, Any]]:
        return self.raw["dimensions"]

    @property
    def levels(self) -> list[dict[str, Any]]:
        return sorted(self.raw["levels"], key=lambda level: level["index"])

    @property
    def adjustment_inputs(self) -> list[dict[str, Any]]:
        return self.raw["adjustment_inputs"]

    @property
    def max_total(self) -> int:
        return int(self.raw["max_total"])

    @property
    def reassessment_months(self) -> int:
        return int(self.raw["policy"]["reassessment_months"])

    @property
    def assessors_required(self) -> int:
        return int(self.raw["policy"]["assessors_required"])

    def item(self, code: str) -> dict[str, Any]:
        return next(item for item in self.items if item["code"] == code)

    def level_name(self, code: str) -> str:
        return next(level["name"] for level in self.levels if level["code"] == code)

    def option_text(self, code: str, points: int) -> str:
        return next((o["text"] for o in self.item(code)["options"] if o["points"] == points), "")


@cache
def load_standard(path: str | None = None) -> Standard:
    """The standard's definition, read once per process."""
    with open(path or STANDARD_FILE, encoding="utf-8") as fh:
        return Standard(json.load(fh))


@dataclass(frozen=True)
class ScoreResult:
    """The platform's computation for one set of answers: never typed in by anyone."""

    dimension_scores: dict[str, int]
    total: int
    preliminary_level: str
    adjustments: list[str] = field(default_factory=list)
    final_level: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension_scores": self.dimension_scores,
            "total": self.total,
            "preliminary_level": self.preliminary_level,
            "adjustments": self.adjustments,
            "final_level": self.final_level,
        }


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(answers: dict[str, Any], standard: Standard | None = None, *, partial: bool = False) -> dict[str, Any]:
    """Check answers against the standard; return them normalised. ``partial`` allows missing keys (a draft)."""
    standard = standard or load_standard()
    if not isinstance(answers, dict):
        raise ScoringError("answers_not_object", "评估答案须为以指标编码为键的对象")
    known = set(standard.item_codes) | {i["key"] for i in standard.adjustment_inputs}
    unknown = sorted(k for k in answers if k not in known)
    if unknown:
        raise ScoringError("indicator_unknown", f"标准中没有这些指标：{', '.join(unknown)}", unknown)
    if not partial:
        missing = [
            k for k in [*standard.item_codes, *(i["key"] for i in standard.adjustment_inputs)] if k not in answers
        ]
        if missing:
            raise ScoringError("answer_missing", f"缺少指标的答案：{', '.join(missing)}", missing)
    clean: dict[str, Any] = {}
    bad: list[str] = []
    for item in standard.items:
        code = item["code"]
        if code not in answers or answers[code] is None:
            continue
        value = answers[code]
        if not _is_int(value) or value not in {o["points"] for o in item["options"]}:
            bad.append(code)
        else:
            clean[code] = value
    if bad:
        raise ScoringError("option_unknown", f"这些指标的选项不存在：{', '.join(bad)}", bad)
    for spec in standard.adjustment_inputs:
        key = spec["key"]
        if key not in answers or answers[key] is None:
            continue
        value = answers[key]
        ok = isinstance(value, bool) if spec["kind"] == "bool" else (_is_int(value) and value >= 0)
        if ok:
            clean[key] = value
        else:
            bad.append(key)
    if bad:
        raise ScoringError("option_unknown", f"这些指标的选项不存在：{', '.join(bad)}", bad)
    if clean.get("coma") and clean.get("B.3.9", 0) != 0:
        raise ScoringError("coma_inconsistent", "处于昏迷状态时，意识水平（B.3.9）只能为 0 分", ["coma", "B.3.9"])
    return clean


def level_for_total(total: int, standard: Standard | None = None) -> dict[str, Any]:
    standard = standard or load_standard()
    return next(level for level in standard.levels if level["min"] <= total <= level["max"])


def _applies(rule: dict[str, Any], answers: dict[str, Any]) -> bool:
    if "when" in rule:
        return all(answers.get(k) == v for k, v in rule["when"].items())
    if "when_any" in rule:
        return any(bool(answers.get(k)) for k in rule["when_any"])
    if "when_at_least" in rule:
        return all(int(answers.get(k) or 0) >= v for k, v in rule["when_at_least"].items())
    return False


def score(answers: dict[str, Any], standard: Standard | None = None) -> ScoreResult:
    """Score a complete set of answers: per-dimension sub-scores, total, preliminary level (C.3), the C.4
    adjustments that apply (``set`` rules win; ``raise`` rules add up), and the final level (C.5), capped at the top."""
    standard = standard or load_standard()
    clean = validate(answers, standard)
    sub = {d["code"]: 0 for d in standard.dimensions}
    for item in standard.items:
        sub[item["dimension"]] += clean[item["code"]]
    total = sum(sub.values())
    levels = standard.levels
    preliminary = level_for_total(total, standard)
    index = preliminary["index"]
    applied: list[str] = []
    rules = [r for r in standard.raw["adjustments"] if _applies(r, clean)]
    setter = next((r for r in rules if r["effect"] == "set"), None)
    if setter is not None:
        applied.append(setter["code"])
        index = next(level["index"] for level in levels if level["code"] == setter["level"])
    else:
        for rule in rules:
            applied.append(rule["code"])
            index += int(rule["steps"])
    index = min(index, levels[-1]["index"])
    final = next(level for level in levels if level["index"] == index)
    return ScoreResult(sub, total, preliminary["code"], applied, final["code"])


def level_index(code: str, standard: Standard | None = None) -> int:
    standard = standard or load_standard()
    return next(level["index"] for level in standard.levels if level["code"] == code)
