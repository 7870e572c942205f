"""Benchmark: set-based recompute of special-difficulty flags and basic-service entitlements, and the monthly visit
rate for every township, on the city-scale demo (1,218,200 elders).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench python benchmarks/welfare_recompute.py

Needs `chuncheng demo --scale city`. Loads the Kunming welfare pack when missing, then times:
1. the first recompute (flags and entitlements from empty tables);
2. a recompute after a policy change (the 独居高龄 rule's age moved 80 → 75, then back), each one transaction;
3. an idempotent recompute (nothing changes);
4. the monthly visit rate by township and by county for this month, as a city official.
Targets (issue §6): each recompute < 60 s, the visit rate < 2 s. Prints and stores JSON in benchmarks/results/.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from chuncheng.core.models import OrgUnit, User  # noqa: E402
from chuncheng.elders.models import Elder  # noqa: E402
from chuncheng.elders.queries import today  # noqa: E402
from chuncheng.welfare import queries, services  # noqa: E402
from chuncheng.welfare.models import ServiceEntitlement, SpecialDifficultyFlag, SpecialDifficultyRule  # noqa: E402


def timed(label, fn, results):
    start = time.perf_counter()
    value = fn()
    results[label] = {"seconds": round(time.perf_counter() - start, 3), "result": str(value)[:500]}
    sys.stdout.write(f"{label}: {results[label]['seconds']} s\n")
    return value


def main() -> int:
    results: dict = {"vendor": connection.vendor, "elders": Elder.objects.count(), "at": timezone.now().isoformat()}
    if not SpecialDifficultyRule.objects.exists():
        services.load_policy_pack()
    timed("recompute_first", services.recompute_all, results)
    rule = SpecialDifficultyRule.objects.get(code="econ_alone_advanced_age")
    original = rule.condition
    changed = json.loads(json.dumps(original).replace('{"age_gte": 80}', '{"age_gte": 75}'))
    rule.condition = changed
    rule.save(update_fields=["condition"])
    timed("recompute_after_change", services.recompute_all, results)
    rule.condition = original
    rule.save(update_fields=["condition"])
    timed("recompute_after_change_back", services.recompute_all, results)
    timed("recompute_idempotent", services.recompute_all, results)
    results["flags"] = SpecialDifficultyFlag.objects.count()
    results["entitlements"] = ServiceEntitlement.objects.count()
    city = User.objects.filter(role="city_official", org_unit__code="530100").first()
    if city is None:
        city = User(username="bench_welfare_city", role="city_official", org_unit=OrgUnit.objects.get(code="530100"))
        city.set_unusable_password()
        city.save()
    month = today().replace(day=1)
    rates = timed("visit_rate_townships", lambda: queries.visit_rate(city, month, "township"), results)
    results["townships"] = len(rates)
    timed("visit_rate_counties", lambda: queries.visit_rate(city, month, "county"), results)
    out = ROOT / "benchmarks" / "results" / f"welfare_recompute-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
