"""The whole demo in one call: the city (registry), assessments, the welfare pack with flags, entitlements and visits,
a year of benefit batches."""

from __future__ import annotations

from datetime import date

from chuncheng.demo import city
from chuncheng.demo.assessments import build_assessments
from chuncheng.demo.benefits import build_applications, build_batches

DEMO_TODAY = date(2026, 11, 1)


def build_all(scale: str = "small", seed: int = 2021) -> dict[str, object]:
    """Idempotent: every part does nothing when its demo data already exists."""
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
    return result
