"""Scoped reads shared by the page and the API: the user's area, an area's indicator table on a date (stored
snapshots where present, else computed live), targets per set and attainment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import ADMIN_ROLES, Action, Level
from chuncheng.core.scope import org_scope_prefix, permitted
from chuncheng.elders.choices import CapabilityLevel
from chuncheng.monitoring import attainment as rule
from chuncheng.monitoring import compute, panels, services, sparkline
from chuncheng.monitoring.choices import Attainment, Direction, ErrorCode, SourceKind, TargetLevel, Theme, ValueStatus
from chuncheng.monitoring.models import Indicator, IndicatorSnapshot

RESOURCE = "monitoring"
TREND_MONTHS = 24  # the sparkline's span: one point per month (the month's latest snapshot)
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
    trend: sparkline.Sparkline | None = None
    drill: bool = False

    @property
    def status_label(self) -> str:
        return ValueStatus(self.status).label

    @property
    def lead_status(self) -> str:
        """The attainment of the first target set that applies (the colour of the value and its sparkline)."""
        for t in self.targets:
            if t.status != Attainment.NOT_APPLICABLE:
                return t.status
        return Attainment.NO_VALUE


def month_ends(day: date, months: int) -> list[date]:
    """The last day of each of the ``months`` months before ``day``'s month."""
    ends, first = [], day.replace(day=1)
    for _i in range(months):
        first -= timedelta(days=1)
        ends.append(first)
        first = first.replace(day=1)
    return ends


def unit_history(unit: OrgUnit, day: date, window_days: int) -> dict[str, list[tuple[date, Decimal]]]:
    """The unit's stored values before ``day`` that the page needs, per indicator, oldest first: every snapshot of
    the attainment window (the projection) and the month-end snapshots of the trend's span (the sparkline). One
    query, bounded by date however long the history grows."""
    wanted = Q(date__gte=day - timedelta(days=window_days)) | Q(date__in=month_ends(day, TREND_MONTHS))
    found: dict[str, list[tuple[date, Decimal]]] = {}
    for key, d, v in (
        IndicatorSnapshot.objects.filter(wanted, org_unit=unit, date__lt=day, value__isnull=False)
        .order_by("date")
        .values_list("indicator", "date", "value")
    ):
        found.setdefault(key, []).append((d, v))
    return found


def area_table(unit: OrgUnit, day: date) -> list[Row]:
    """Every indicator of the catalogue in force on ``day`` for ``unit``: the stored snapshot of that day when there
    is one, else computed now; each target with its attainment under the rule in force on the day (history: the
    unit's snapshots before the day) and the trend of the last ``TREND_MONTHS`` months."""
    stored = {s.indicator: s for s in IndicatorSnapshot.objects.filter(org_unit=unit, date=day)}
    rules = rule.rule_on(day)
    history = unit_history(unit, day, rules.window_days)
    # Without a snapshot of the day, approved reported values in force are read live, as computed values are.
    live = {}
    if not stored:
        live = {k: rv for (k, _u), rv in services.reported_in_force(day, [unit], _reported_keys(day)).items()}
    with compute.memoized():
        return _table(unit, day, stored, history, rules, live)


def _reported_keys(day: date) -> list[str]:
    catalogue = services.current_catalogue(day)
    if catalogue is None:
        return []
    return list(catalogue.indicators.filter(source_kind=SourceKind.REPORTED).values_list("key", flat=True))


