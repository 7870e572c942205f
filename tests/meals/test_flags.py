"""Every flag rule at and around its threshold; the scan is set-based and idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission
from chuncheng.meals import flags
from chuncheng.meals.models import MealFlag, MealRecord, SiteSpike
from tests.meals.conftest import MONTH, meal

pytestmark = pytest.mark.django_db


def _city():
    from chuncheng.core.models import User

    return User.objects.get(username="city")


def rules_of(record) -> set[str]:
    return set(MealFlag.objects.filter(record=record).values_list("rule", flat=True))


def test_same_slot_twice_at_two_sites(world):
    a = meal(world.poor, world.canteen, date(2025, 3, 3), "lunch")
    b = meal(world.poor, world.point, date(2025, 3, 3), "lunch")
    dinner = meal(world.poor, world.point, date(2025, 3, 3), "dinner")
    next_day = meal(world.poor, world.canteen, date(2025, 3, 4), "lunch")
    summary = flags.scan_month(MONTH)
    assert summary.same_slot_twice == 2
    assert rules_of(a) == rules_of(b) == {"same_slot_twice"}
    assert rules_of(dinner) == rules_of(next_day) == set()
    again = flags.scan_month(MONTH)  # idempotent
    assert again.same_slot_twice == 0
    assert MealFlag.objects.count() == 2


def test_meal_after_death(world):
    Elder.objects.filter(pk=world.plain.pk).update(status="deceased", died_on=date(2025, 3, 10))
    before = meal(world.plain, world.canteen, date(2025, 3, 9))
    on_the_day = meal(world.plain, world.canteen, date(2025, 3, 10))
    after = meal(world.plain, world.canteen, date(2025, 3, 11))
    flags.scan_month(MONTH)
    assert rules_of(before) == rules_of(on_the_day) == set()
    assert rules_of(after) == {"deceased"}


def test_meal_during_an_institution_stay(world, personas):
    Admission.objects.create(
        elder=world.old, institution=personas.wuhua_home, admitted_on=date(2025, 3, 5), discharged_on=date(2025, 3, 20)
    )
    Admission.objects.create(elder=world.plain, institution=personas.wuhua_home, admitted_on=date(2025, 3, 25))
    days = {d: meal(world.old, world.canteen, date(2025, 3, d)) for d in (4, 5, 6, 19, 20, 21)}
    open_before = meal(world.plain, world.canteen, date(2025, 3, 25))
    open_after = meal(world.plain, world.canteen, date(2025, 3, 26))
    flags.scan_month(MONTH)
    flagged = {d for d, r in days.items() if rules_of(r) == {"admitted"}}
    assert flagged == {6, 19}  # the days of admission and of discharge themselves are not flagged
    assert rules_of(open_before) == set()
    assert rules_of(open_after) == {"admitted"}


def test_each_record_rule_is_one_statement(world):
    meal(world.poor, world.canteen, date(2025, 3, 3))
    with CaptureQueriesContext(connection) as ctx:
        flags.scan_records(MealRecord.objects.filter(served_on__range=flags.month_bounds(MONTH)))
    inserts = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 3


def _history(world, site, start: date, days: int, per_day: int):
    """``per_day`` meals a day at ``site`` for ``days`` days before ``start`` (elders × slots give distinct keys)."""
    from tests.meals.conftest import register

    elders = [world.poor, world.plain, world.old]
    need = -(-per_day // 3)
    for i in range(len(elders), need):
        elders.append(register(_city(), f"食客{i}", 70, 60 + i, world.poor.org_unit)[0])
    records = []
    slots = ["breakfast", "lunch", "dinner"]
    for k in range(1, days + 1):
        day = start - timedelta(days=k)
        for n in range(per_day):
            records.append((elders[n // 3], slots[n % 3], day))
    return records, elders


def _write(site, rows):
    MealRecord.objects.bulk_create(
        [
            MealRecord(
                elder=e, site=site, served_on=d, slot=s, price=10, subsidy=0, subsidy_group="general", source="tablet"
            )
            for e, s, d in rows
        ]
    )


def _day(site, day, elders, count):
    slots = ["breakfast", "lunch", "dinner"]
    _write(site, [(elders[n // 3], slots[n % 3], day) for n in range(count)])


@pytest.mark.parametrize(("count", "spike"), [(30, False), (31, True)])
def test_site_spike_at_three_times_the_median(world, count, spike):
    day = date(2025, 3, 10)
    rows, elders = _history(world, world.canteen, day, 28, 10)
    while len(elders) * 3 < count:
        from tests.meals.conftest import register

        elders.append(register(_city(), f"食客{len(elders)}", 70, 60 + len(elders), world.poor.org_unit)[0])
    _write(world.canteen, rows)
    _day(world.canteen, day, elders, count)
    flags.scan_month(MONTH)
    assert SiteSpike.objects.filter(site=world.canteen, day=day).exists() is spike
    if spike:
        assert SiteSpike.objects.get(site=world.canteen, day=day).baseline == 10


@pytest.mark.parametrize(("history_days", "spike"), [(6, False), (7, True)])
def test_site_spike_needs_history(world, history_days, spike):
    day = date(2025, 3, 10)
    rows, elders = _history(world, world.point, day, history_days, 3)
    while len(elders) < 7:
        from tests.meals.conftest import register

        elders.append(register(_city(), f"食客{len(elders)}", 70, 60 + len(elders), world.poor.org_unit)[0])
    _write(world.point, rows)
    _day(world.point, day, elders, 20)  # median of the window is 0 (few days), 20 meals is the minimum count
    flags.scan_month(MONTH)
    assert SiteSpike.objects.filter(site=world.point, day=day).exists() is spike


def test_cli_scan(world, capsys):
    from chuncheng.cli import main

    meal(world.poor, world.canteen, date(2025, 3, 3))
    meal(world.poor, world.point, date(2025, 3, 3))
    assert main(["meals", "scan", "--month", "2025-03"]) == 0
    assert '"same_slot_twice": 2' in capsys.readouterr().out
    assert main(["meals", "scan", "--month", "March"]) == 2
    assert "month_format" in capsys.readouterr().out
