"""Benchmark: the EVV anomaly scan over one month of 1,000,000 visits (issue 6: under 60 s on PostgreSQL).

    createdb chuncheng_hc_bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_hc_bench chuncheng init --no-demo --skip-static
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_hc_bench python benchmarks/homecare_scan.py [--visits N]

In a scratch PostgreSQL database (refuses one that already holds visits unless ``--reset``): 50,000 elders (1 % without
home coordinates, 0.5 % deceased mid-month), 10,000 caregivers of one provider, and N orders and visits of October
2026 generated set-based (one ``INSERT … SELECT generate_series`` each): 100 visits per caregiver, 20–100 minutes,
2 % checked in ~1 km away, some back-to-back. Then it times ``scan_anomalies`` (9 statements) and a second,
idempotent run. Prints and stores JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from chuncheng.core.models import OrgUnit  # noqa: E402
from chuncheng.core.validators import uscc_check_char  # noqa: E402
from chuncheng.elders.models import Elder  # noqa: E402
from chuncheng.elders.queries import SHANGHAI  # noqa: E402
from chuncheng.homecare import services  # noqa: E402
from chuncheng.homecare.models import Caregiver, CatalogueItem, Provider, ServiceOrder, Visit, VisitFlag  # noqa: E402
from chuncheng.institutions.models import Institution, Staff  # noqa: E402

ELDERS = 50_000
CAREGIVERS = 10_000
MONTH = "2026-10"


def uscc(seed: str) -> str:
    body = "52530102" + seed.rjust(9, "0")[:9]
    return body + uscc_check_char(body)


@transaction.atomic
def seed() -> None:
    villages = list(OrgUnit.objects.filter(level="village", code__startswith="5301").values_list("pk", flat=True))
    home = Institution.objects.create(
        name="居家基准机构",
        org_unit=OrgUnit.objects.get(code="530102"),
        uscc=uscc("BENCH0001"),
        kind="private_nonprofit",
        approved_beds=10,
        nursing_beds=5,
    )
    Staff.objects.bulk_create(
        [
            Staff(
                institution=home,
                org_unit_id=home.org_unit_id,
                id_number_enc="bench",
                id_number_index=f"hc{i:062d}",
                id_number_masked="539901********0000",
                name=f"护理员{i}",
                role="caregiver",
            )
            for i in range(CAREGIVERS)
        ],
        batch_size=5000,
    )
    provider = Provider.objects.create(
        name="基准服务商", uscc=uscc("BENCH0002"), org_unit_id=home.org_unit_id, areas=["53"]
    )
    Caregiver.objects.bulk_create(
        [
            Caregiver(provider=provider, staff_id=pk)
            for pk in Staff.objects.filter(institution=home).values_list("pk", flat=True)
        ],
        batch_size=5000,
    )
    Elder.objects.bulk_create(
        [
            Elder(
                id_number_enc="bench",
                id_number_index=f"he{i:062d}",
                id_number_masked="539901********0000",
                name=f"长者{i}",
                sex="male",
                birth_date=date(1950, 1, 1),
                org_unit_id=villages[i % len(villages)],
                lat=None if i % 100 == 0 else 25.0 + (i % 1000) / 2000,
                lng=None if i % 100 == 0 else 102.6 + (i % 777) / 2000,
                status="deceased" if i % 200 == 1 else "active",
                died_on=date(2026, 10, 15) if i % 200 == 1 else None,
            )
            for i in range(ELDERS)
        ],
        batch_size=5000,
    )


def generate(count: int) -> None:
    """Order g: elder g % E, caregiver g % C, the caregiver's (g // C)-th visit of the month, every ~7 h."""
    item = CatalogueItem.objects.get(kind="cleaning", version__version=1)
    provider = Provider.objects.get(name="基准服务商")
    start = int(datetime(2026, 10, 1, 8, tzinfo=SHANGHAI).timestamp())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH e AS (SELECT array_agg(id ORDER BY id) a FROM {Elder._meta.db_table} WHERE id_number_enc = 'bench'),
                 c AS (SELECT array_agg(id ORDER BY id) a FROM {Caregiver._meta.db_table} WHERE provider_id = %s)
            INSERT INTO {ServiceOrder._meta.db_table} (public_id, elder_id, provider_id, item_id, kind, target_group,
                quantity, market_amount, elder_amount, subsidy_amount, scheduled_on, status, caregiver_id, note,
                cancel_reason, created_at, updated_at)
            SELECT gen_random_uuid(), e.a[1 + g %% {ELDERS}], %s, %s, 'cleaning', 'general', 1, 40, 35, 5,
                DATE '2026-10-01' + (g / {CAREGIVERS}) * 7 / 24, 'completed', c.a[1 + g %% {CAREGIVERS}], 'bench', '',
                now(), now()
            FROM generate_series(0, %s - 1) g, e, c
            """,
            [provider.pk, provider.pk, item.pk, count],
        )
        cursor.execute(
            f"""
            INSERT INTO {Visit._meta.db_table} (public_id, order_id, elder_id, caregiver_id, kind, visit_date, status,
                check_in_at, check_in_epoch, check_in_lat, check_in_lng, check_in_distance_m, check_out_at,
                check_out_epoch, check_out_lat, check_out_lng, check_out_distance_m, duration_s,
                no_reference_location, code_hash, confirmed)
            SELECT gen_random_uuid(), o.id, o.elder_id, o.caregiver_id, 'cleaning',
                (to_timestamp(t.tin) AT TIME ZONE 'Asia/Shanghai')::date, 'closed',
                to_timestamp(t.tin), t.tin, COALESCE(e.lat, 25.04) + t.d, COALESCE(e.lng, 102.71), CASE WHEN e.lat IS NULL THEN NULL ELSE abs(t.d) * 111195 END,
                to_timestamp(t.tin + t.dur), t.tin + t.dur, COALESCE(e.lat, 25.04) + t.d, COALESCE(e.lng, 102.71),
                CASE WHEN e.lat IS NULL THEN NULL ELSE abs(t.d) * 111195 END, t.dur,
                e.lat IS NULL, 'bench', (t.g %% 97) <> 0
            FROM {ServiceOrder._meta.db_table} o
            JOIN {Elder._meta.db_table} e ON e.id = o.elder_id
            CROSS JOIN LATERAL (SELECT o.id - (SELECT min(id) FROM {ServiceOrder._meta.db_table} WHERE note = 'bench')
                AS g) gg
            CROSS JOIN LATERAL (SELECT gg.g AS g,
                %s + (gg.g / {CAREGIVERS}) * 25920 + (gg.g %% 600) * 3 AS tin,
                1200 + (gg.g * 7919) %% 4800 AS dur,
                CASE WHEN gg.g %% 50 = 0 THEN 0.01 ELSE ((gg.g * 31) %% 100) / 100000.0 END AS d) t
            WHERE o.note = 'bench'
            """,
            [start],
        )


def timed(label, fn, results):
    began = time.perf_counter()
    value = fn()
    results[label] = {"seconds": round(time.perf_counter() - began, 3), "result": value}
    sys.stdout.write(f"{label}: {results[label]['seconds']} s {json.dumps(value)}\n")
    return value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.stderr.write("run on PostgreSQL (DATABASE_URL=postgresql://…)\n")
        return 2
    services.load_catalogue()
    if ServiceOrder.objects.exists():
        if not args.reset:
            sys.stderr.write("the database already holds visits; use a scratch database or --reset\n")
            return 2
        with connection.cursor() as cursor:
            for model in (VisitFlag, Visit, ServiceOrder):
                cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    if not Provider.objects.filter(name="基准服务商").exists():
        seed()
    results: dict = {"vendor": connection.vendor, "at": timezone.now().isoformat()}
    timed("generate", lambda: generate(args.visits) or args.visits, results)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Visit._meta.db_table}")
    results["visits"] = Visit.objects.count()
    timed("scan_first", lambda: services.scan_anomalies(MONTH), results)
    timed("scan_again", lambda: services.scan_anomalies(MONTH), results)
    results["target_seconds"] = 60
    out = ROOT / "benchmarks" / "results" / "homecare-scan-postgresql.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
