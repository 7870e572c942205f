"""Snapshot history: the snapshots of many past dates written at once (the demo's two years, a backfill after the
catalogue gains an indicator). Each date's values are computed from the records as they were on that date by the
same grouped compute functions as the nightly snapshot (the rows of ``services.compute_rows``); the rows of all
dates are then replaced in one transaction, set-based: one DELETE, one bulk INSERT per date (COPY on PostgreSQL,
executemany on SQLite) and one audit row. Running it twice leaves the same rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from chuncheng.core import audit, bulk
from chuncheng.core.models import AuditAction
from chuncheng.monitoring import compute, services
from chuncheng.monitoring.choices import SourceKind
from chuncheng.monitoring.models import IndicatorSnapshot

COLUMNS = ["indicator", "org_unit_id", "date", "numerator", "denominator", "value", "status", "computed_at"]


def _tuples(day: date, now) -> list[tuple]:
    """The rows of ``services.compute_rows`` for one date, as plain tuples (no model instance per value: the
    history is 25 dates × 165 areas × ~50 indicators). A list, computed before the write: the connection cannot
    run the compute queries while it streams a COPY."""
    catalogue = services.current_catalogue(day)
    keys = list(catalogue.indicators.filter(source_kind=SourceKind.COMPUTED).values_list("key", flat=True))
    units = list(services.snapshot_units(day))
    areas = [compute.Area.of(unit, day) for unit in units]
    rows = []
    with compute.memoized():
        for key in keys:
            values = compute.compute_many(key, areas)
            for unit in units:
                r = values[(unit.code, day)]
                rows.append((key, unit.pk, day, r.numerator, r.denominator, r.value, r.status, now))
    for row in services.reported_rows(day, units, catalogue):
        rows.append((row.indicator, row.org_unit_id, day, row.numerator, row.denominator, row.value, row.status, now))
    return rows


def take_history(days: Iterable[date], *, actor=None) -> dict[str, object]:
    """Compute every indicator for every area on each of ``days`` and replace those dates' snapshots."""
    days = sorted(set(days))
    if not days:
        return {"dates": 0, "rows": 0}
    with transaction.atomic():
        IndicatorSnapshot.objects.filter(date__in=days).delete()
        now = timezone.now()
        written = sum(bulk.insert_rows(IndicatorSnapshot, COLUMNS, _tuples(day, now)) for day in days)
        audit.record_bulk(
            actor,
            AuditAction.BULK_CREATE,
            IndicatorSnapshot,
            written,
            {"dates": len(days), "from": days[0].isoformat(), "to": days[-1].isoformat()},
        )
    return {"dates": len(days), "rows": written, "from": days[0].isoformat(), "to": days[-1].isoformat()}
