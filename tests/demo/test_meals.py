"""The demo's meal assistance: cards, three months of lunches, the double swipes flagged, two months settled."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from chuncheng.benefits.models import LedgerEntry
from chuncheng.benefits.policy import load_policy
from chuncheng.demo import city
from chuncheng.demo.meals import build_meals
from chuncheng.meals.models import FoodSafetyCheck, MealFlag, MealRecord, MealSettlement

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def test_demo_meals_are_flagged_only_where_planted_and_settled_into_the_ledger(org_tree):
    load_policy()
    city.build("small", seed=2021, today=TODAY)
    made = build_meals(TODAY)
    assert made["meal_cards"] > 100 and made["meal_records"] == MealRecord.objects.count()
    # Residents are not given cards, so the only flags are the planted double swipes (both records of each pair).
    rules = set(MealFlag.objects.values_list("rule", flat=True))
    assert rules == {"same_slot_twice"}
    assert MealFlag.objects.count() % 2 == 0
    # August and September settled, October open; the ledger holds the subsidies of the settled months to the cent.
    assert set(MealSettlement.objects.values_list("month", flat=True)) == {date(2026, 8, 1), date(2026, 9, 1)}
    subsidies = MealSettlement.objects.aggregate(s=Sum("subsidy_total"))["s"]
    assert LedgerEntry.objects.filter(programme__code="M1_meal_subsidy").aggregate(s=Sum("amount"))["s"] == subsidies
    assert FoodSafetyCheck.objects.count() == 9
    assert build_meals(TODAY) == {"meal_cards": 0, "meal_records": 0}  # idempotent
