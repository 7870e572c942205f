"""The monthly visit rate (special_difficulty_monthly_visit_rate) worked out by hand, the overdue list, query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from chuncheng.elders import services as elder_services
from chuncheng.elders.queries import today
from chuncheng.welfare import queries, services
from chuncheng.welfare.models import SpecialDifficultyFlag, WelfareVisit

pytestmark = pytest.mark.django_db


def visit(elder, day, user):
    # Direct rows: past months are written as they were recorded then (the service refuses only future dates).
    return WelfareVisit.objects.create(
        elder=elder, visited_on=day, visitor=user, visitor_name="x", mode="phone", condition="good"
    )


def test_visit_rate_by_hand(people, personas, django_assert_num_queries):
    services.recompute_all()
    month = date(2026, 10, 1)
    # Special-difficulty elders: 赵一 (village 1), 孙三 (village 1), 钱二 (village 2), 周五 (village 2) in 五华区
    # 华山街道; 吴六 in 官渡区 关上街道.
    visit(people.lonely_poor, date(2026, 10, 3), personas.community)
    visit(people.lonely_poor, date(2026, 10, 20), personas.community)  # twice counts once
    visit(people.alone_old, date(2026, 10, 31), personas.community)
    visit(people.disabled, date(2026, 9, 30), personas.community)  # the month before: not counted
    visit(people.plain, date(2026, 10, 5), personas.community)  # not special-difficulty: not counted
    visit(people.guandu, date(2026, 10, 1), personas.guandu)
    with django_assert_num_queries(2):
        township = queries.visit_rate(personas.city, month, "township")
    assert [(r.code, r.numerator, r.denominator) for r in township] == [("530102001", 2, 4), ("530111001", 1, 1)]
    assert township[0].rate == 0.5
    county = queries.visit_rate(personas.city, month, "county")
    assert [(r.code, r.name, r.numerator, r.denominator) for r in county] == [
        ("530102", "五华区", 2, 4),
        ("530111", "官渡区", 1, 1),
    ]
    city = queries.visit_rate(personas.city, month, "city")
    assert [(r.code, r.numerator, r.denominator) for r in city] == [("5301", 3, 5)]
    village = queries.visit_rate(personas.wuhua, month, "village")
    assert [(r.code, r.numerator, r.denominator) for r in village] == [
        (people.village.code, 1, 2),
        (people.other_village.code, 1, 2),
    ]
    assert queries.visit_rate(personas.guandu, month, "county")[0].code == "530111"  # own area only
    assert queries.visit_rate(personas.operator, month, "county") == []


def test_an_elder_who_died_counts_in_the_months_they_were_alive(people, personas):
    services.recompute_all()
    elder_services.record_death(people.disabled, date(2026, 10, 10), actor=personas.city)
    oct_ = {r.code: (r.numerator, r.denominator) for r in queries.visit_rate(personas.city, date(2026, 10, 1))}
    nov = {r.code: (r.numerator, r.denominator) for r in queries.visit_rate(personas.city, date(2026, 11, 1))}
    assert oct_["530102001"] == (0, 4)
    assert nov["530102001"] == (0, 3)


def test_bad_month():
    with pytest.raises(ValidationError) as exc:
        queries.parse_month("2026-13")
    assert exc.value.code == "bad_month"
    assert queries.parse_month("2026-02") == date(2026, 2, 1)


def test_overdue_list_per_community(people, personas, django_assert_num_queries):
    services.recompute_all()
    visit(people.lonely_poor, today() - timedelta(days=29), personas.community)  # within 30 days
    visit(people.alone_old, today() - timedelta(days=30), personas.community)  # 30 days ago: overdue
    with django_assert_num_queries(2):  # the policy's interval, the list
        names = [e.name for e in queries.overdue_elders(personas.wuhua)]
    assert names == ["孙三", "周五", "钱二"]  # by community, then name
    by_community = {r["org_unit__code"]: r["overdue"] for r in queries.overdue_by_community(personas.wuhua)}
    assert by_community == {people.village.code: 1, people.other_village.code: 2}
    assert [e.name for e in queries.overdue_elders(personas.community)] == ["孙三"]
    last = {e.name: e.last_visit for e in queries.overdue_elders(personas.wuhua)}
    assert last["钱二"] == today() - timedelta(days=30) and last["孙三"] is None


def test_entitled_by_area(people, personas):
    services.recompute_all()
    item = services.lists_in_force(today())[None].items.get(code="welfare_visit")
    rows = queries.entitled_by_area(personas.city, item)
    assert [(r["area"], r["name"], r["count"]) for r in rows] == [("530102", "五华区", 4), ("530111", "官渡区", 1)]
    assert [r["area"] for r in queries.entitled_by_area(personas.guandu, item)] == ["530111"]


def test_demo_visits_are_seeded_once(people, personas):
    from chuncheng.welfare import demo

    services.recompute_all()
    seeded = demo.seed_visits(share_percent=100)
    days = demo.visit_days()
    assert len(days) == 12 + (today().day >= 10) and all(d.day == 10 for d in days)
    flagged = sorted(SpecialDifficultyFlag.objects.values_list("elder_id", flat=True).distinct())
    expected = {(e, d) for i, d in enumerate(days) for e in flagged if demo.visited(e, i, 100)}
    assert set(WelfareVisit.objects.values_list("elder_id", "visited_on")) == expected  # the SQL is the rule
    assert seeded == len(expected) and WelfareVisit.objects.values("public_id").distinct().count() == seeded
    assert demo.seed_visits() == 0
    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    visited_last_month = sum(demo.visited(e, 11, 100) for e in flagged)
    assert queries.visit_rate_total(queries.visit_rate(personas.city, last_month)).numerator == visited_last_month


def test_demo_visit_pattern_is_a_realistic_year():
    from chuncheng.welfare import demo

    elders = range(1, 5001)
    grid = {e: [demo.visited(e, i) for i in range(demo.MONTHS)] for e in elders}
    for i in range(demo.MONTHS):
        assert 0.85 <= sum(grid[e][i] for e in elders) / len(elders) <= 0.95  # most months visited
    gaps = set()
    for months in grid.values():
        run = longest = 0
        for seen in months:
            run = 0 if seen else run + 1
            longest = max(longest, run)
        gaps.add(longest)
    assert {2, 3} <= gaps  # some elders go two or three months without a visit
    assert max(gaps) <= 4
    assert sum(all(m) for m in grid.values()) > 0.2 * len(elders)  # many are visited every month
    assert [demo.visited(e, i) for e in elders for i in range(12)] == [v for m in grid.values() for v in m]
