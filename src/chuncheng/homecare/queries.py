"""Reads of home care, every one through the user's scope (``for_user``)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from chuncheng.homecare.choices import AlertKind, AlertStatus, FlagStatus, OrderStatus, VisitStatus
from chuncheng.homecare.models import Provider, ScheduleAlert, ServiceOrder, Visit, VisitFlag


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


def flags_for(user) -> QuerySet[VisitFlag]:
    return VisitFlag.objects.for_user(user).select_related("visit__elder", "visit__caregiver__staff")


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
