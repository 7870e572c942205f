"""The demo's home services: verified visits through the module's services, anomalies only where planted."""

from __future__ import annotations

from datetime import date

import pytest

from chuncheng.demo import city
from chuncheng.demo.homecare import build_homecare
from chuncheng.homecare import services
from chuncheng.homecare.models import Provider, Visit, VisitFlag

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def test_demo_visits_are_verified_and_flagged_only_where_planted(org_tree):
    city.build("small", seed=2021, today=TODAY)
    services.load_catalogue()
    made = build_homecare(TODAY)
    assert made == {"providers": 2, "visits": Visit.objects.count()} and made["visits"] == 2 * 2 * 4 * 8
    rules = set(VisitFlag.objects.values_list("rule", flat=True))
    assert rules == {"too_short", "out_of_place", "unconfirmed"}
    flagged = VisitFlag.objects.values("visit").distinct().count()
    assert 0 < flagged < made["visits"] // 4  # a realistic few
    assert Provider.objects.count() == 2
    assert build_homecare(TODAY) == {"providers": 0, "visits": 0}  # idempotent
