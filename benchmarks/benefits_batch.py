"""The monthly 高龄津贴 batch against one hand-written ``INSERT … SELECT`` computing the same amounts (issue item 5).

Run on PostgreSQL with the city-scale demo (``DATABASE_URL=postgresql://… python benchmarks/benefits_batch.py
[--period 2023-06]``). In the same run it times:

1. baseline: one ``INSERT … SELECT`` into a scratch table shaped like the entitlement table (PK, unique
   (elder, period), FK to the elder), with the age bands and county amounts written as one plain CASE;
2. the batch: ``batches.run`` (chunked ``INSERT … SELECT`` with checkpoints) from nothing;
3. the rerun: the same batch again (nothing to do).

Targets: batch ≤ 2 × baseline; rerun < 10 % of the batch. Exit code 1 when a target is missed or the two paths
disagree (count or total). The batch must not exist yet for the period unless ``--reset`` (only a batch that is
neither approved nor locked can be reset; its entitlements are deleted, the ledger is never touched). The scratch
table is dropped at the end; ``--keep`` keeps the batch.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def baseline_sql(params: dict, period) -> tuple[str, list]:
    """The hand-written statement: the same bands and amounts, no chunks, no checkpoint, no shares or breakdown."""
    from chuncheng.benefits.compiler import years_before as _years_before

    bands = sorted(params["bands"], key=lambda b: -b["min_age"])
    table = params["per_month_by_county"]
    whens, args = [], []
    for county in sorted(table):
        for band in bands:
            cond = "substr(o.code, 1, 6) = %s AND e.birth_date <= %s"
            args += [county, _years_before(period, band["min_age"])]
            if band["max_age"] is not None:
                cond += " AND e.birth_date > %s"
                args.append(_years_before(period, band["max_age"] + 1))
            whens.append(f"WHEN {cond} THEN {table[county][band['key']]}")
    youngest = min(b["min_age"] for b in bands)
    sql = (
        "INSERT INTO bench_p1_handwritten (elder_id, period, amount) "
        f"SELECT e.id, %s, CASE {' '.join(whens)} END "
        "FROM elders_elder e JOIN core_orgunit o ON o.id = e.org_unit_id "
        "WHERE e.status = 'active' AND e.birth_date <= %s AND substr(o.code, 1, 6) IN ("
        + ", ".join(["%s"] * len(table))
        + ")"
    )
    return sql, [period, *args, _years_before(period, youngest), *sorted(table)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--period", default="2023-06")
    parser.add_argument("--reset", action="store_true", help="delete an unapproved batch of the period first")
    parser.add_argument("--keep", action="store_true", help="keep the batch made by the benchmark")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from chuncheng.benefits import batches, rules
    from chuncheng.benefits.choices import BatchStatus
    from chuncheng.benefits.models import Entitlement, PaymentBatch
    from chuncheng.benefits.policy import load_policy
    from chuncheng.elders.models import Elder

    code = "P1_longevity_allowance"
    load_policy()
    period = batches.parse_period(args.period)
    existing = PaymentBatch.objects.filter(programme__code=code, period=period).first()
    if existing:
        if not args.reset or existing.status in (BatchStatus.APPROVED, BatchStatus.LOCKED):
            sys.stderr.write(f"a {existing.status} batch exists for {args.period}; use --reset (unapproved only)\n")
            return 2
        with transaction.atomic():
            Entitlement.objects.filter(batch=existing).delete()
            existing.delete()
    programme = batches.recurring_programme(code)
    version = batches.city_version(programme, period)
    params = rules.parameter_values(version.parameters)
    elders = Elder.objects.count()

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_p1_handwritten")
        cursor.execute(
            "CREATE TABLE bench_p1_handwritten (id bigserial PRIMARY KEY, "
            "elder_id bigint NOT NULL REFERENCES elders_elder (id), period date NOT NULL, "
            "amount numeric(14, 2) NOT NULL, UNIQUE (elder_id, period))"
        )
    sql, sql_args = baseline_sql(params, period)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, sql_args)
    baseline = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM bench_p1_handwritten")
        base_count, base_sum = cursor.fetchone()
        cursor.execute("DROP TABLE bench_p1_handwritten")

    started = time.perf_counter()
    batch = batches.run(code, period)
    first = time.perf_counter() - started
    started = time.perf_counter()
    batches.run(code, period)
    rerun = time.perf_counter() - started
    summary = batches.summarise(batch)
    if not args.keep:
        with transaction.atomic():
            Entitlement.objects.filter(batch=batch).delete()
            PaymentBatch.objects.filter(pk=batch.pk).delete()

    same = (summary.entitlements, summary.amount) == (base_count, base_sum)
    result = {
        "database": connection.vendor,
        "elders": elders,
        "period": args.period,
        "baseline_insert_select_s": round(baseline, 3),
        "batch_s": round(first, 3),
        "rerun_s": round(rerun, 3),
        "batch_over_baseline": round(first / baseline, 2) if baseline else None,
        "rerun_over_batch": round(rerun / first, 3) if first else None,
        "entitlements": summary.entitlements,
        "amount": str(summary.amount),
        "baseline_rows": base_count,
        "baseline_amount": str(base_sum),
        "same_result": same,
        "targets_met": same and first <= 2 * baseline and rerun < 0.1 * first,
    }
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return 0 if result["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
