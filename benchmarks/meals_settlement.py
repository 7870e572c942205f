"""Benchmark: a month's meal settlement for 188 canteens and 600,000 meal records (issue 6: under 30 s, PostgreSQL).

    createdb chuncheng_meals_bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_meals_bench chuncheng init --no-demo --skip-static
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_meals_bench python benchmarks/meals_settlement.py

In a scratch database (it refuses one that already has meal records unless ``--reset``): 188 canteens, 20,000
elders and the records generated set-based with one ``INSERT … SELECT generate_series`` per month (the trailing month
for the spike rule's window, then the month to settle: 600,000 lunches, 1 % of them a second lunch at another site).
Then it times ``settle_month`` (the flag scan of the month, the totals, 188 settlements and ledger entries in one
transaction) and a second, idempotent run. Prints and stores JSON in benchmarks/results/.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from chuncheng.core.models import OrgUnit  # noqa: E402
from chuncheng.elders.models import Elder  # noqa: E402
from chuncheng.institutions.models import Facility  # noqa: E402
from chuncheng.meals import services  # noqa: E402
from chuncheng.meals.models import MealFlag, MealRecord, MealSettlement, SiteSpike  # noqa: E402

SITES = 188
ELDERS = 20_000
MONTH = date(2025, 3, 1)
PREVIOUS = date(2025, 2, 1)
PER_MONTH = 600_000


def setup_world() -> None:
    villages = list(OrgUnit.objects.filter(level="village").order_by("code").values_list("pk", flat=True)[:SITES])
    if not villages:
        raise SystemExit("no org units: run `chuncheng init --no-demo --skip-static` on this database first")
    Facility.objects.bulk_create(
        [
            Facility(
                code=f"BENCH-MC-{i:03d}",
                name=f"幸福食堂{i:03d}",
                kind="canteen",
                org_unit_id=villages[i % len(villages)],
            )
            for i in range(SITES)
        ]
    )
    born = date(1950, 1, 1)
    Elder.objects.bulk_create(
        [
            Elder(
                id_number_enc="bench",
                id_number_index=f"b{i:063d}",
                id_number_masked="539901********0000",
                name=f"长者{i}",
                sex="male",
                birth_date=born,
                org_unit_id=villages[i % len(villages)],
                tekun=i % 50 == 0,
                dibao=i % 20 == 0,
            )
            for i in range(ELDERS)
        ],
        batch_size=5000,
    )


def generate(month: date, count: int) -> None:
    """One INSERT … SELECT: record i is elder i // days on day i % days at that elder's site, a lunch; then 1 % of
    them again at the next site (same slot twice)."""
    days = 31 if month.month in (1, 3, 5, 7, 8, 10, 12) else 28
    elders = list(Elder.objects.filter(id_number_enc="bench").order_by("pk").values_list("pk", flat=True))
    sites = list(Facility.objects.filter(code__startswith="BENCH-MC-").order_by("pk").values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_e (n int primary key, id bigint) ON COMMIT DROP")
        cursor.execute("CREATE TEMP TABLE bench_s (n int primary key, id bigint) ON COMMIT DROP")
        cursor.executemany("INSERT INTO bench_e VALUES (%s, %s)", list(enumerate(elders)))
        cursor.executemany("INSERT INTO bench_s VALUES (%s, %s)", list(enumerate(sites)))
        for offset, share in ((0, count), (1, count // 100)):
            cursor.execute(
                """
                INSERT INTO meals_mealrecord (public_id, elder_id, site_id, served_on, slot, price, subsidy,
                    subsidy_group, source, review, review_note, created_at)
                SELECT gen_random_uuid(), e.id, s.id, %s::date + (g %% %s), 'lunch', 12, 2, 'general',
                    'swipe_import', '', '', now()
                FROM generate_series(0, %s - 1) g
                JOIN bench_e e ON e.n = (g / %s) %% %s
                JOIN bench_s s ON s.n = ((g / %s) %% %s + %s) %% %s
                """,
                [month, days, share, days, len(elders), days, len(elders), offset, len(sites)],
            )


def main() -> int:
    if connection.vendor != "postgresql":
        raise SystemExit("this benchmark needs PostgreSQL (DATABASE_URL)")
    reset = "--reset" in sys.argv
    if MealRecord.objects.exists() and not reset:
        raise SystemExit("meal records already exist: use a scratch database, or --reset to clear the benchmark data")
    results: dict = {"vendor": connection.vendor, "at": timezone.now().isoformat()}
    start = time.perf_counter()
    with transaction.atomic():
        if reset:
            MealSettlement.objects.all().delete()
            MealFlag.objects.all().delete()
            SiteSpike.objects.all().delete()
            MealRecord.objects.all().delete()
            Facility.objects.filter(code__startswith="BENCH-MC-").delete()
            Elder.objects.filter(id_number_enc="bench").delete()
        setup_world()
    with transaction.atomic():
        generate(PREVIOUS, PER_MONTH * 28 // 31)
    with transaction.atomic():
        generate(MONTH, PER_MONTH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meals_mealrecord")
    results["generate_seconds"] = round(time.perf_counter() - start, 1)
    results["records_in_month"] = MealRecord.objects.filter(served_on__range=(MONTH, date(2025, 3, 31))).count()
    sys.stdout.write(
        f"generated: {results['records_in_month']} records in the month, {results['generate_seconds']} s\n"
    )
    start = time.perf_counter()
    created = services.settle_month(MONTH, actor=None)
    results["settle_seconds"] = round(time.perf_counter() - start, 2)
    results["settlements"] = len(created)
    results["meals_settled"] = sum(s.meals for s in created)
    results["flags"] = MealFlag.objects.count()
    results["spikes"] = SiteSpike.objects.count()
    start = time.perf_counter()
    again = services.settle_month(MONTH, actor=None)
    results["second_run_seconds"] = round(time.perf_counter() - start, 2)
    results["second_run_settlements"] = len(again)
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    out = ROOT / "benchmarks" / "results" / "meals-settlement-postgresql.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if results["settle_seconds"] < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