def _table(
    unit: OrgUnit, day: date, stored: dict, history: dict, rules: rule.AttainmentRule, live: dict | None = None
) -> list[Row]:
    area = compute.Area.of(unit, day)
    rows = []
    for ind in indicators(day):
        snap = stored.get(ind.key)
        if snap is not None:
            row = Row(ind, snap.value, snap.numerator, snap.denominator, snap.status, True)
        elif ind.source_kind == SourceKind.COMPUTED:
            r = compute.compute(ind.key, area)
            row = Row(ind, r.value, r.numerator, r.denominator, r.status, False)
        elif (live or {}).get(ind.key) is not None:
            row = Row(ind, live[ind.key].value, None, None, ValueStatus.OK, False)
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
                    rule=rules,
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
        points = list(history.get(ind.key, ()))
        if row.value is not None:
            points.append((day, row.value))
        row.trend = sparkline.draw(sparkline.monthly(points, day, TREND_MONTHS))
        row.drill = ind.key in compute.DRILLS and row.value is not None
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
    elif missing:  # approved reported values in force, read live
        in_force = services.reported_in_force(day, missing, [key])
        computed = {
            (kid.code, day): compute.Result(None, None, in_force[(key, kid.pk)].value, ValueStatus.OK)
            for kid in missing
            if (key, kid.pk) in in_force
        }
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
    rules = rule.rule_on(day)
    for i, r in enumerate(with_value, start=1):
        r.rank = i
    for r in with_value + without:
        for target in ind.targets.all():
            if ind.target_level == TargetLevel.CITY:
                status = Attainment.NOT_APPLICABLE
            else:
                status, _projected = rule.attainment(
                    r.value, target.value, target.comparison, day, target.target_set.target_date, (), rule=rules
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
    child area (one grouped batch), the attainment overview of target set S (counts per status), and the activity
    panels of ``panels`` (capability structure of residents, meals and verified visits per day, alarms)."""
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
        "capability": panels.capability_structure(unit.code, day),
        "meals": panels.meals_per_day(unit.code, day),
        "visits": panels.visits_per_day(unit.code, day),
        "alarms": panels.alarms(unit.code, day),
        "attainment": {
            "set": SCREEN_TARGET_SET,
            "counts": [
                {"status": status, "label": str(Attainment(status).label), "count": overview[status]}
                for status in Attainment.values
                if status != Attainment.NOT_APPLICABLE
            ],
        },
    }


# ---- drill-down: the records behind a number ---------------------------------------------------------------

# Columns a drill names that are not model fields, or whose values need labels the field does not carry.
EXTRA_LABELS = {"safety_net_and_puhui": _lazy("safety-net + puhui beds")}
EXTRA_CHOICES = {"capability_level": dict(CapabilityLevel.choices)}


@dataclass
class DrillColumn:
    path: str
    label: str
    kind: str  # "bool", "number", "date" or "text"
    choices: dict | None = None

    def show(self, value):
        if value is None or value == "":
            return "—"
        if self.choices is not None:
            return self.choices.get(value, value)
        return value


def _column(model, path: str) -> DrillColumn:
    if path in EXTRA_LABELS:
        return DrillColumn(path, EXTRA_LABELS[path], "number")
    # A path through a relation ("org_unit__name") is labelled by the relation ("org unit").
    names = path.split("__")
    label = model._meta.get_field(names[0]).verbose_name
    f, current = None, model
    for name in names:
        f = current._meta.get_field(name)
        current = f.related_model if f.is_relation else current
    kind = {
        "BooleanField": "bool",
        "DateField": "date",
        "PositiveIntegerField": "number",
        "PositiveSmallIntegerField": "number",
        "IntegerField": "number",
    }.get(f.get_internal_type(), "text")
    choices = EXTRA_CHOICES.get(path) or (dict(f.flatchoices) if f.choices else None)
    return DrillColumn(path, str(label), kind, choices)


@dataclass
class DrillTable:
    indicator: Indicator
    columns: list[DrillColumn]
    records: object  # the scoped, ordered queryset of value tuples (paginated by the view)
    total_column: DrillColumn | None
    total: Decimal | int | None
    count: int


def drill_keys(user) -> set[str]:
    """The indicators whose records this user may see (the monitoring permission alone is not enough: the list
    shows records of another module, read through that module's own scope)."""
    return {key for key, d in compute.DRILLS.items() if permitted(user, d.model.scope_resource, Action.VIEW)}


def drill(user, unit: OrgUnit, day: date, key: str) -> DrillTable:
    """The records behind ``key``'s numerator for ``unit`` on ``day``: the compute function's own record set
    (``compute.DRILLS``), inside the area, intersected with the user's scope of that module. 404 when the indicator
    has no record list or the user may not read its module."""
    ind = indicators(day).filter(key=key).first()
    spec = compute.DRILLS.get(key)
    if ind is None or spec is None or key not in drill_keys(user):
        raise Http404
    model = spec.model
    area_filter = {f"{spec.org_field}__code__startswith": org_scope_prefix(unit.code)}
    scoped = model.objects.for_user(user, Action.VIEW)
    qs = spec.records(day).filter(pk__in=scoped.values("pk")).filter(**area_filter)
    columns = [_column(model, path) for path in spec.columns]
    summary = qs.aggregate(n=Count("pk"), **({"total": Sum(spec.total)} if spec.total else {}))
    total_column = next((c for c in columns if c.path == spec.total), None)
    records = qs.order_by(f"{spec.org_field}__code", "pk").values_list(*spec.columns)
    return DrillTable(ind, columns, records, total_column, summary.get("total"), summary["n"])
