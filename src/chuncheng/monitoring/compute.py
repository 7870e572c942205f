"""Computed indicators, grouped: one function per indicator key computes it for a whole batch of areas of one level
(the city, every county, every township) with one aggregate query per shared figure, grouped by the areas' code
prefix (``Substr(org_unit__code, 1, 4/6/9)``). The number of queries does not grow with the number of areas. A single
area is the same function on a batch of one (``compute``). Never a loop over records. Indicators whose module does
not exist yet return ``no_data_source`` (a status, never a made-up value).

"As it was on a date": institutions and facilities count when in operation and opened on or before the date, staff
when hired on or before it and not yet gone; the child units counted in coverage indicators are those valid on the
date (``OrgUnit.objects.valid_on``)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr

from chuncheng.core.models import OrgUnit, Population
from chuncheng.core.roles import Level, Role
from chuncheng.core.scope import org_scope_prefix
from chuncheng.elders.choices import CapabilityLevel, ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.institutions.choices import FacilityKind, FacilityStatus, InstitutionStatus, StaffRole
from chuncheng.institutions.models import Admission, Facility, Institution, Staff
from chuncheng.monitoring.choices import UNIT_SCALE, Unit, ValueStatus

FOUR = Decimal("0.0001")
CHILD_LEVEL = {Level.CITY: Level.COUNTY, Level.COUNTY: Level.TOWNSHIP, Level.TOWNSHIP: Level.VILLAGE}
LEVEL_DIGITS = {Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}


@dataclass(frozen=True)
class Area:
    """An org unit on a date: ``prefix`` matches the codes of everything inside it."""

    code: str
    level: str
    day: date

    @property
    def prefix(self) -> str:
        return org_scope_prefix(self.code)

    @classmethod
    def of(cls, unit: OrgUnit, day: date) -> Area:
        return cls(unit.code, unit.level, day)


@dataclass(frozen=True)
class Result:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    status: str


def _q(x) -> Decimal:
    return Decimal(x).quantize(FOUR, rounding=ROUND_HALF_UP)


def ratio(numerator, denominator, unit: str) -> Result:
    """numerator / denominator in the unit (percent ×100, per 1,000 ×1000, per 100 ×100)."""
    if denominator is None or denominator == 0:
        return Result(_q(numerator or 0), None if denominator is None else _q(0), None, ValueStatus.NO_DENOMINATOR)
    value = Decimal(numerator) * UNIT_SCALE.get(Unit(unit), 1) / Decimal(denominator)
    return Result(_q(numerator), _q(denominator), _q(value), ValueStatus.OK)


def count(n) -> Result:
    return Result(_q(n), None, _q(n), ValueStatus.OK)


NO_SOURCE = Result(None, None, None, ValueStatus.NO_DATA_SOURCE)


# ---- batches -----------------------------------------------------------------------------------------------

# Within one run (a snapshot, one page), a batch and the figures it shares between indicators (bed sums, 60+
# population, unit lists) are read once. Outside ``memoized()`` nothing is cached, so a long-lived process never
# serves a stale figure.
_MEMO: ContextVar[dict | None] = ContextVar("monitoring_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _common_prefix(codes) -> str:
    first, last = min(codes), max(codes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


class Batch:
    """Areas of one date whose prefixes have the same length (one level): every query of an indicator filters on
    their common prefix and groups by ``Substr(code, 1, digits)``; results are keyed by area prefix."""

    def __init__(self, day: date, areas: Iterable[Area]) -> None:
        self.day = day
        self.areas = list(areas)
        prefixes = {a.prefix for a in self.areas}
        lengths = {len(p) for p in prefixes}
        if len(lengths) != 1 or any(a.day != day for a in self.areas):
            raise ValueError("A batch holds areas of one date and one prefix length.")
        self.digits = lengths.pop()
        self.within = _common_prefix(prefixes)
        self._cache: dict = {}

    @classmethod
    def single(cls, area: Area) -> Batch:
        cache = _MEMO.get()
        if cache is None:
            return cls(area.day, [area])
        key = ("batch", area)
        if key not in cache:
            cache[key] = cls(area.day, [area])
        return cache[key]

    def memo(self, name, fn: Callable):
        if name not in self._cache:
            self._cache[name] = fn()
        return self._cache[name]

    def grouped(self, qs, field: str = "org_unit__code"):
        """``qs`` restricted to the batch and grouped per area: ``.annotate(...)`` next gives one row per area."""
        return (
            qs.filter(**{f"{field}__startswith": self.within})
            .annotate(area=Substr(field, 1, self.digits))
            .order_by()
            .values("area")
        )

    def rows(self, qs, field: str = "org_unit__code", **aggregates) -> dict[str, dict]:
        """Per area prefix, the aggregates over ``qs``. Inside ``memoized()`` additive aggregates (counts and sums,
        not distinct) are read once at township resolution and summed up for the county and city batches of the same
        snapshot: the three levels then cost one scan of a city-sized table instead of three."""
        cache = _MEMO.get()
        key = _rollup_key(qs, field, self.within, self.digits, aggregates) if cache is not None else None
        if key is None:
            return {r["area"]: r for r in self.grouped(qs, field).annotate(**aggregates)}
        if key not in cache:
            cache[key] = list(
                qs.filter(**{f"{field}__startswith": self.within})
                .annotate(area=Substr(field, 1, key[3]))
                .order_by()
                .values("area")
                .annotate(**aggregates)
            )
        summed: dict[str, dict] = {}
        for row in cache[key]:
            area = row["area"][: self.digits]
            acc = summed.setdefault(area, {"area": area, **dict.fromkeys(aggregates)})
            for name in aggregates:
                if row[name] is not None:
                    acc[name] = (acc[name] or 0) + row[name]
        return summed

    def each(self, fn: Callable[[Area], Result]) -> dict[str, Result]:
        return {a.code: fn(a) for a in self.areas}


FINEST_DIGITS = 9  # township: the resolution additive figures are read at, then summed up


def _rollup_key(qs, field: str, within: str, digits: int, aggregates: dict) -> tuple | None:
    """The memo key of an additive grouped read, or None when the aggregates do not add up (distinct counts,
    averages, minima) or the query cannot be keyed."""
    if not all(isinstance(a, Count | Sum) and not getattr(a, "distinct", False) for a in aggregates.values()):
        return None
    try:
        sql = str(qs.query)
    except EmptyResultSet:
        return None
    shape = tuple(sorted((name, repr(a)) for name, a in aggregates.items()))
    return ("rows", sql, field, max(FINEST_DIGITS, digits), within, shape)


def batches(areas: Iterable[Area]) -> list[Batch]:
    """The areas split into batches (one per date, prefix length and province)."""
    groups: dict[tuple, list[Area]] = defaultdict(list)
    for a in areas:
        groups[(a.day, len(a.prefix), a.prefix[:2])].append(a)
    return [Batch(day, group) for (day, _n, _p), group in groups.items()]


# ---- the shared sets ---------------------------------------------------------------------------------------


def institutions_on(day: date):
    """Institutions in operation on the date (status is today's: an exited home has no exit date)."""
    return Institution.objects.filter(status=InstitutionStatus.ACTIVE).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=day)
    )


