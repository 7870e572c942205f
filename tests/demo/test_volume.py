"""The city-scale volume generator, run on the small demo for two months (PostgreSQL: it is generate_series SQL)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Count

from chuncheng.demo import city
from chuncheng.demo.volume import build_volume
from chuncheng.homecare import rules as homecare_rules
from chuncheng.homecare import services as homecare
from chuncheng.homecare.models import ServiceOrder, Visit, VisitFlag
from chuncheng.meals import services as meals
from chuncheng.meals.models import MealRecord

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the volume is PostgreSQL SQL")
def test_volume_is_verified_consistent_priced_as_the_services_price_and_idempotent(org_tree):
    city.build("small", seed=2021, today=TODAY)
    homecare.load_catalogue()
    made = build_volume(TODAY, months=2)
    visits = Visit.objects.filter(order__note="volume")
    assert made["visits"] == visits.count() == ServiceOrder.objects.filter(note="volume").count() > 1000
    assert made["meals"] == MealRecord.objects.count() > 1000
    # Weekly: every served elder has four visits a month, on the days of September and October 2026.
    per_elder = set(visits.values("elder").annotate(n=Count("id")).values_list("n", flat=True))
    assert per_elder == {8}
    assert set(visits.dates("visit_date", "month")) == {date(2026, 9, 1), date(2026, 10, 1)}
    # No caregiver is in two places at once, and consecutive visits are near each other: the scan finds only the
    # planted anomalies (2 % too short, 1 % unconfirmed).
    homecare.scan_anomalies("2026-10")
    rules = dict(VisitFlag.objects.values_list("rule").annotate(n=Count("id")))
    october = visits.filter(visit_date__month=10).count()
    assert set(rules) <= {"too_short", "unconfirmed"}
    assert 0.01 * october < rules["too_short"] < 0.03 * october
    assert 0.005 * october < rules["unconfirmed"] < 0.015 * october
    # Amounts follow the catalogue (order) and the meal policy (meals), as the services compute them.
    for record in MealRecord.objects.select_related("elder").order_by("id")[::97][:40]:
        assert (record.subsidy_group, record.subsidy) == meals.price_meal(
            record.elder, record.slot, record.served_on, record.price
        )
    for order in ServiceOrder.objects.filter(note="volume").order_by("id")[::101][:20]:
        assert order.market_amount == order.elder_amount + order.subsidy_amount
        assert order.target_group == homecare_rules.target_group(order.elder.categories)
    assert build_volume(TODAY, months=2) == {"visits": 0, "meals": 0}
