"""The pure calculations: subsidy group and amount, the usual count and the spike rule at and around thresholds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chuncheng.meals import policy, rules

ORDER = ["tekun", "dibao", "dibao_edge", "age_80_plus", "general"]


def test_group_priority_and_the_80th_birthday():
    born = date(1945, 3, 10)
    assert rules.subsidy_group({"tekun": True, "dibao": True}, born, date(2025, 3, 10), ORDER) == "tekun"
    assert rules.subsidy_group({"dibao_edge": True}, born, date(2025, 3, 10), ORDER) == "dibao_edge"
    assert rules.subsidy_group({}, born, date(2025, 3, 9), ORDER) == "general"  # 79 the day before
    assert rules.subsidy_group({}, born, date(2025, 3, 10), ORDER) == "age_80_plus"  # 80 on the day


def test_subsidy_is_capped_by_the_price():
    table = policy.in_force(date(2025, 3, 1)).subsidy_table
    assert rules.meal_subsidy(table, "tekun", "lunch", Decimal("10")) == Decimal("8")
    assert rules.meal_subsidy(table, "tekun", "lunch", Decimal("5")) == Decimal("5")
    assert rules.meal_subsidy(table, "general", "breakfast", Decimal("5")) == Decimal("0")


def test_usual_count_is_the_median_with_empty_days_as_zero():
    usual, history = rules.usual_count([10] * 20, 28)
    assert (usual, history) == (Decimal("10"), 20)
    usual, history = rules.usual_count([10] * 13, 28)  # 15 empty days of 28: the median is 0
    assert (usual, history) == (Decimal("0"), 13)


@pytest.mark.parametrize(
    ("meals", "usual", "history", "spike"),
    [
        (30, Decimal("10"), 28, False),  # exactly 3 × usual: not above
        (31, Decimal("10"), 28, True),
        (19, Decimal("1"), 28, False),  # below the minimum count
        (20, Decimal("1"), 28, True),
        (40, Decimal("5"), 6, False),  # too little history
        (40, Decimal("5"), 7, True),
    ],
)
def test_spike_thresholds(meals, usual, history, spike):
    assert rules.is_spike(meals, usual, history, factor=Decimal("3"), min_meals=20, min_history=7) is spike


def test_the_pack_documents_every_parameter_and_refuses_overlaps():
    versions = policy.versions()
    assert versions and all(p["source"] for v in versions for p in v.parameters.values())
    bad = {
        "versions": [
            {"label": "a", "effective_from": "2024-01-01", "parameters": {}},
            {"label": "b", "effective_from": "2025-01-01", "parameters": {}},
        ]
    }
    with pytest.raises(policy.PolicyError) as exc:
        policy.check_pack(bad)
    assert exc.value.code == "policy_version_overlap"
    with pytest.raises(policy.PolicyError):
        policy.check_pack({"versions": [{"label": "c", "effective_from": "2024-01-01", "parameters": {"x": 1}}]})
