"""The whole demo in one call: the city (registry), assessments, the welfare pack with flags, entitlements and visits,
a year of benefit batches and applications, meal assistance, home services with verified visits, family care beds,
the time bank and alarms; last, two years of indicator snapshots."""

from __future__ import annotations

from datetime import date

from django.db import connection

from chuncheng.demo import city
from chuncheng.demo.assessments import build_assessments
from chuncheng.demo.benefits import build_applications, build_batches
from chuncheng.demo.community import build_alarms, build_timebank
from chuncheng.demo.familybeds import build_familybeds
from chuncheng.demo.homecare import build_homecare
from chuncheng.demo.meals import build_meals
from chuncheng.demo.monitoring import build_snapshots
from chuncheng.demo.volume import build_volume

DEMO_TODAY = date(2026, 11, 1)


def build_all(scale: str = "small", seed: int = 2021) -> dict[str, object]:
    """Idempotent: every part does nothing when its demo data already exists."""
    from chuncheng.homecare import services as homecare
    from chuncheng.welfare import demo as welfare_demo
    from chuncheng.welfare import services as welfare

    summary = city.build(scale, seed=seed, today=DEMO_TODAY)
    result: dict[str, object] = dict(summary.__dict__)
    result["assessments"] = build_assessments(seed, DEMO_TODAY)
    welfare.load_policy_pack()
    recompute = welfare.recompute_all()
    result["special_difficulty"] = recompute["special_difficulty"]["added"]
    result["welfare_visits"] = welfare_demo.seed_visits()
    result["benefit_batches"] = build_batches(DEMO_TODAY)["batches"]
    result["benefit_applications"] = build_applications(DEMO_TODAY)
    result["meal_records"] = build_meals(DEMO_TODAY)["meal_records"]
    homecare.load_catalogue()
    home = build_homecare(DEMO_TODAY)
    result["home_visits"] = home["visits"]
    result["provider_settlements"] = home["settlements"]
    result["family_care_beds"] = build_familybeds(DEMO_TODAY)
    result["time_bank_services"] = build_timebank(DEMO_TODAY)
    result["alarms"] = build_alarms(DEMO_TODAY)
    if scale == "city":  # two years of visits and meals, set-based (PostgreSQL only)
        result["volume"] = build_volume(DEMO_TODAY)
    if connection.vendor == "postgresql":
        # The tables were just bulk-loaded: the planner needs their statistics now, not when autovacuum comes round
        # (without them a city-scale snapshot query ran 2.0 s instead of 0.4 s).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # Last, from everything above: two years of indicator snapshots (24 month-ends and today).
    result["indicator_snapshots"] = build_snapshots(DEMO_TODAY)["rows"]
    return result
