"""Reads of meal assistance, every one through the user's scope."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet

from chuncheng.core.roles import ADMIN_ROLES, Action
from chuncheng.core.scope import permitted
from chuncheng.institutions.models import Facility
from chuncheng.meals.flags import month_bounds
from chuncheng.meals.models import MealFlag, MealRecord
from chuncheng.meals.services import SITE_KINDS


def sites_for(user, resource: str = "meal_record", action: str = Action.VIEW) -> QuerySet:
    """Canteens and meal points in the user's area (operators and administrators: none)."""
    sites = Facility.objects.filter(kind__in=SITE_KINDS).select_related("org_unit").order_by("code")
    if not permitted(user, resource, action) or user.role in ADMIN_ROLES or user.institution_id:
        return sites.none()
    prefix = user.scope_prefix
    return sites.filter(org_unit__code__startswith=prefix) if prefix else sites.none()


def records_for(user, params=None) -> QuerySet:
    """Meal records in the user's area, newest first; ``month``, ``site`` (code) and ``flagged`` (1) filter."""
    params = params or {}
    flagged = Exists(MealFlag.objects.filter(record=OuterRef("pk")))
    qs = (
        MealRecord.objects.for_user(user)
        .select_related("elder", "site")
        .annotate(flagged=flagged, flag_count=Count("flags"))
        .order_by("-served_on", "-id")
    )
    if params.get("month"):
        from chuncheng.meals.services import parse_month

        start, end = month_bounds(parse_month(params["month"]))
        qs = qs.filter(served_on__range=(start, end))
    if params.get("site"):
        qs = qs.filter(site__code=params["site"])
    if params.get("flagged") in ("1", "true"):
        qs = qs.filter(flagged=True)
    return qs


def flags_of(records) -> dict[int, list[str]]:
    """The rules each record met (one query for a page of records)."""
    out: dict[int, list[str]] = {}
    for record_id, rule in MealFlag.objects.filter(record__in=[r.pk for r in records]).values_list("record_id", "rule"):
        out.setdefault(record_id, []).append(rule)
    return out


def last_month() -> date:
    from chuncheng.elders.queries import today

    first = today().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)
