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
