"""Scoped reads shared by pages, API and exports: the visit rate per area and month, the overdue list, an elder's
entitlements and special-difficulty reasons, who is entitled to an item per area, the lists a user may see."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.welfare import conditions, services
from chuncheng.welfare.choices import AREA_DIGITS, AreaLevel, ErrorCode
from chuncheng.welfare.models import (
    BasicServiceItem,
    BasicServiceList,
    ServiceEntitlement,
    SpecialDifficultyFlag,
    SpecialDifficultyRule,
    WelfareVisit,
)


def elders_for(user, resource: str, action: str = Action.VIEW):
    """The elders of the user's area, when the user may use ``resource`` at all."""
    if not permitted(user, resource, action):
        return Elder.objects.none()
    return Elder.objects.for_user(user, Action.VIEW)


def flagged() -> Exists:
    return Exists(SpecialDifficultyFlag.objects.filter(elder_id=OuterRef("pk"), rule__active=True))


# ---- months ------------------------------------------------------------------------------------------------


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` → the month's first day (default: this month)."""
    if not text:
        return today().replace(day=1)
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("A month is written YYYY-MM."), code=ErrorCode.BAD_MONTH) from exc


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


# ---- the monthly visit rate (special_difficulty_monthly_visit_rate) ------------------------------------------


@dataclass(frozen=True)
class AreaRate:
    code: str
    name: str
    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def _unit_code(area: str) -> str:
    return area + "00" if len(area) == 4 else area


def visit_rate(user, month: date, level: str = AreaLevel.TOWNSHIP) -> list[AreaRate]:
    """Per area of ``level``: special-difficulty elders active during the month with at least one visit in it
    (numerator) over special-difficulty elders active during the month (denominator). One grouped query.

    "Active during the month": active now, or died / moved away on or after the month's first day. Flags are those
    of the latest recompute (a flag's ``since`` is when the platform first saw it, not when the person qualified)."""
    first, last = month, month_end(month)
    digits = AREA_DIGITS[AreaLevel(level)]
    visited = Exists(WelfareVisit.objects.filter(elder_id=OuterRef("pk"), visited_on__gte=first, visited_on__lte=last))
    rows = (
        elders_for(user, "welfare_visit")
        .filter(flagged())
        .filter(Q(status=ElderStatus.ACTIVE) | Q(died_on__gte=first) | Q(moved_on__gte=first))
        .annotate(area=Substr("org_unit__code", 1, digits), visited=visited)
        .order_by()
        .values("area")
        .annotate(denominator=Count("id"), numerator=Count("id", filter=Q(visited=True)))
        .order_by("area")
    )
    rows = list(rows)
    names = dict(OrgUnit.objects.filter(code__in=[_unit_code(r["area"]) for r in rows]).values_list("code", "name"))
    return [
        AreaRate(r["area"], names.get(_unit_code(r["area"]), r["area"]), r["numerator"], r["denominator"]) for r in rows
    ]


def visit_rate_total(rates: list[AreaRate]) -> AreaRate:
    return AreaRate("", _("Total"), sum(r.numerator for r in rates), sum(r.denominator for r in rates))


# ---- overdue ----------------------------------------------------------------------------------------------


def overdue_cutoff(day: date | None = None) -> date:
    """Elders not visited on or after this day are overdue."""
    return (day or today()) - timedelta(days=services.setting("visit_interval_days") - 1)


def overdue_elders(user, org: str = "", day: date | None = None):
    """Active special-difficulty elders of the user's area with no visit in the last N days (N: policy data)."""
    cutoff = overdue_cutoff(day)
    qs = (
        elders_for(user, "welfare_visit")
        .filter(status=ElderStatus.ACTIVE)
        .filter(flagged())
        .filter(~Exists(WelfareVisit.objects.filter(elder_id=OuterRef("pk"), visited_on__gte=cutoff)))
        .select_related("org_unit")
        .annotate(last_visit=Max("welfare_visits__visited_on"))
    )
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    return qs.order_by("org_unit__code", "name", "id")


def overdue_by_community(user, day: date | None = None) -> list[dict]:
    """Per community: how many special-difficulty elders are overdue (one grouped query)."""
    cutoff = overdue_cutoff(day)
    return list(
        elders_for(user, "welfare_visit")
        .filter(status=ElderStatus.ACTIVE)
        .filter(flagged())
        .filter(~Exists(WelfareVisit.objects.filter(elder_id=OuterRef("pk"), visited_on__gte=cutoff)))
        .order_by()
        .values("org_unit__code", "org_unit__name")
        .annotate(overdue=Count("id"))
        .order_by("org_unit__code")
    )


def visits_for(user, params=None):
    params = params or {}
    qs = WelfareVisit.objects.for_user(user).select_related("elder", "elder__org_unit", "visitor")
    org = (params.get("org") or "").strip()
    if org:
        qs = qs.filter(elder__org_unit__code__startswith=org)
    month = params.get("month")
    if month:
        first = parse_month(month)
        qs = qs.filter(visited_on__gte=first, visited_on__lte=month_end(first))
    return qs.order_by("-visited_on", "-id")


# ---- one elder: why --------------------------------------------------------------------------------------------


@dataclass
class Reason:
    """One rule or item checked against one elder: the result and every condition with the value seen."""

    code: str
    name: str
    passed: bool
    checks: list[conditions.Check]
    source: str = ""
    open_note: str = ""
    stored: bool | None = None  # what the last recompute stored (None: not applicable)


def special_difficulty_reasons(elder: Elder, day: date | None = None) -> list[Reason]:
    day = day or today()
    stored = set(SpecialDifficultyFlag.objects.filter(elder=elder).values_list("rule_id", flat=True))
    out = []
    for rule in SpecialDifficultyRule.objects.filter(active=True).order_by("code"):
        ok, checks = conditions.explain(rule.condition, elder, day)
        out.append(Reason(rule.code, rule.name, ok, checks, rule.source, rule.open_note, rule.pk in stored))
    return out


def entitlement_reasons(elder: Elder, day: date | None = None) -> tuple[BasicServiceList | None, list[Reason]]:
    """The list in force for the elder and, per item, whether they are entitled and why."""
    day = day or today()
    lst = services.list_for_county(elder.org_unit.code[:6], day)
    if lst is None:
        return None, []
    is_flagged = SpecialDifficultyFlag.objects.filter(elder=elder, rule__active=True).exists()
    stored = set(ServiceEntitlement.objects.filter(elder=elder).values_list("item_id", flat=True))
    out = []
    for item in lst.items.all():
        ok, checks = conditions.explain(item.condition, elder, day, flagged=is_flagged)
        ok = ok and elder.status == ElderStatus.ACTIVE
        out.append(Reason(item.code, item.name, ok, checks, item.source, item.open_note, item.pk in stored))
    return lst, out


def elder_section(user, elder: Elder, day: date | None = None) -> dict | None:
    """The context of ``welfare/_elder_section.html`` (what the elder is entitled to under the list, and why), or
    ``None`` when the user may not see the service lists."""
    if not permitted(user, "service_list", Action.VIEW):
        return None
    day = day or today()
    service_list, items = entitlement_reasons(elder, day)
    return {"service_list": service_list, "items": items, "rules": special_difficulty_reasons(elder, day)}


# ---- lists and items -----------------------------------------------------------------------------------------


def lists_for(user):
    """The list versions a user may see: the city default's and their county's (all of them for the city)."""
    if not permitted(user, "service_list", Action.VIEW) or user.institution_id:
        return BasicServiceList.objects.none()
    prefix = user.scope_prefix or ""
    qs = BasicServiceList.objects.select_related("county")
    if not prefix:
        return qs.none()
    if len(prefix) > 4:
        qs = qs.filter(Q(county__isnull=True) | Q(county__code=prefix[:6]))
    return qs.order_by("county__code", "-version")


def items_for(user):
    return BasicServiceItem.objects.filter(service_list__in=lists_for(user)).select_related("service_list__county")


def entitled_by_area(user, item: BasicServiceItem, level: str = AreaLevel.COUNTY) -> list[dict]:
    """Per area of the user's scope: how many elders are entitled to ``item`` (one grouped query)."""
    digits = AREA_DIGITS[AreaLevel(level)]
    rows = list(
        ServiceEntitlement.objects.for_user(user)
        .filter(item=item)
        .annotate(area=Substr("elder__org_unit__code", 1, digits))
        .order_by()
        .values("area")
        .annotate(count=Count("id"))
        .order_by("area")
    )
    names = dict(OrgUnit.objects.filter(code__in=[_unit_code(r["area"]) for r in rows]).values_list("code", "name"))
    for r in rows:
        r["name"] = names.get(_unit_code(r["area"]), r["area"])
    return rows


def entitled_elders(user, item: BasicServiceItem, org: str = "", action: str = Action.VIEW):
    qs = (
        ServiceEntitlement.objects.for_user(user, action)
        .filter(item=item)
        .select_related("elder", "elder__org_unit")
        .order_by("elder__org_unit__code", "elder__name", "elder_id")
    )
    if org:
        qs = qs.filter(elder__org_unit__code__startswith=org)
    return qs
