"""Answer sets for tests: the best answers, and answers that add up to a given total."""

from __future__ import annotations

from typing import Any

from chuncheng.assessment.scoring import load_standard


def best_answers() -> dict[str, Any]:
    standard = load_standard()
    answers: dict[str, Any] = {item["code"]: max(o["points"] for o in item["options"]) for item in standard.items}
    answers.update(coma=False, diagnosis_dementia=False, diagnosis_psychiatric=False, risk_events_30d=0)
    return answers


def answers_totalling(total: int, **extra: Any) -> dict[str, Any]:
    """Take points off items from the last one backwards until the sum is ``total`` (every step an existing option).
    B.3.9 (consciousness) is taken off last, so a low total without coma stays consistent."""
    standard = load_standard()
    answers = best_answers()
    excess = standard.max_total - total
    codes = [c for c in reversed(standard.item_codes) if c != "B.3.9"] + ["B.3.9"]
    for code in codes:
        if excess <= 0:
            break
        cut = min(answers[code], excess)
        answers[code] -= cut
        excess -= cut
    answers.update(extra)
    return answers
