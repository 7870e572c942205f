"""Scoped reads of the alarms module, shared by pages, API and CLI."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from chuncheng.alarms import stats
from chuncheng.alarms.choices import AREA_DIGITS, STATUS_ORDER, AlarmStatus, AreaLevel, ErrorCode
from chuncheng.alarms.models import Alarm, Device, Vendor
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.queries import today

SHANGHAI = ZoneInfo("Asia/Shanghai")


def alarms_for(user, status: str = ""):
    """Alarms of the user's area, open ones first, then newest first."""
    qs = Alarm.objects.for_user(user).select_related("elder", "org_unit", "responder", "device")
    if status in AlarmStatus.values:
        qs = qs.filter(status=status)
    order = Case(*[When(status=s, then=Value(n)) for s, n in STATUS_ORDER.items()], output_field=IntegerField())
    return qs.annotate(status_rank=order).order_by("status_rank", "-received_at", "-id")


def devices_for(user):
    return Device.objects.for_user(user).select_related("vendor", "elder__org_unit").order_by("vendor__code", "serial")


def vendors_for(user):
    """The vendor register is city-wide and holds no personal data: visible to whoever may view it."""
    return Vendor.objects.all() if permitted(user, "alarm_vendor", Action.VIEW) else Vendor.objects.none()


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` → the month's first day (default: this month)."""
    if not text:
        return today().replace(day=1)
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("A month is written YYYY-MM."), code=ErrorCode.BAD_MONTH) from exc


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in Kunming time, as aware datetimes [start, end)."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        datetime.combine(month, time.min, tzinfo=SHANGHAI),
        datetime.combine(following, time.min, tzinfo=SHANGHAI),
    )


def response_times(user, month: date, level: str = AreaLevel.COUNTY) -> list[dict]:
    """Per area (county or township) for alarms received in the month: counts, and median and p90 seconds from
    receipt to acknowledgement and from receipt to closing (over the alarms that reached that step)."""
    digits = AREA_DIGITS.get(level, AREA_DIGITS[AreaLevel.COUNTY])
    start, end = month_bounds(month)
    # ``user`` None is the command line's whole-city view (an operator of the machine, no person's data shown).
    # Percentiles are taken in Python over one month's alarms (a few thousand, not a city-sized table): SQLite has
    # no percentile_cont, and the figures must match on both databases.
    base = Alarm.objects.all() if user is None else Alarm.objects.for_user(user)
    rows = base.filter(received_at__gte=start, received_at__lt=end).values_list(
        "org_unit__code", "received_at", "acknowledged_at", "closed_at"
    )
    counts: dict[str, int] = defaultdict(int)
    ack: dict[str, list[float]] = defaultdict(list)
    close: dict[str, list[float]] = defaultdict(list)
    for code, received, acknowledged, closed in rows.iterator():
        area = code[:digits]
        counts[area] += 1
        if acknowledged:
            ack[area].append((acknowledged - received).total_seconds())
        if closed:
            close[area].append((closed - received).total_seconds())
    names = dict(OrgUnit.objects.filter(code__in=list(counts)).values_list("code", "name"))
    return [
        {
            "area": area,
            "name": names.get(area, area),
            "alarms": counts[area],
            "acknowledge": stats.summarise(ack[area]),
            "close": stats.summarise(close[area]),
        }
        for area in sorted(counts)
    ]
