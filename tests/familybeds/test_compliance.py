"""Compliance per bed and month, worked out by hand, and the active-bed count per area on a date.

October 2026, the 五华 elder's bed plans 2 cleaning + 2 bathing + 1 medical escort = 5 visits. Their visits:
  1 Oct, 3 Oct, 9 Oct   closed, confirmed, no flag            → payable (3)
  12 Oct                closed, flag rejected by a supervisor → payable (4)
  15 Oct                closed, NOT confirmed by the elder    → not payable
  18 Oct                closed, flag open (too short)         → not payable
  21 Oct                closed, flag accepted                 → not payable
  24 Oct                still checked in (open)               → not payable
  2 Nov                 payable, but another month            → not counted
  → verified 4 of 5: rate 0.80, short.
The 官渡 elder's bed plans 1 cleaning a month; one payable visit on 5 Oct → 1 of 1: rate 1.00, compliant.
The third bed (五华, severe) starts on 1 Nov: not in force in October, not listed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from chuncheng.elders.queries import SHANGHAI
from chuncheng.familybeds import queries, services
from chuncheng.familybeds.models import HomeCareBed
from chuncheng.homecare.models import VisitFlag
from tests.familybeds.conftest import make_visit, register, setup

pytestmark = pytest.mark.django_db


def _at(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=SHANGHAI)


def _flag(visit, status: str) -> None:
    VisitFlag.objects.create(visit=visit, rule="too_short", status=status, created_at=timezone.now())


@pytest.fixture
def october(beds_world, personas):
    w = beds_world
    bed = setup(w.elder, personas.community, w.provider)
    guandu_bed = setup(
        w.guandu_elder, personas.guandu, w.guandu_provider, plan=[{"kind": "cleaning", "visits_per_month": 1}]
    )
    for day in (1, 3, 9):
        make_visit(w, start=_at(day), minutes=60)
    _flag(make_visit(w, start=_at(12), minutes=60), "rejected")
    make_visit(w, start=_at(15), minutes=60, confirmed=False)
    _flag(make_visit(w, start=_at(18), minutes=60), "open")
    _flag(make_visit(w, start=_at(21), minutes=60), "accepted")
    make_visit(w, start=_at(24), minutes=60, closed=False, caregiver=w.carer2)
    make_visit(w, start=_at(2, 11), minutes=60)
    make_visit(w, start=_at(5), minutes=60, elder=w.guandu_elder, caregiver=w.guandu_carer)
    from chuncheng.elders.models import Elder

    third = register(personas.wuhua, "钱七", 82, 44, w.village)
    Elder.objects.filter(pk=third.pk).update(capability_level="total")
    third.refresh_from_db()
    late = setup(third, personas.community, personas.wuhua_home, start=date(2026, 11, 1))
    return bed, guandu_bed, late


def test_compliance_by_hand(october, django_assert_num_queries):
    bed, guandu_bed, _late = october
    beds = HomeCareBed.objects.select_related("elder__org_unit").order_by("id")
    with django_assert_num_queries(1):  # one aggregate query for every bed of the area, no query per bed
        rows = queries.compliance_rows(beds, "2026-10")
    got = {row.bed.pk: (row.planned, row.verified, row.rate, row.status) for row in rows}
    assert got == {
        bed.pk: (5, 4, Decimal("0.80"), "short"),
        guandu_bed.pk: (1, 1, Decimal("1.00"), "compliant"),
    }
    wuhua = queries.compliance_rows(beds.filter(elder__org_unit__code__startswith="530102"), "2026-11")
    assert [(r.bed.pk, r.verified, r.status) for r in wuhua] == [(bed.pk, 1, "short"), (_late.pk, 0, "short")]


def test_suspended_beds_are_not_measured(october, personas):
    bed, guandu_bed, _late = october
    services.change_status(bed, "suspended", actor=personas.community)
    assert [r.bed.pk for r in queries.compliance_rows(HomeCareBed.objects.all(), "2026-10")] == [guandu_bed.pk]


def test_active_beds_per_area_on_a_date(october, personas):
    bed, guandu_bed, _late = october
    everything = HomeCareBed.objects.all()
    assert queries.active_counts(everything, date(2026, 10, 15)) == [
        {"code": "530102", "name": "五华区", "count": 1},
        {"code": "530111", "name": "官渡区", "count": 1},
    ]
    assert [(r["code"], r["count"]) for r in queries.active_counts(everything, date(2026, 11, 2), "township")] == [
        ("530102001", 2),
        ("530111001", 1),
    ]
    services.change_status(guandu_bed, "closed", on=date(2026, 11, 10), actor=personas.guandu)
    services.change_status(bed, "suspended", actor=personas.community)
    assert queries.active_counts(everything, date(2026, 11, 20)) == [{"code": "530102", "name": "五华区", "count": 1}]
    guandu = HomeCareBed.objects.for_user(personas.guandu)
    assert [r["count"] for r in queries.active_counts(guandu, date(2026, 11, 2))] == [1]  # closed later: counted
    assert queries.active_counts(guandu, date(2026, 11, 20)) == []
