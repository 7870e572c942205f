"""Reads of family care beds, every one through the user's scope (``for_user``): lists, the month's compliance (one
aggregate query for all beds of an area) and the count of active beds per area on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from chuncheng.core.models import OrgUnit
from chuncheng.familybeds import rules
from chuncheng.familybeds.choices import BedStatus
from chuncheng.familybeds.models import HomeCareBed
from chuncheng.homecare.models import Visit

AREA_LENGTH = {"county": 6, "township": 9}


def beds_for(user, params=None) -> QuerySet[HomeCareBed]:
    params = params or {}
    qs = HomeCareBed.objects.for_user(user).select_related("elder__org_unit", "institution", "provider", "adaptation")
    if params.get("status") in BedStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("org"):
        qs = qs.filter(elder__org_unit__code__startswith=params["org"])
    return qs.order_by("-start_date", "-id")


def with_compliance(beds: QuerySet[HomeCareBed], month: str) -> QuerySet[HomeCareBed]:
    """The beds in force during the month, annotated with ``verified`` (payable visits of the elder that month).

    One correlated aggregate in the same query for every bed (no query per bed)."""
    first, last = rules.month_range(month)
    verified = (
        Visit.objects.payable()
        .filter(elder_id=OuterRef("elder_id"), visit_date__gte=first, visit_date__lte=last)
        .order_by()
        .values("elder_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        beds.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .exclude(status=BedStatus.SUSPENDED)
        .annotate(verified=Coalesce(Subquery(verified, output_field=IntegerField()), Value(0)))
    )


@dataclass(frozen=True)
class Compliance:
    bed: HomeCareBed
    month: str
    planned: int
    verified: int
    rate: Decimal
    status: str


def compliance_rows(beds: QuerySet[HomeCareBed], month: str) -> list[Compliance]:
    rows = []
    for bed in with_compliance(beds, month):
        rate, status = rules.compliance(bed.planned_visits, bed.verified)
        rows.append(Compliance(bed, month, bed.planned_visits, bed.verified, rate, status))
    return rows


def compliance_history(bed: HomeCareBed, months: list[str]) -> list[Compliance]:
    """The bed's compliance for each month (one query per month; a detail page shows a handful)."""
    out = []
    for month in months:
        out.extend(compliance_rows(HomeCareBed.objects.filter(pk=bed.pk), month))
    return out


def active_counts(beds: QuerySet[HomeCareBed], on: date, level: str = "county") -> list[dict]:
    """Beds in force on a date per area (county or township code), with the area's name; one grouped query.

    A closed bed counts for the days of its period (start to end date); a suspended bed does not count."""
    length = AREA_LENGTH[level]
    rows = (
        beds.exclude(status=BedStatus.SUSPENDED)
        .filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .annotate(area=Substr("elder__org_unit__code", 1, length))
        .order_by()
        .values("area")
        .annotate(count=Count("id"))
        .order_by("area")
    )
    rows = list(rows)
    names = dict(OrgUnit.objects.filter(code__in=[r["area"] for r in rows]).values_list("code", "name"))
    return [{"code": r["area"], "name": names.get(r["area"], ""), "count": r["count"]} for r in rows]
