"""The grouped computation (one query per shared figure and level) gives, for every area of the small demo, exactly
what the former per-area functions (kept verbatim in ``reference_compute``) give; its query count does not grow
with the number of areas."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.demo import city
from chuncheng.monitoring import compute, services
from tests.monitoring import reference_compute as reference

pytestmark = pytest.mark.django_db

DAYS = (date(2021, 12, 31), date(2025, 6, 30))


def fields(r):
    return (r.numerator, r.denominator, r.value, r.status)


@pytest.fixture
def demo(org_tree):
    from chuncheng.welfare import services as welfare

    city.build("small", seed=7)
    services.load_catalogue()
    welfare.recompute_all()


def test_grouped_snapshot_equals_the_per_area_values_for_every_area(demo):
    keys = sorted(compute.REGISTRY)
    for day in DAYS:
        units = list(services.snapshot_units(day))
        assert len(units) == 1 + 14 + 150
        rows = {(r.indicator, r.org_unit.code): r for r in services.compute_rows(day, keys=keys)}
        assert len(rows) == len(keys) * len(units)
        mismatches = []
        with reference.memoized():
            for unit in units:
                area = reference.Area.of(unit, day)
                for key in keys:
                    want = reference.compute(key, area)
                    got = rows[(key, unit.code)]
                    if fields(got) != fields(want):
                        mismatches.append((day, unit.code, key, got.value, want.value))
                    # The one-area wrapper is the same grouped function on a batch of one.
                    if unit.level != "township" or unit.code.endswith("001"):
                        assert fields(compute.compute(key, compute.Area.of(unit, day))) == fields(want), (unit, key)
        assert mismatches == []
    # The demo has figures, not only zeros: the comparison means something.
    city_rows = services.compute_rows(DAYS[1], unit_list=services.snapshot_units(DAYS[1]).filter(level="city"))
    assert sum(1 for r in city_rows if r.value) >= 15


def test_queries_do_not_grow_with_the_number_of_areas(demo):
    day = DAYS[1]
    units = list(services.snapshot_units(day))
    few = [next(u for u in units if u.level == level) for level in ("city", "county", "township")]
    with CaptureQueriesContext(connection) as small:
        services.compute_rows(day, unit_list=few)
    with CaptureQueriesContext(connection) as full:
        rows = services.compute_rows(day, unit_list=units)
    assert len(rows) > 50 * len(few)
    # Never more for all areas than for one per level; fewer, as a whole snapshot sums township counts up to the
    # counties and the city (Batch.rows) where three scattered areas cannot share them.
    assert len(full.captured_queries) <= len(small.captured_queries)
    # About four queries per computed indicator and level at most (the former per-area code took ~3,700).
    computed = services.current_catalogue(day).indicators.filter(source_kind="computed").count()
    assert len(full.captured_queries) <= 4 * computed + 10


def test_a_batch_mixes_levels_and_dates_correctly(demo):
    day = DAYS[1]
    areas = [
        compute.Area("530100", "city", day),
        compute.Area("530102", "county", day),
        compute.Area("530102001", "township", day),
        compute.Area("530102", "county", DAYS[0]),
    ]
    got = compute.compute_many("nursing_bed_share", areas)
    for area in areas:
        assert fields(got[(area.code, area.day)]) == fields(reference.compute("nursing_bed_share", area))
    with pytest.raises(ValueError):
        compute.Batch(day, areas[:2])
