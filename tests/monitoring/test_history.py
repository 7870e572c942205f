"""Snapshot history: many past dates at once, each computed from the records as they were on that date, the same
rows the nightly snapshot writes; idempotent; one audit row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chuncheng.monitoring import history, services
from chuncheng.monitoring.models import IndicatorSnapshot
from tests.monitoring.conftest import make_facility

pytestmark = pytest.mark.django_db
DAYS = (date(2024, 12, 31), date(2025, 6, 30), date(2026, 6, 30))


def fields(r):
    return (r.indicator, r.org_unit_id, r.date, r.numerator, r.denominator, r.value, r.status)


def test_history_equals_the_nightly_snapshot_of_each_date(personas, wuhua, catalogue):
    from chuncheng.core.models import AuditEntry

    make_facility("530102001", "canteen", opened_on=date(2025, 3, 1))
    summary = history.take_history(DAYS)
    assert summary == {"dates": 3, "rows": summary["rows"], "from": "2024-12-31", "to": "2026-06-30"}
    stored = {fields(r) for r in IndicatorSnapshot.objects.all()}
    wanted = {fields(r) for day in DAYS for r in services.compute_rows(day)}
    assert stored == wanted and summary["rows"] == len(wanted)

    # As of each date, by hand: 五华区's canteens 0 → 1 (opened 2025-03-01); nursing beds 120 of 250 until 丁院
    # (1,000 nursing of 1,000) opens on 2026-01-01: then 1,120 of 1,250 = 89.6%.
    def value(key, day):
        return IndicatorSnapshot.objects.get(indicator=key, org_unit__code="530102", date=day).value

    assert [value("canteens_stock", d) for d in DAYS] == [Decimal(0), Decimal(1), Decimal(1)]
    assert [value("nursing_bed_share", d) for d in DAYS] == [Decimal(48), Decimal(48), Decimal("89.6")]
    # Twice: the same rows, not twice as many.
    history.take_history(DAYS)
    assert {fields(r) for r in IndicatorSnapshot.objects.all()} == wanted
    audits = AuditEntry.objects.filter(model="monitoring.indicatorsnapshot")
    assert audits.count() == 2 and audits.first().count == len(wanted)
    assert history.take_history([]) == {"dates": 0, "rows": 0}


def test_demo_dates_are_month_ends_and_today():
    from chuncheng.demo.monitoring import snapshot_dates

    days = snapshot_dates(date(2026, 11, 1))
    assert len(days) == 25 and days[0] == date(2024, 11, 30) and days[-2:] == [date(2026, 10, 31), date(2026, 11, 1)]
    assert date(2025, 2, 28) in days and date(2024, 2, 29) not in days
