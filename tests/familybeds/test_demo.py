"""The demo's family care beds: set up through the services for elders with verified visits where possible."""

from __future__ import annotations

from datetime import date

import pytest

from chuncheng.demo import city
from chuncheng.demo.familybeds import build_familybeds
from chuncheng.demo.homecare import build_homecare
from chuncheng.familybeds import queries
from chuncheng.familybeds.models import HomeAdaptation, HomeCareBed
from chuncheng.homecare import services

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def test_demo_beds(org_tree):
    city.build("small", seed=2021, today=TODAY)
    services.load_catalogue()
    build_homecare(TODAY)
    made = build_familybeds(TODAY)
    assert made == HomeCareBed.objects.count() and 24 <= made <= 60
    assert HomeAdaptation.objects.count() == (made + 1) // 2
    assert HomeCareBed.objects.filter(status="closed").count() == 1
    rows = queries.compliance_rows(HomeCareBed.objects.all(), "2026-10")
    assert any(row.status == "compliant" for row in rows) and any(row.status == "short" for row in rows)
    assert build_familybeds(TODAY) == 0
