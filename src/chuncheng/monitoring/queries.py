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
from chuncheng.monitoring.choices import Attainment, Direction, ErrorCode, SourceKind, TargetLevel, Theme, ValueStatus
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


@dataclass
class RankRow:
    rank: int | None
    unit: OrgUnit
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    targets: list[TargetRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return ValueStatus(self.status).label


def ranking(unit: OrgUnit, day: date, key: str) -> tuple[Indicator | None, list[RankRow]]:
    """The child areas of ``unit`` (counties of the city, townships of a county) ranked by one indicator on ``day``:
    stored snapshots where present, the rest computed in one grouped batch; best first by the indicator's direction,
    areas without a value last. Each with its attainment per target set (no projection: the current value)."""
    ind = indicators(day).filter(key=key).first()
    kids = list(children(unit, day))
    if ind is None or not kids:
        return ind, []
    stored = {s.org_unit_id: s for s in IndicatorSnapshot.objects.filter(indicator=key, date=day, org_unit__in=kids)}
    missing = [k for k in kids if k.pk not in stored]
    computed = {}
    if missing and ind.source_kind == SourceKind.COMPUTED:
        computed = compute.compute_many(key, [compute.Area.of(k, day) for k in missing])
    rows = []
    for kid in kids:
        snap = stored.get(kid.pk) or computed.get((kid.code, day))
        if snap is None:
            rows.append(RankRow(None, kid, None, None, None, ValueStatus.AWAITING_REPORT))
        else:
            rows.append(RankRow(None, kid, snap.value, snap.numerator, snap.denominator, snap.status))
    lower = ind.direction == Direction.LOWER
    with_value = sorted(
        (r for r in rows if r.value is not None), key=lambda r: (r.value if lower else -r.value, r.unit.code)
    )
    without = [r for r in rows if r.value is None]
    for i, r in enumerate(with_value, start=1):
        r.rank = i
    for r in with_value + without:
        for target in ind.targets.all():
            if ind.target_level == TargetLevel.CITY:
                status = Attainment.NOT_APPLICABLE
            else:
                status, _projected = rule.attainment(
                    r.value, target.value, target.comparison, day, target.target_set.target_date, ()
                )
            r.targets.append(
                TargetRow(
                    target.target_set.code,
                    target.text,
                    target.value,
                    target.comparison,
                    target.source,
                    target.note,
                    status,
                    None,
                )
            )
    return ind, with_value + without


def by_theme(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """The table's rows grouped by theme, in catalogue order."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.indicator.theme, []).append(row)
    return [(Theme(theme).label, group) for theme, group in groups.items()]


SCREEN_HEADLINES = (
    "beds_per_1000_elders",
    "nursing_bed_share",
    "safety_net_and_puhui_bed_share",
    "medical_integration_coverage",
    "canteens_stock",
    "special_difficulty_monthly_visit_rate",
)
SCREEN_TARGET_SET = "S"


def _float(value) -> float | None:
    return None if value is None else float(value)


def screen_data(unit: OrgUnit, day: date) -> dict:
    """What the big screen shows for ``unit`` on ``day``: headline figures, approved beds and nursing-bed share per
    child area (one grouped batch), and the attainment overview of target set S (counts per status)."""
    rows = area_table(unit, day)
    by_key = {r.indicator.key: r for r in rows}
    headlines = [
        {
            "key": key,
            "name": by_key[key].indicator.name_zh,
            "unit": by_key[key].indicator.get_unit_display(),
            "value": _float(by_key[key].value),
            "status": by_key[key].status,
        }
        for key in SCREEN_HEADLINES
        if key in by_key
    ]
    kids = list(children(unit, day))
    areas = [compute.Area.of(k, day) for k in kids]
    with compute.memoized():
        nursing = compute.compute_many("nursing_bed_share", areas)
    per_child = [
        {
            "code": k.code,
            "name": k.name,
            "beds": _float(nursing[(k.code, day)].denominator or 0),
            "nursing_share": _float(nursing[(k.code, day)].value),
        }
        for k in kids
    ]
    overview: dict[str, int] = {status: 0 for status in Attainment.values}
    for r in rows:
        for t in r.targets:
            if t.code == SCREEN_TARGET_SET:
                overview[t.status] += 1
    return {
        "org": {"code": unit.code, "name": unit.name, "level": unit.level},
        "date": day.isoformat(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "headlines": headlines,
        "children": per_child,
        "attainment": {
            "set": SCREEN_TARGET_SET,
            "counts": [
                {"status": status, "label": str(Attainment(status).label), "count": overview[status]}
                for status in Attainment.values
                if status != Attainment.NOT_APPLICABLE
            ],
        },
    }
