"""Demo snapshots: two years of indicator history, so the dashboard's trends and the attainment projection show
from the first run. Month-end snapshots of the 24 months before the demo's today, plus today's own, each computed
from the demo's records as they were on that date (``monitoring.history.take_history``): institutions and
facilities by opening date, staff by hire and leave dates, stays, assessments, visits and family care beds by
their dates. Nothing is invented: where the records did not change, the line is flat."""

from __future__ import annotations

from datetime import date

from chuncheng.monitoring import history, queries, services
from chuncheng.monitoring.models import IndicatorSnapshot

MONTHS = 24


def snapshot_dates(today: date, months: int = MONTHS) -> list[date]:
    return sorted([*queries.month_ends(today, months), today])


def build_snapshots(today: date, months: int = MONTHS) -> dict[str, object]:
    """Idempotent: does nothing when the demo's history is there (a snapshot on the first of its dates)."""
    services.load_catalogue()
    days = snapshot_dates(today, months)
    if IndicatorSnapshot.objects.filter(date=days[0]).exists():
        return {"dates": 0, "rows": 0}
    return history.take_history(days)