def facilities_on(day: date, kinds):
    return Facility.objects.filter(status=FacilityStatus.ACTIVE, kind__in=list(kinds)).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=day)
    )


def staff_on(day: date, role: str):
    return Staff.objects.filter(role=role).filter(
        Q(hired_on__isnull=True) | Q(hired_on__lte=day), Q(left_on__isnull=True) | Q(left_on__gt=day)
    )


def unit_codes(batch: Batch, level: str, urban: bool | None = None, within: str | None = None) -> list[str]:
    """Codes of the units of ``level`` valid on the batch's date inside the batch (one query, shared)."""
    within = batch.within if within is None else within

    def read():
        qs = OrgUnit.objects.valid_on(batch.day).filter(code__startswith=within, level=level)
        if urban is not None:
            qs = qs.filter(urban=urban)
        return list(qs.values_list("code", flat=True))

    return batch.memo(("units", level, urban, within), read)


def covered(batch: Batch, level: str, kinds, urban: bool | None = None, at_least: int = 1) -> dict[str, Result]:
    """Per area: units of ``level`` in it having at least ``at_least`` active facilities of ``kinds``, over all such
    units. Two grouped queries for the whole batch: facilities per unit, and the units."""
    digits = LEVEL_DIGITS[level]
    per_unit = {
        r["unit"]
        for r in facilities_on(batch.day, kinds)
        .filter(org_unit__code__startswith=batch.within)
        .annotate(unit=Substr("org_unit__code", 1, digits))
        .order_by()
        .values("unit")
        .annotate(n=Count("id"))
        .filter(n__gte=at_least)
    }
    hit: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for code in unit_codes(batch, level, urban):
        key = code[: batch.digits]
        total[key] += 1
        hit[key] += code in per_unit
    return batch.each(lambda a: ratio(hit[a.prefix], total[a.prefix], Unit.PERCENT))


