"""Scoped reads shared by the page and the API: the user's area, an area's indicator table on a date (stored
snapshots where present, else computed live), targets per set and attainment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import ADMIN_ROLES, Action, Level
from chuncheng.core.scope import permitted
from chuncheng.monitoring import attainment as rule
from chuncheng.monitoring import compute, services
from chuncheng.monitoring.choices import Attainment, ErrorCode, SourceKind, TargetLevel, ValueStatus
from chuncheng.monitoring.models import Indicator, IndicatorSnapshot

RESOURCE = "monitoring"
CHILD_LEVEL = {Level.CITY: Level.COUNTY, Level.COUNTY: Level.TOWNSHIP}
ATTAINMENT_CSS = {
    Attainment.ATTAINED: "text-bg-success",
    Attainment.ON_TRACK: "text-bg-info",
    Attainment.AT_RISK: "text-bg-warning",
    Attainment.OFF_TRACK: "text-bg-danger",
    Attainment.NO_VALUE: "text-bg-light border",
    Attainment.NOT_APPLICABLE: "text-bg-light border",
}


def parse_date(text: str | None) -> date:
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(_("A date is written YYYY-MM-DD."), code=ErrorCode.BAD_DATE) from exc


def area_for(user, code: str | None = None, action: str = Action.VIEW) -> OrgUnit:
    """The org unit ``code`` if it lies in the user's area (else 404); without a code, the user's own unit."""
    if not permitted(user, RESOURCE, action) or user.role in ADMIN_ROLES or user.institution_id:
        raise Http404
    prefix = user.scope_prefix
    code = code or user.org_unit.code
    if not prefix or not code.startswith(prefix):
        raise Http404
    unit = OrgUnit.objects.filter(code=code, level__in=services.SNAPSHOT_LEVELS).first()
    if unit is None:
        raise Http404
    return unit


def children(unit: OrgUnit, day: date):
    level = CHILD_LEVEL.get(Level(unit.level))
    if level is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.valid_on(day).filter(parent=unit, level=level).order_by("code")


def indicators(day: date | None = None):
    catalogue = services.current_catalogue(day)
    if catalogue is None:
        return Indicator.objects.none()
    return catalogue.indicators.prefetch_related("targets__target_set").order_by("position")


@dataclass
class TargetRow:
    code: str
    text: str
    value: Decimal
    comparison: str
    source: str
    note: str
    status: str
    projected: Decimal | None

    @property
    def label(self) -> str:
        return Attainment(self.status).label

    @property
    def css(self) -> str:
        return ATTAINMENT_CSS[self.status]


@dataclass
class Row:
    indicator: Indicator
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    stored: bool
    targets: list[TargetRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return ValueStatus(self.status).label


def area_table(unit: OrgUnit, day: date) -> list[Row]:
    """Every indicator of the catalogue in force on ``day`` for ``unit``: the stored snapshot of that day when there
    is one, else computed now; each target with its attainment (history: the unit's snapshots before the day)."""
    stored = {s.indicator: s for s in IndicatorSnapshot.objects.filter(org_unit=unit, date=day)}
    history: dict[str, list[tuple[date, Decimal]]] = {}
    for key, d, v in (
        IndicatorSnapshot.objects.filter(org_unit=unit, date__lt=day, value__isnull=False)
        .order_by("date")
        .values_list("indicator", "date", "value")
    ):
        history.setdefault(key, []).append((d, v))
    with compute.memoized():
        return _table(unit, day, stored, history)


def _table(unit: OrgUnit, day: date, stored: dict, history: dict) -> list[Row]:
    area = compute.Area.of(unit, day)
    rows = []
    for ind in indicators(day):
        snap = stored.get(ind.key)
        if snap is not None:
            row = Row(ind, snap.value, snap.numerator, snap.denominator, snap.status, True)
        elif ind.source_kind == SourceKind.COMPUTED:
            r = compute.compute(ind.key, area)
            row = Row(ind, r.value, r.numerator, r.denominator, r.status, False)
        else:
            r = compute.compute("", area)
            row = Row(ind, None, None, None, r.status, False)
        for target in ind.targets.all():
            if ind.target_level == TargetLevel.CITY and unit.level != Level.CITY:
                status, projected = Attainment.NOT_APPLICABLE, None
            else:
                status, projected = rule.attainment(
                    row.value,
                    target.value,
                    target.comparison,
                    day,
                    target.target_set.target_date,
                    history.get(ind.key, ()),
                )
            row.targets.append(
                TargetRow(
                    target.target_set.code,
                    target.text,
                    target.value,
                    target.comparison,
                    target.source,
                    target.note,
                    status,
                    projected,
                )
            )
        rows.append(row)
    return rows
