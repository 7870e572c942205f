"""Snapshots: every computed indicator for city, counties and townships, one DELETE + bulk INSERT, idempotent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chuncheng.monitoring import services, tasks
from chuncheng.monitoring.models import IndicatorSnapshot
from tests.monitoring.conftest import DAY

pytestmark = pytest.mark.django_db


def test_snapshot_is_idempotent_and_complete(wuhua, catalogue):
    computed = services.current_catalogue().indicators.filter(source_kind="computed").count()
    units = services.snapshot_units(DAY).count()
    assert units == 1 + 14 + 150
    first = services.take_snapshot(DAY)
    assert first["rows"] == computed * units
    again = services.take_snapshot(DAY)
    assert again["rows"] == first["rows"]
    assert IndicatorSnapshot.objects.filter(date=DAY).count() == computed * units
    row = IndicatorSnapshot.objects.get(indicator="nursing_bed_share", org_unit__code="530102", date=DAY)
    assert (row.numerator, row.denominator, row.value, row.status) == (
        Decimal(70),
        Decimal(150),
        Decimal("46.6667"),
        "ok",
    )
    no_source = IndicatorSnapshot.objects.get(indicator="elder_volunteer_share", org_unit__code="530100", date=DAY)
    assert (no_source.value, no_source.status) == (None, "no_data_source")


def test_records_changing_later_leave_history(wuhua, catalogue):
    a, _b = wuhua
    services.take_snapshot(DAY)
    a.nursing_beds = 100
    a.save()
    services.take_snapshot(date(2025, 7, 1))
    values = dict(
        IndicatorSnapshot.objects.filter(indicator="nursing_bed_share", org_unit__code="530102").values_list(
            "date", "value"
        )
    )
    assert values == {DAY: Decimal("46.6667"), date(2025, 7, 1): Decimal("73.3333")}  # 70/150, 110/150


def test_the_periodic_task_loads_the_catalogue_and_snapshots_today(org_tree):
    from django.utils import timezone

    result = tasks.snapshot_today()
    assert result["date"] == timezone.localdate().isoformat()
    assert IndicatorSnapshot.objects.filter(date=timezone.localdate()).exists()


def test_cli_load_catalogue_and_snapshot(org_tree, capsys):
    from chuncheng.cli import build_parser

    def run(*argv):
        args = build_parser().parse_args(list(argv))
        return args.func(args)

    assert run("monitoring", "load-catalogue") == 0
    assert '"created": true' in capsys.readouterr().out
    assert run("monitoring", "snapshot", "--date", "2025-06-30") == 0
    assert '"date": "2025-06-30"' in capsys.readouterr().out
    assert run("monitoring", "snapshot", "--date", "2025-06-31") == 2
    assert "monitoring_bad_date" in capsys.readouterr().out
    assert IndicatorSnapshot.objects.filter(date=date(2025, 6, 30), org_unit__code="530100").exists()


def test_a_past_date_uses_the_tree_as_it_was(org_tree):
    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring import compute

    # Two of 五华区's 11 streets merge on 2025-07-01 into a new one: 11 streets before, 10 after.
    merged = list(OrgUnit.objects.filter(code__startswith="530102", level="township").order_by("-code")[:2])
    OrgUnit.objects.filter(pk__in=[u.pk for u in merged]).update(valid_to=date(2025, 7, 1))
    new = OrgUnit.objects.create(
        code="530102999",
        name="合并街道",
        level="township",
        parent=OrgUnit.objects.get(code="530102"),
        urban=True,
        valid_from=date(2025, 7, 1),
    )
    before = compute.compute("street_center_coverage", compute.Area("530102", "county", DAY))
    after = compute.compute("street_center_coverage", compute.Area("530102", "county", date(2025, 7, 1)))
    assert (before.denominator, after.denominator) == (Decimal(11), Decimal(10))
    codes_before = set(services.snapshot_units(DAY).values_list("code", flat=True))
    codes_after = set(services.snapshot_units(date(2025, 7, 1)).values_list("code", flat=True))
    assert {u.code for u in merged} <= codes_before and new.code not in codes_before
    assert codes_after == codes_before - {u.code for u in merged} | {new.code}