def beds(batch: Batch) -> dict[str, dict[str, int]]:
    def read():
        rows = batch.rows(
            institutions_on(batch.day),
            approved=Coalesce(Sum("approved_beds"), 0),
            nursing=Coalesce(Sum("nursing_beds"), 0),
            safety_net=Coalesce(Sum("safety_net_beds"), 0),
            puhui=Coalesce(Sum("puhui_beds"), 0),
            government=Coalesce(Sum("approved_beds", filter=Q(government_operated=True)), 0),
        )
        zero = {"approved": 0, "nursing": 0, "safety_net": 0, "puhui": 0, "government": 0}
        return {a.prefix: rows.get(a.prefix, zero) for a in batch.areas}

    return batch.memo("beds", read)


def elders_60plus(batch: Batch) -> dict[str, int | None]:
    return batch.memo("elders_60plus", lambda: _elders_60plus(batch))


def _elders_60plus(batch: Batch) -> dict[str, int | None]:
    """Per area, the 60+ population for the date's year (the latest year on or before it): the unit's own row, or
    else the sum of its child units' rows of the latest year they have. None when there is no figure. Two queries."""
    year = batch.day.year
    own: dict[str, tuple[int, int | None]] = {}
    for code, y, n in Population.objects.filter(
        org_unit__code__in=[a.code for a in batch.areas], year__lte=year
    ).values_list("org_unit__code", "year", "population_60plus"):
        if code not in own or y > own[code][0]:
            own[code] = (y, n)
    children: dict[str, tuple[int, int | None]] = {}
    child_levels = {CHILD_LEVEL.get(Level(a.level)) for a in batch.areas} - {None}
    if child_levels:
        rows = (
            batch.grouped(Population.objects.filter(org_unit__level__in=child_levels, year__lte=year))
            .values("area", "year")
            .annotate(n=Sum("population_60plus"))
        )
        for r in rows:
            if r["area"] not in children or r["year"] > children[r["area"]][0]:
                children[r["area"]] = (r["year"], r["n"])
    result: dict[str, int | None] = {}
    for a in batch.areas:
        mine = own.get(a.code, (None, None))[1]
        if mine is not None:
            result[a.prefix] = mine
        elif CHILD_LEVEL.get(Level(a.level)) is None:
            result[a.prefix] = None
        else:
            result[a.prefix] = children.get(a.prefix, (None, None))[1]
    return result


# ---- the registry ------------------------------------------------------------------------------------------

Compute = Callable[[Area], Result]
Grouped = Callable[[Batch], dict[str, Result]]
GROUPED: dict[str, Grouped] = {}
REGISTRY: dict[str, Compute] = {}


@dataclass(frozen=True)
class Drill:
    """The records behind an indicator's numerator (drill-down from a number to its records): ``records(day)`` is
    the set the compute function counts or sums, before the area filter (unscoped: the page intersects it with the
    user's own scope of ``model``); ``org_field`` is the path to the record's org unit, whose code prefix places it
    in an area; ``columns`` are field paths shown per record; ``total`` is the column whose sum over the records is
    the numerator (None: the numerator counts areas or records, not a column)."""

    records: Callable[[date], QuerySet]
    columns: tuple[str, ...]
    org_field: str = "org_unit"
    total: str | None = None

    @property
    def model(self):
        return self.records(date(2000, 1, 1)).model


DRILLS: dict[str, Drill] = {}


def _single(key: str) -> Compute:
    def one(area: Area) -> Result:
        return GROUPED[key](Batch.single(area))[area.code]

    one.__name__ = key
    return one


def indicator(*keys: str, drill: Drill | None = None):
    """Register a grouped function (batch → {area code: Result}); ``REGISTRY`` gets the one-area wrapper and
    ``DRILLS`` the record list it drills down to, when its numerator is a set of records."""

    def wrap(fn: Grouped) -> Grouped:
        for key in keys:
            GROUPED[key] = fn
            REGISTRY[key] = _single(key)
            if drill is not None:
                DRILLS[key] = drill
        return fn

    return wrap


