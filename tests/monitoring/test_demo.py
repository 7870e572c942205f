"""The small demo city reproduces the 2021 baseline (kunming-policy.md §2) through the computed indicators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chuncheng.demo import city
from chuncheng.monitoring import compute

pytestmark = pytest.mark.django_db


def test_small_demo_baseline_through_the_indicators(org_tree):
    city.build("small", seed=7)
    area = compute.Area("530100", "city", date(2021, 12, 31))
    nursing = compute.compute("nursing_bed_share", area)
    safety = compute.compute("safety_net_bed_share", area)
    beds = compute.compute("beds_per_1000_elders", area)
    assert nursing.denominator == Decimal(28_900)
    assert abs(nursing.value - Decimal("47.33")) < Decimal("0.01")
    assert abs(safety.value - Decimal("32.3")) < Decimal("0.05")
    assert abs(beds.value - Decimal("23.7")) < Decimal("0.05")
    assert compute.compute("canteens_stock", area).value == Decimal(188)


def test_the_demo_ends_with_two_years_of_snapshots(org_tree):
    """``chuncheng demo`` (``build_all``) leaves 24 month-end snapshots and today's for every area and indicator,
    so the dashboard's trends and attainment show from the first run."""
    from chuncheng.benefits.policy import load_policy
    from chuncheng.core.models import OrgUnit
    from chuncheng.demo.run import DEMO_TODAY, build_all
    from chuncheng.monitoring import queries
    from chuncheng.monitoring.models import IndicatorSnapshot

    load_policy()  # as ``chuncheng init`` does before the demo
    summary = build_all("small", seed=7)
    days = list(IndicatorSnapshot.objects.order_by("date").values_list("date", flat=True).distinct())
    assert len(days) == 25 and days[0] == date(2024, 11, 30) and days[-1] == DEMO_TODAY
    assert (days[-1] - days[0]).days >= 700
    per_day = IndicatorSnapshot.objects.filter(date=DEMO_TODAY).count()
    assert summary["indicator_snapshots"] == IndicatorSnapshot.objects.count() >= 25 * 165 * 41
    assert per_day >= 165 * 41  # 1 city + 14 counties + 150 townships, every computed indicator
    # The city's dashboard on the demo's today: a trend line for the computed indicators, attainment with history.
    city = OrgUnit.objects.get(code="530100")
    rows = {r.indicator.key: r for r in queries.area_table(city, DEMO_TODAY)}
    # One point a month for the 24 months up to the demo's today (December 2024 … November 2026).
    assert rows["nursing_bed_share"].trend.count == 24
    assert abs(rows["nursing_bed_share"].value - Decimal("47.33")) < Decimal("0.01")
    # A second run adds nothing.
    assert build_all("small", seed=7)["indicator_snapshots"] == 0
