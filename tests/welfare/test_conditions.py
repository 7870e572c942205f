"""The condition language: validation, each operator, and Python evaluation agreeing with SQL on hand-built elders."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.welfare import conditions, services

pytestmark = pytest.mark.django_db

CASES = [
    {"field": "tekun", "eq": True},
    {"field": "tekun", "eq": False},
    {"field": "hukou_local", "eq": False},
    {"field": "sex", "eq": "male"},
    {"field": "capability_level", "eq": ""},
    {"age_gte": 80},
    {"age_gte": 70},
    {"capability_in": ["severe", "total"]},
    {"all": []},
    {"any": []},
    {"not": {"field": "lonely", "eq": True}},
    {
        "all": [
            {"field": "lonely", "eq": True},
            {"any": [{"field": "dibao", "eq": True}, {"field": "tekun", "eq": True}]},
        ]
    },
    {"any": [{"age_gte": 85}, {"capability_in": ["severe"]}]},
    {"special_difficulty": True},
    {"special_difficulty": False},
]


@pytest.mark.parametrize("cond", CASES, ids=[str(c) for c in CASES])
def test_python_evaluation_equals_sql(people, cond):
    services.recompute_special_difficulty()
    conditions.validate(cond)
    day = today()
    sql = set(Elder.objects.filter(conditions.compile_q(cond, day)).values_list("pk", flat=True))
    flagged = set(Elder.objects.filter(difficulty_flags__isnull=False).values_list("pk", flat=True))
    python = {e.pk for e in Elder.objects.all() if conditions.explain(cond, e, day, flagged=e.pk in flagged)[0]}
    assert sql == python


def test_operators_select_the_expected_elders(people):
    day = today()

    def names(cond):
        return set(Elder.objects.filter(conditions.compile_q(cond, day)).values_list("name", flat=True))

    assert names({"age_gte": 85}) == {"钱二", "周五"}
    assert names({"capability_in": ["severe", "total"]}) == {"孙三", "吴六"}
    assert names({"field": "hukou_local", "eq": False}) == {"周五"}
    assert names({"all": [{"field": "lonely", "eq": True}, {"field": "tekun", "eq": True}]}) == {"赵一", "吴六"}
    assert names({"not": {"age_gte": 70}}) == {"李四"}
    assert names({"any": []}) == set()
    assert len(names({"all": []})) == 6


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "name", "eq": "x"},
        {"field": "tekun", "eq": "yes"},
        {"age_gte": "80"},
        {"capability_in": ["gone"]},
        {"drop": "table"},
        {"all": {"field": "tekun"}},
        {"field": "tekun", "eq": True, "age_gte": 3},
        "tekun",
    ],
)
def test_bad_conditions_are_refused(bad):
    with pytest.raises(ValidationError) as exc:
        conditions.validate(bad)
    assert exc.value.code == "bad_condition"


def test_explain_shows_each_condition_with_the_value_seen(people):
    cond = {"all": [{"field": "lonely", "eq": True}, {"age_gte": 80}]}
    ok, checks = conditions.explain(cond, people.lonely_poor, today())
    assert ok is False
    assert [(c.passed, c.seen) for c in checks] == [(False, ""), (True, "是"), (False, "72")] or [
        (c.passed, c.seen) for c in checks
    ] == [(False, ""), (True, "yes"), (False, "72")]
    assert checks[2].expected == "≥ 80"