def no_data_source(*keys: str) -> None:
    """Indicators of §3 whose data the platform does not hold yet (module missing): status only, never a value."""
    indicator(*keys)(lambda batch: batch.each(lambda a: NO_SOURCE))


no_data_source(
    "tekun_willing_concentrated",  # no record of a person's wish for concentrated support
    "new_residential_facility_compliance",  # residential projects (配建) not built yet
    "lottery_fund_share_eldercare",  # fund ledger not built yet
    "elder_volunteer_share",  # time bank / volunteer registry not wired into monitoring yet
    "model_age_friendly_communities",
    "assistive_device_rental",
    # childcare (托育) has no module yet
    "puhui_childcare_per_township",
    "new_residential_childcare_compliance",
    "childcare_slots_per_1000",
    "puhui_slot_share",
    "street_childcare_coverage",
    "childcare_network_coverage",
    "childcare_professionals",
    "childcare_certified_share",
    "parenting_guidance_rate",
)


def _bed_share(part: Callable[[dict], int]) -> Grouped:
    def fn(batch: Batch) -> dict[str, Result]:
        b = beds(batch)
        return batch.each(lambda a: ratio(part(b[a.prefix]), b[a.prefix]["approved"], Unit.PERCENT))

    return fn


INSTITUTION_COLUMNS = (
    "name",
    "org_unit__name",
    "kind",
    "approved_beds",
    "nursing_beds",
    "safety_net_beds",
    "puhui_beds",
    "government_operated",
    "internal_medical",
    "medical_agreement",
    "opened_on",
)
FACILITY_COLUMNS = ("code", "name", "kind", "org_unit__name", "operator", "beds", "opened_on")
STAFF_COLUMNS = ("name", "role", "org_unit__name", "institution__name", "facility__name", "trained", "hired_on")


def _institutions(total: str | None = None, **filters) -> Drill:
    return Drill(lambda day: institutions_on(day).filter(**filters), INSTITUTION_COLUMNS, total=total)


def _facilities(kinds, **filters) -> Drill:
    return Drill(lambda day: facilities_on(day, kinds).filter(**filters), FACILITY_COLUMNS)


def _staff(role: str, **filters) -> Drill:
    return Drill(lambda day: staff_on(day, role).filter(**filters), STAFF_COLUMNS)


@indicator("beds_per_1000_elders", drill=_institutions("approved_beds"))
def beds_per_1000_elders(batch: Batch) -> dict[str, Result]:
    b, pop = beds(batch), elders_60plus(batch)
    return batch.each(lambda a: ratio(b[a.prefix]["approved"], pop[a.prefix], Unit.PER_1000))


indicator("nursing_bed_share", drill=_institutions("nursing_beds"))(_bed_share(lambda b: b["nursing"]))
indicator("safety_net_bed_share", drill=_institutions("safety_net_beds"))(_bed_share(lambda b: b["safety_net"]))
indicator(
    "safety_net_and_puhui_bed_share",
    drill=Drill(
        lambda day: institutions_on(day).annotate(safety_net_and_puhui=F("safety_net_beds") + F("puhui_beds")),
        (*INSTITUTION_COLUMNS, "safety_net_and_puhui"),
        total="safety_net_and_puhui",
    ),
)(_bed_share(lambda b: b["safety_net"] + b["puhui"]))
indicator("government_operated_bed_share", drill=_institutions("approved_beds", government_operated=True))(
    _bed_share(lambda b: b["government"])
)
indicator("beds_per_1000_elders_private", drill=_institutions("approved_beds", government_operated=False))(
    _bed_share(lambda b: b["approved"] - b["government"])
)


@indicator(
    "medical_integration_coverage",
    drill=Drill(
        lambda day: institutions_on(day).filter(Q(internal_medical=True) | Q(medical_agreement=True)),
        INSTITUTION_COLUMNS,
    ),
)
def medical_integration_coverage(batch: Batch) -> dict[str, Result]:
    rows = batch.rows(
        institutions_on(batch.day),
        n=Count("id"),
        hit=Count("id", filter=Q(internal_medical=True) | Q(medical_agreement=True)),
    )
    return batch.each(
        lambda a: ratio(rows.get(a.prefix, {}).get("hit", 0), rows.get(a.prefix, {}).get("n", 0), Unit.PERCENT)
    )


