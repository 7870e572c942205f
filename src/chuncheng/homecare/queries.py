"""Reads of home care, every one through the user's scope (``for_user``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from chuncheng.homecare.choices import AlertKind, AlertStatus, FlagStatus, OrderStatus, VisitStatus
from chuncheng.homecare.models import Provider, ProviderSettlement, ScheduleAlert, ServiceOrder, Visit, VisitFlag


def providers_for(user) -> QuerySet[Provider]:
    return Provider.objects.for_user(user).select_related("org_unit").annotate(caregiver_count=Count("caregivers"))


def orders_for(user, params=None) -> QuerySet[ServiceOrder]:
    params = params or {}
    qs = ServiceOrder.objects.for_user(user).select_related("elder__org_unit", "provider", "caregiver__staff")
    if params.get("status") in OrderStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("org"):
        qs = qs.filter(elder__org_unit__code__startswith=params["org"])
    return qs.order_by("-scheduled_on", "-id")


def visits_for(user, params=None) -> QuerySet[Visit]:
    params = params or {}
    blocking = VisitFlag.objects.filter(visit_id=OuterRef("pk"), status__in=[FlagStatus.OPEN, FlagStatus.ACCEPTED])
    qs = (
        Visit.objects.for_user(user)
        .select_related("order", "elder__org_unit", "caregiver__staff", "caregiver__provider")
        .annotate(
            flag_count=Count("flags", filter=Q(flags__status=FlagStatus.OPEN)),
            blocked=Exists(blocking),
        )
    )
    if params.get("org"):
        qs = qs.filter(elder__org_unit__code__startswith=params["org"])
    if params.get("flagged") in {"1", "true"}:
        qs = qs.filter(flags__status=FlagStatus.OPEN).distinct()
    return qs.order_by("-check_in_at", "-id")


def is_payable(visit: Visit) -> bool:
    """The derived status for one visit already annotated by ``visits_for``."""
    return visit.status == VisitStatus.CLOSED and visit.confirmed and not visit.blocked


def flags_for(user, params=None) -> QuerySet[VisitFlag]:
    params = params or {}
    qs = VisitFlag.objects.for_user(user).select_related(
        "visit__elder", "visit__caregiver__staff", "visit__order", "reviewed_by"
    )
    if params.get("status") in FlagStatus.values:
        qs = qs.filter(status=params["status"])
    return qs.order_by("status", "-created_at", "-id")


def caregiver_day(user, day: date) -> QuerySet[ServiceOrder]:
    """The orders of the user's caregiver record for the day (assigned, in service or completed)."""
    caregiver = getattr(user, "caregiver", None)
    if caregiver is None:
        return ServiceOrder.objects.none()
    return (
        ServiceOrder.objects.for_user(user)
        .filter(caregiver=caregiver, scheduled_on=day)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("elder")
        .prefetch_related("visits")
        .order_by("id")
    )


def alerts_for(user, params=None) -> QuerySet[ScheduleAlert]:
    """Schedule alerts of the user's area (by the order's elder), open ones first."""
    params = params or {}
    qs = ScheduleAlert.objects.for_user(user).select_related(
        "order__elder__org_unit", "order__provider", "order__caregiver__staff"
    )
    if params.get("status") in AlertStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("kind") in AlertKind.values:
        qs = qs.filter(kind=params["kind"])
    if params.get("org"):
        qs = qs.filter(order__elder__org_unit__code__startswith=params["org"])
    return qs.order_by("status", "-scheduled_on", "-id")


def schedule_for(user, day: date) -> QuerySet[ServiceOrder]:
    """The day's orders of the user's scope (a provider: its own) with caregiver and window, earliest window first;
    the open late/missed alerts come prefetched (one query for the page)."""
    return (
        ServiceOrder.objects.for_user(user)
        .filter(scheduled_on=day)
        .select_related("elder__org_unit", "caregiver__staff", "provider")
        .prefetch_related("alerts")
        .order_by("window_start", "id")
    )


def order_counts(user) -> dict[str, int]:
    """Orders of the user's scope per state (one grouped query)."""
    rows = ServiceOrder.objects.for_user(user).values("status").annotate(n=Count("id")).order_by()
    counts = {status: 0 for status in OrderStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def settlements_for(user, params=None) -> QuerySet[ProviderSettlement]:
    """Settlements of providers registered in the user's area (a provider: its own), newest month first."""
    params = params or {}
    qs = ProviderSettlement.objects.for_user(user).select_related(
        "provider__org_unit", "created_by", "approved_by", "ledger_entry"
    )
    if params.get("month"):
        try:
            qs = qs.filter(month=date.fromisoformat(f"{str(params['month'])[:7]}-01"))
        except ValueError:
            qs = qs.none()
    if params.get("status") in ("draft", "approved"):
        qs = qs.filter(status=params["status"])
    return qs.order_by("-month", "provider__name", "id")
