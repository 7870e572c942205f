"""Anomaly rules over meal records, each one SQL statement (``INSERT … SELECT``), never a loop over records.

- ``same_slot_twice``: another record of the same elder, day and slot exists (at another site);
- ``deceased``: the meal is after the elder's date of death (a meal on the day of death is not flagged; the registry
  requires the date for a deceased elder);
- ``admitted``: the elder was in an institution stay on that day: admitted before the day and not discharged before
  or on it (the days of admission and of discharge themselves are not flagged);
- site spike (``SiteSpike``): a site-day with meals > factor × the median daily meals of the trailing window (days
  without meals count as 0), at least ``spike_min_meals`` meals, and at least ``spike_min_history_days`` days with
  meals in the window. One aggregate query per month (site × day counts), the rule in Python on those counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from chuncheng.institutions.models import Admission
from chuncheng.meals import policy, rules
from chuncheng.meals.choices import FlagRule
from chuncheng.meals.models import MealFlag, MealRecord, SiteSpike


@dataclass
class ScanSummary:
    same_slot_twice: int = 0
    deceased: int = 0
    admitted: int = 0
    spikes: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def month_bounds(month: date) -> tuple[date, date]:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


def rule_querysets(records: QuerySet) -> dict[str, QuerySet]:
    """The records each rule flags, as querysets (so tests and the scan share one definition)."""
    twin = MealRecord.objects.filter(
        elder_id=OuterRef("elder_id"), served_on=OuterRef("served_on"), slot=OuterRef("slot")
    ).exclude(pk=OuterRef("pk"))
    stay = Admission.objects.filter(elder_id=OuterRef("elder_id"), admitted_on__lt=OuterRef("served_on")).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=OuterRef("served_on"))
    )
    return {
        FlagRule.SAME_SLOT_TWICE: records.filter(Exists(twin)),
        FlagRule.DECEASED: records.filter(elder__died_on__lt=F("served_on")),
        FlagRule.ADMITTED: records.filter(Exists(stay)),
    }


def _insert_flags(qs: QuerySet, rule: str, now) -> int:
    sql, params = qs.order_by().values_list("id").query.sql_with_params()
    table = MealFlag._meta.db_table
    statement = (
        f"INSERT INTO {table} (record_id, rule, created_at) "
        f"SELECT t.id, %s, %s FROM ({sql}) t WHERE 1 = 1 ON CONFLICT (record_id, rule) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (str(rule), connection.ops.adapt_datetimefield_value(now), *params))
        return max(cursor.rowcount, 0)


def scan_records(records: QuerySet) -> ScanSummary:
    """Flag the given records (already filtered: a month, a site, an elder) by the three record rules."""
    summary = ScanSummary()
    now = timezone.now()
    with transaction.atomic():
        for rule, qs in rule_querysets(records).items():
            setattr(summary, rule, _insert_flags(qs, rule, now))
    return summary


def daily_counts(start: date, end: date, sites: QuerySet | None = None) -> dict[int, dict[date, int]]:
    """Meals per site and day in [start, end], in one aggregate query."""
    qs = MealRecord.objects.filter(served_on__range=(start, end))
    if sites is not None:
        qs = qs.filter(site__in=sites)
    out: dict[int, dict[date, int]] = defaultdict(dict)
    for row in qs.values("site_id", "served_on").annotate(n=Count("id")).order_by():
        out[row["site_id"]][row["served_on"]] = row["n"]
    return out


def find_spikes(month: date, sites: QuerySet | None = None) -> list[SiteSpike]:
    start, end = month_bounds(month)
    params = policy.in_force(end)
    window = int(params.value("spike_window_days"))
    factor = Decimal(params.value("spike_factor"))
    min_meals = int(params.value("spike_min_meals"))
    min_history = int(params.value("spike_min_history_days"))
    counts = daily_counts(start - timedelta(days=window), end, sites)
    now = timezone.now()
    found = []
    for site_id, days in counts.items():
        for day, meals in days.items():
            if day < start:
                continue
            trailing = [days.get(day - timedelta(days=k), 0) for k in range(1, window + 1)]
            usual, history = rules.usual_count(trailing, window)
            if rules.is_spike(meals, usual, history, factor=factor, min_meals=min_meals, min_history=min_history):
                found.append(SiteSpike(site_id=site_id, day=day, meals=meals, baseline=usual, created_at=now))
    return found


def scan_spikes(month: date, sites: QuerySet | None = None) -> int:
    found = find_spikes(month, sites)
    existing = set(SiteSpike.objects.filter(day__range=month_bounds(month)).values_list("site_id", "day"))
    new = [s for s in found if (s.site_id, s.day) not in existing]
    SiteSpike.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


def scan_month(month: date, sites: QuerySet | None = None) -> ScanSummary:
    start, end = month_bounds(month)
    records = MealRecord.objects.filter(served_on__range=(start, end))
    if sites is not None:
        records = records.filter(site__in=sites)
    summary = scan_records(records)
    summary.spikes = scan_spikes(month, sites)
    return summary