def _counties_with(batch: Batch, qs, at_least: int = 1) -> dict[str, Result]:
    """Per area, counties in it with at least ``at_least`` of ``qs`` over its counties; a township (or village)
    reads its county. Two queries for the batch: ``qs`` per county, and the counties."""
    within = batch.within[:6]
    hits = {
        r["county"]
        for r in qs.filter(org_unit__code__startswith=within)
        .annotate(county=Substr("org_unit__code", 1, 6))
        .order_by()
        .values("county")
        .annotate(n=Count("id"))
        .filter(n__gte=at_least)
    }
    counties = unit_codes(batch, Level.COUNTY, within=within)

    def one(area: Area) -> Result:
        prefix = area.prefix[:6]
        mine = [c for c in counties if c.startswith(prefix)]
        return ratio(sum(c in hits for c in mine), len(mine), Unit.PERCENT)

    return batch.each(one)


@indicator("medical_integrated_per_county", drill=_institutions(internal_medical=True))
def medical_integrated_per_county(batch: Batch) -> dict[str, Result]:
    return _counties_with(batch, institutions_on(batch.day).filter(internal_medical=True))


@indicator("senior_university_per_county", drill=_facilities([FacilityKind.SENIOR_UNIVERSITY]))
def senior_university_per_county(batch: Batch) -> dict[str, Result]:
    return _counties_with(batch, facilities_on(batch.day, [FacilityKind.SENIOR_UNIVERSITY]))


@indicator("rural_regional_centers_per_county", drill=_facilities([FacilityKind.RURAL_REGIONAL_CENTER]))
def rural_regional_centers_per_county(batch: Batch) -> dict[str, Result]:
    return _counties_with(batch, facilities_on(batch.day, [FacilityKind.RURAL_REGIONAL_CENTER]), at_least=2)


@indicator("street_center_coverage", drill=_facilities([FacilityKind.STREET_CENTER], org_unit__urban=True))
def street_center_coverage(batch: Batch) -> dict[str, Result]:
    """Set S's reading: streets (urban townships, 街道) with a street comprehensive centre."""
    if all(a.level == Level.VILLAGE for a in batch.areas):
        return batch.each(lambda a: Result(None, None, None, ValueStatus.NO_DENOMINATOR))
    return covered(batch, Level.TOWNSHIP, [FacilityKind.STREET_CENTER], urban=True)


@indicator("senior_university_branch_townships", drill=_facilities([FacilityKind.SENIOR_UNIVERSITY]))
def senior_university_branch_townships(batch: Batch) -> dict[str, Result]:
    return covered(batch, Level.TOWNSHIP, [FacilityKind.SENIOR_UNIVERSITY])


@indicator(
    "senior_learning_point_villages",
    drill=_facilities([FacilityKind.SENIOR_UNIVERSITY], org_unit__level=Level.VILLAGE),
)
def senior_learning_point_villages(batch: Batch) -> dict[str, Result]:
    return covered(batch, Level.VILLAGE, [FacilityKind.SENIOR_UNIVERSITY])


@indicator(
    "rural_homecare_center_coverage",
    drill=_facilities([FacilityKind.RURAL_CENTER, FacilityKind.MUTUAL_AID_STATION], org_unit__level=Level.VILLAGE),
)
def rural_homecare_center_coverage(batch: Batch) -> dict[str, Result]:
    kinds = [FacilityKind.RURAL_CENTER, FacilityKind.MUTUAL_AID_STATION]
    return covered(batch, Level.VILLAGE, kinds, urban=False)


@indicator(
    "day_care_coverage",
    drill=_facilities([FacilityKind.DAY_CARE, FacilityKind.COMMUNITY_CENTER], org_unit__level=Level.VILLAGE),
)
def day_care_coverage(batch: Batch) -> dict[str, Result]:
    return covered(batch, Level.VILLAGE, [FacilityKind.DAY_CARE, FacilityKind.COMMUNITY_CENTER], urban=True)


@indicator("community_facility_coverage", drill=_facilities(FacilityKind.values, org_unit__level=Level.VILLAGE))
def community_facility_coverage(batch: Batch) -> dict[str, Result]:
    return covered(batch, Level.VILLAGE, FacilityKind.values, urban=True)


