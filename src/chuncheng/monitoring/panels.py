"""The big screen's activity panels (reads only): capability structure of residents, canteen meals and verified
home visits per day, alarms. Each panel is one or two grouped queries bounded by date (the last ``DAYS`` days up to
the screen's date) that the tables' indexes serve: meals by ``served_on`` (meals_record_day), visits by
``visit_date`` (homecare_visit_date), alarms by ``received_at``. Only counts leave this module, never a person.

The area filter is a code prefix on the record's org unit. When the area holds the whole org tree (the city of the
demo, and of a deployment for one city) the filter is left out: it would exclude nothing and only cost a join on
tables of tens of millions of rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import org_scope_prefix

DAYS = 30
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_ASSESSED = "not_assessed"


def _area(field: str, code: str) -> Q:
    """``field__code__startswith`` the area's prefix, or nothing when every org unit lies inside the area."""
    prefix = org_scope_prefix(code)
    if not OrgUnit.objects.exclude(code__startswith=prefix).exists():
        return Q()
    return Q(**{f"{field}__code__startswith": prefix})


def days_back(day: date, days: int = DAYS) -> list[date]:
    return [day - timedelta(days=n) for n in range(days - 1, -1, -1)]


def _series(rows, day: date) -> list[dict]:
    counts = {d: n for d, n in rows}
    return [{"date": d.isoformat(), "count": counts.get(d, 0)} for d in days_back(day)]


def capability_structure(code: str, day: date) -> list[dict]:
    """Residents of the area's institutions on ``day`` (stays open that day) per GB/T 42195 capability level (the
    elder's level as assessed now; no level yet → not assessed). One grouped query."""
    from chuncheng.elders.choices import CapabilityLevel
    from chuncheng.institutions.models import Admission

    rows = dict(
        Admission.objects.filter(_area("institution__org_unit", code), admitted_on__lte=day)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gt=day))
        .order_by()
        .values_list("elder__capability_level")
        .annotate(n=Count("id"))
    )
    levels = [(level, str(label)) for level, label in CapabilityLevel.choices]
    result = [{"level": level, "label": label, "count": rows.get(level, 0)} for level, label in levels]
    unassessed = sum(n for level, n in rows.items() if level not in CapabilityLevel.values)
    result.append({"level": NOT_ASSESSED, "label": _("Not assessed"), "count": unassessed})
    return result


def meals_per_day(code: str, day: date) -> list[dict]:
    """Canteen meals served per day at the area's meal sites over the last ``DAYS`` days. One grouped query."""
    from chuncheng.meals.models import MealRecord

    start = day - timedelta(days=DAYS - 1)
    rows = (
        MealRecord.objects.filter(_area("site__org_unit", code), served_on__gte=start, served_on__lte=day)
        .order_by()
        .values_list("served_on")
        .annotate(n=Count("id"))
    )
    return _series(rows, day)


def visits_per_day(code: str, day: date) -> list[dict]:
    """Verified home visits per day (checked out and confirmed by the elder) of the area's elders over the last
    ``DAYS`` days. One grouped query."""
    from chuncheng.homecare.choices import VisitStatus
    from chuncheng.homecare.models import Visit

    start = day - timedelta(days=DAYS - 1)
    rows = (
        Visit.objects.filter(
            _area("elder__org_unit", code),
            visit_date__gte=start,
            visit_date__lte=day,
            status=VisitStatus.CLOSED,
            confirmed=True,
        )
        .order_by()
        .values_list("visit_date")
        .annotate(n=Count("id"))
    )
    return _series(rows, day)


def alarms(code: str, day: date) -> dict:
    """Alarms of the area: received on ``day`` (Kunming time) and how many of them are closed / still open; open
    now whatever the day received; and the median and p90 seconds from receipt to acknowledgement and to closing
    over the last ``DAYS`` days (the alarms that reached that step). Two queries."""
    from chuncheng.alarms import stats
    from chuncheng.alarms.choices import AlarmStatus
    from chuncheng.alarms.models import Alarm

    area = _area("org_unit", code)
    start_of_day = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    end_of_day = start_of_day + timedelta(days=1)
    window_start = start_of_day - timedelta(days=DAYS - 1)
    today = Q(received_at__gte=start_of_day, received_at__lt=end_of_day)
    counts = Alarm.objects.filter(area, received_at__lt=end_of_day).aggregate(
        received=Count("id", filter=today),
        closed=Count("id", filter=today & Q(status=AlarmStatus.CLOSED)),
        open_now=Count("id", filter=~Q(status=AlarmStatus.CLOSED)),
    )
    acknowledge, close = [], []
    for received, acknowledged, closed in Alarm.objects.filter(
        area, received_at__gte=window_start, received_at__lt=end_of_day
    ).values_list("received_at", "acknowledged_at", "closed_at"):
        if acknowledged:
            acknowledge.append((acknowledged - received).total_seconds())
        if closed:
            close.append((closed - received).total_seconds())
    return {
        "received_today": counts["received"],
        "closed_today": counts["closed"],
        "open_today": counts["received"] - counts["closed"],
        "open_now": counts["open_now"],
        "window_days": DAYS,
        "acknowledge": stats.summarise(acknowledge),
        "close": stats.summarise(close),
    }