def _canteens(batch: Batch) -> dict[str, dict]:
    """Canteens in operation, and those opened in the date's calendar year up to the date (one query)."""
    first = date(batch.day.year, 1, 1)
    return batch.memo(
        "canteens",
        lambda: batch.rows(
            facilities_on(batch.day, [FacilityKind.CANTEEN]),
            n=Count("id"),
            new=Count("id", filter=Q(opened_on__gte=first)),
        ),
    )


@indicator("canteens_stock", drill=_facilities([FacilityKind.CANTEEN]))
def canteens_stock(batch: Batch) -> dict[str, Result]:
    rows = _canteens(batch)
    return batch.each(lambda a: count(rows.get(a.prefix, {}).get("n", 0)))


@indicator(
    "new_canteens_per_year",
    drill=Drill(
        lambda day: facilities_on(day, [FacilityKind.CANTEEN]).filter(opened_on__gte=date(day.year, 1, 1)),
        FACILITY_COLUMNS,
    ),
)
def new_canteens_per_year(batch: Batch) -> dict[str, Result]:
    rows = _canteens(batch)
    return batch.each(lambda a: count(rows.get(a.prefix, {}).get("new", 0)))


def _social_workers(batch: Batch) -> dict[str, dict]:
    return batch.memo(
        "social_workers",
        lambda: batch.rows(
            staff_on(batch.day, StaffRole.SOCIAL_WORKER),
            n=Count("id"),
            institutional=Count("id", filter=Q(institution__isnull=False)),
        ),
    )


@indicator("social_workers_per_1000_elders", drill=_staff(StaffRole.SOCIAL_WORKER))
def social_workers_per_1000_elders(batch: Batch) -> dict[str, Result]:
    rows, pop = _social_workers(batch), elders_60plus(batch)
    return batch.each(lambda a: ratio(rows.get(a.prefix, {}).get("n", 0), pop[a.prefix], Unit.PER_1000))


@indicator("social_workers_per_100_beds", drill=_staff(StaffRole.SOCIAL_WORKER, institution__isnull=False))
def social_workers_per_100_beds(batch: Batch) -> dict[str, Result]:
    rows, b = _social_workers(batch), beds(batch)
    return batch.each(
        lambda a: ratio(rows.get(a.prefix, {}).get("institutional", 0), b[a.prefix]["approved"], Unit.PER_100)
    )


@indicator("caregivers_trained", drill=_staff(StaffRole.CAREGIVER, trained=True))
def caregivers_trained(batch: Batch) -> dict[str, Result]:
    rows = batch.rows(staff_on(batch.day, StaffRole.CAREGIVER).filter(trained=True), n=Count("id"))
    return batch.each(lambda a: count(rows.get(a.prefix, {}).get("n", 0)))


@indicator("tekun_disabled_concentrated")
def tekun_disabled_concentrated(batch: Batch) -> dict[str, Result]:
    """Severely or totally disabled 特困 elders living in the area (active on the date) who have a stay open on the
    date, over all of them."""
    day = batch.day
    in_home = Exists(
        Admission.objects.filter(elder_id=OuterRef("pk"), admitted_on__lte=day).filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gt=day)
        )
    )
    elders = (
        Elder.objects.filter(tekun=True, capability_level__in=[CapabilityLevel.SEVERE, CapabilityLevel.TOTAL])
        .filter(Q(status=ElderStatus.ACTIVE) | Q(died_on__gt=day) | Q(moved_on__gt=day))
        .annotate(in_home=in_home)
    )
    rows = batch.rows(elders, n=Count("id"), hit=Count("id", filter=Q(in_home=True)))
    return batch.each(
        lambda a: ratio(rows.get(a.prefix, {}).get("hit", 0), rows.get(a.prefix, {}).get("n", 0), Unit.PERCENT)
    )


def family_beds_on(day: date):
    """Family care beds built by the date and not closed by then (a suspended bed stays built)."""
    from chuncheng.familybeds.models import HomeCareBed

    return HomeCareBed.objects.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))


FAMILY_BED_COLUMNS = (
    "elder__org_unit__name",
    "institution__name",
    "provider__name",
    "capability_level",
    "start_date",
    "planned_visits",
    "status",
)


@indicator("family_care_beds", drill=Drill(family_beds_on, FAMILY_BED_COLUMNS, org_field="elder__org_unit"))
def family_care_beds(batch: Batch) -> dict[str, Result]:
    """Family care beds (家庭养老床位) of elders living in the area, built by the date and not closed then."""
    rows = batch.rows(family_beds_on(batch.day), "elder__org_unit__code", n=Count("id"))
    return batch.each(lambda a: count(rows.get(a.prefix, {}).get("n", 0)))


def last_full_month(day: date) -> date:
    """The first day of the last complete month on or before ``day`` (the month itself when ``day`` is its end)."""
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return day.replace(day=1)
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


class _AreaReader:
    """A read-only stand-in for a city official of the area, so welfare's own visit-rate function (scoped by a
    user) computes the figure for any area without a login."""

    is_authenticated = True
    is_active = True
    role = Role.CITY_OFFICIAL
    institution_id = None

    def __init__(self, prefix: str) -> None:
        self.scope_prefix = prefix


@indicator("special_difficulty_monthly_visit_rate")
def special_difficulty_monthly_visit_rate(batch: Batch) -> dict[str, Result]:
    """welfare.queries.visit_rate for the last complete month: its own grouped query at the batch's level (or the
    next finer level welfare groups by, summed here), read as a city official of the batch's common prefix."""
    from chuncheng.welfare.choices import AREA_DIGITS
    from chuncheng.welfare.queries import visit_rate

    cache = _MEMO.get()
    # Inside a snapshot every level sums the township figures read once (as Batch.rows does).
    wanted = batch.digits if cache is None else max(batch.digits, FINEST_DIGITS)
    level, _digits = min(((lvl, d) for lvl, d in AREA_DIGITS.items() if d >= wanted), key=lambda item: item[1])
    month = last_full_month(batch.day)
    key = ("visit_rate", batch.within, level, month)
    found = None if cache is None else cache.get(key)
    if found is None:
        found = list(visit_rate(_AreaReader(batch.within), month, level))
        if cache is not None:
            cache[key] = found
    rates: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in found:
        rates[r.code[: batch.digits]][0] += r.numerator
        rates[r.code[: batch.digits]][1] += r.denominator
    return batch.each(lambda a: ratio(*rates.get(a.prefix, (0, 0)), Unit.PERCENT))


@indicator("basic_service_list")
def basic_service_list(batch: Batch) -> dict[str, Result]:
    """1 when a basic service list (the city default or the area's county list) is published and in force."""
    from chuncheng.welfare.models import BasicServiceList

    counties = set(
        BasicServiceList.objects.filter(published_at__isnull=False, effective_from__lte=batch.day).values_list(
            "county__code", flat=True
        )
    )

    def one(area: Area) -> Result:
        county = area.code[:6] if area.level != Level.CITY else None
        return count(1 if None in counties or (county is not None and county in counties) else 0)

    return batch.each(one)


@indicator("capability_assessment_system")
def capability_assessment_system(batch: Batch) -> dict[str, Result]:
    """1 when at least one capability assessment (GB/T 42195-2022) of an elder of the area was signed off."""
    from chuncheng.assessment.models import Assessment

    signed = batch.rows(Assessment.objects.filter(signed_on__lte=batch.day), "elder__org_unit__code", n=Count("id"))
    return batch.each(lambda a: count(1 if a.prefix in signed else 0))


def _shared_batches(areas: Iterable[Area]) -> list[Batch]:
    """Inside ``memoized()`` the same areas give the same batches, so the figures a batch reads once (bed sums,
    the 60+ population, unit lists, canteens, social workers) are shared by every indicator of a snapshot instead
    of being read again per indicator."""
    areas = tuple(areas)
    cache = _MEMO.get()
    if cache is None:
        return batches(areas)
    key = ("batches", areas)
    if key not in cache:
        cache[key] = batches(areas)
    return cache[key]


def compute_many(key: str, areas: Iterable[Area]) -> dict[tuple[str, date], Result]:
    """One indicator for many areas: one batch per level (and date), each a few grouped queries."""
    fn = GROUPED.get(key)
    result: dict[tuple[str, date], Result] = {}
    for batch in _shared_batches(areas):
        if fn is None:
            values = batch.each(lambda a: Result(None, None, None, ValueStatus.AWAITING_REPORT))
        else:
            values = fn(batch)
        result.update({(code, batch.day): r for code, r in values.items()})
    return result


def compute(key: str, area: Area) -> Result:
    """The value of one computed indicator; an indicator outside the registry is reported (awaiting a value)."""
    fn = REGISTRY.get(key)
    if fn is None:
        return Result(None, None, None, ValueStatus.AWAITING_REPORT)
    return fn(area)
