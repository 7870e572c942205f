"""The reference for test_grouped.py: the former per-area implementation of monitoring/compute.py, kept verbatim
(do not change it to match the grouped code; it is the independent oracle).

Computed indicators: one function per indicator key, each a few aggregate queries over an area (an org unit's
code prefix) as it was on a date. Never a loop over records. Indicators whose module does not exist yet return
``no_data_source`` (a status, never a made-up value).

"As it was on a date": institutions and facilities count when in operation and opened on or before the date, staff
when hired on or before it and not yet gone; the child units counted in coverage indicators are those valid on the
date (``OrgUnit.objects.valid_on``)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
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

# Within one run (a snapshot, one page), figures shared by several indicators (bed sums, 60+ population) are read
# once per area. Outside ``memoized()`` nothing is cached, so a long-lived process never serves a stale figure.
_MEMO: ContextVar[dict | None] = ContextVar("monitoring_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memo(name: str, area: Area, fn: Callable):
    cache = _MEMO.get()
    if cache is None:
        return fn()
    if (name, area) not in cache:
        cache[(name, area)] = fn()
    return cache[(name, area)]


# ---- the shared sets ---------------------------------------------------------------------------------------


def institutions(area: Area):
    """Institutions in operation in the area on the date (status is today's: an exited home has no exit date)."""
    return Institution.objects.filter(org_unit__code__startswith=area.prefix, status=InstitutionStatus.ACTIVE).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=area.day)
    )


def facilities(area: Area, kinds):
    return Facility.objects.filter(
        org_unit__code__startswith=area.prefix, status=FacilityStatus.ACTIVE, kind__in=list(kinds)
    ).filter(Q(opened_on__isnull=True) | Q(opened_on__lte=area.day))


def staff(area: Area, role: str):
    return Staff.objects.filter(org_unit__code__startswith=area.prefix, role=role).filter(
        Q(hired_on__isnull=True) | Q(hired_on__lte=area.day), Q(left_on__isnull=True) | Q(left_on__gt=area.day)
    )


def units(area: Area, level: str, urban: bool | None = None):
    qs = OrgUnit.objects.valid_on(area.day).filter(code__startswith=area.prefix, level=level)
    if area.level == level:
        qs = qs.filter(code=area.code)
    return qs if urban is None else qs.filter(urban=urban)


def covered(area: Area, level: str, kinds, urban: bool | None = None, at_least: int = 1) -> tuple[int, int]:
    """(units of ``level`` in the area having at least ``at_least`` active facilities of ``kinds``, all such units).
    One query: a correlated count per unit, never a loop."""
    digits = {Level.COUNTY: 6, Level.TOWNSHIP: 9, Level.VILLAGE: 12}[level]
    per_unit = (
        facilities(area, kinds)
        .annotate(unit=Substr("org_unit__code", 1, digits))
        .filter(unit=OuterRef("code"))
        .order_by()
        .values("unit")
        .annotate(n=Count("id"))
        .values("n")
    )
    agg = (
        units(area, level, urban)
        .annotate(n=Coalesce(per_unit[:1], 0))
        .aggregate(total=Count("id"), hit=Count("id", filter=Q(n__gte=at_least)))
    )
    return agg["hit"], agg["total"]


def beds(area: Area) -> dict[str, int]:
    return _memo("beds", area, lambda: _beds(area))


def _beds(area: Area) -> dict[str, int]:
    return institutions(area).aggregate(
        approved=Coalesce(Sum("approved_beds"), 0),
        nursing=Coalesce(Sum("nursing_beds"), 0),
        safety_net=Coalesce(Sum("safety_net_beds"), 0),
        puhui=Coalesce(Sum("puhui_beds"), 0),
        government=Coalesce(Sum("approved_beds", filter=Q(government_operated=True)), 0),
    )


def elders_60plus(area: Area) -> int | None:
    return _memo("elders_60plus", area, lambda: _elders_60plus(area))


def _elders_60plus(area: Area) -> int | None:
    """60+ population of the area for the date's year (the latest year on or before it): the unit's own row, or else
    the sum of its child units' rows of that year. None when there is no figure."""
    unit_rows = Population.objects.filter(org_unit__code=area.code, year__lte=area.day.year).order_by("-year")
    own = unit_rows.values_list("population_60plus", flat=True).first()
    if own is not None:
        return own
    child = CHILD_LEVEL.get(Level(area.level))
    if child is None:
        return None
    rows = Population.objects.filter(
        org_unit__code__startswith=area.prefix, org_unit__level=child, year__lte=area.day.year
    )
    year = rows.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return None
    return rows.filter(year=year).aggregate(n=Sum("population_60plus"))["n"]


# ---- the registry ------------------------------------------------------------------------------------------

Compute = Callable[[Area], Result]
REGISTRY: dict[str, Compute] = {}


def indicator(*keys: str):
    def wrap(fn: Compute) -> Compute:
        for key in keys:
            REGISTRY[key] = fn
        return fn

    return wrap


def no_data_source(*keys: str) -> None:
    """Indicators of §3 whose data the platform does not hold yet (module missing): status only, never a value."""
    for key in keys:
        REGISTRY[key] = lambda area: NO_SOURCE


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


@indicator("family_care_beds")
def family_care_beds(area: Area) -> Result:
    """Per area (added with the familybeds module): beds of elders of the area started by the date, not closed."""
    from chuncheng.familybeds.models import HomeCareBed

    qs = HomeCareBed.objects.filter(elder__org_unit__code__startswith=area.prefix, start_date__lte=area.day).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=area.day)
    )
    return count(qs.count())


@indicator("beds_per_1000_elders")
def beds_per_1000_elders(area: Area) -> Result:
    return ratio(beds(area)["approved"], elders_60plus(area), Unit.PER_1000)


@indicator("nursing_bed_share")
def nursing_bed_share(area: Area) -> Result:
    b = beds(area)
    return ratio(b["nursing"], b["approved"], Unit.PERCENT)


@indicator("safety_net_bed_share")
def safety_net_bed_share(area: Area) -> Result:
    b = beds(area)
    return ratio(b["safety_net"], b["approved"], Unit.PERCENT)


@indicator("safety_net_and_puhui_bed_share")
def safety_net_and_puhui_bed_share(area: Area) -> Result:
    b = beds(area)
    return ratio(b["safety_net"] + b["puhui"], b["approved"], Unit.PERCENT)


@indicator("government_operated_bed_share")
def government_operated_bed_share(area: Area) -> Result:
    b = beds(area)
    return ratio(b["government"], b["approved"], Unit.PERCENT)


@indicator("beds_per_1000_elders_private")
def private_bed_share(area: Area) -> Result:
    b = beds(area)
    return ratio(b["approved"] - b["government"], b["approved"], Unit.PERCENT)


@indicator("medical_integration_coverage")
def medical_integration_coverage(area: Area) -> Result:
    agg = institutions(area).aggregate(
        n=Count("id"), hit=Count("id", filter=Q(internal_medical=True) | Q(medical_agreement=True))
    )
    return ratio(agg["hit"], agg["n"], Unit.PERCENT)


def _county_area(area: Area) -> Area:
    """For a township, the county it lies in (per-county indicators are read at county level or above)."""
    if area.level in (Level.TOWNSHIP, Level.VILLAGE):
        return Area(area.code[:6], Level.COUNTY, area.day)
    return area


def _counties_with(area: Area, qs_for_county: Callable, at_least: int = 1) -> Result:
    area = _county_area(area)
    digits_ok = units(area, Level.COUNTY)
    per_county = (
        qs_for_county(area)
        .annotate(county=Substr("org_unit__code", 1, 6))
        .filter(county=OuterRef("code"))
        .order_by()
        .values("county")
        .annotate(n=Count("id"))
        .values("n")
    )
    agg = digits_ok.annotate(n=Coalesce(per_county[:1], 0)).aggregate(
        total=Count("id"), hit=Count("id", filter=Q(n__gte=at_least))
    )
    return ratio(agg["hit"], agg["total"], Unit.PERCENT)


@indicator("medical_integrated_per_county")
def medical_integrated_per_county(area: Area) -> Result:
    return _counties_with(area, lambda a: institutions(a).filter(internal_medical=True))


@indicator("senior_university_per_county")
def senior_university_per_county(area: Area) -> Result:
    return _counties_with(area, lambda a: facilities(a, [FacilityKind.SENIOR_UNIVERSITY]))


@indicator("rural_regional_centers_per_county")
def rural_regional_centers_per_county(area: Area) -> Result:
    return _counties_with(area, lambda a: facilities(a, [FacilityKind.RURAL_REGIONAL_CENTER]), at_least=2)


@indicator("street_center_coverage")
def street_center_coverage(area: Area) -> Result:
    """Set S's reading: streets (urban townships, 街道) with a street comprehensive centre."""
    if area.level == Level.VILLAGE:
        return Result(None, None, None, ValueStatus.NO_DENOMINATOR)
    hit, total = covered(area, Level.TOWNSHIP, [FacilityKind.STREET_CENTER], urban=True)
    return ratio(hit, total, Unit.PERCENT)


@indicator("senior_university_branch_townships")
def senior_university_branch_townships(area: Area) -> Result:
    hit, total = covered(area, Level.TOWNSHIP, [FacilityKind.SENIOR_UNIVERSITY])
    return ratio(hit, total, Unit.PERCENT)


@indicator("senior_learning_point_villages")
def senior_learning_point_villages(area: Area) -> Result:
    hit, total = covered(area, Level.VILLAGE, [FacilityKind.SENIOR_UNIVERSITY])
    return ratio(hit, total, Unit.PERCENT)


@indicator("rural_homecare_center_coverage")
def rural_homecare_center_coverage(area: Area) -> Result:
    hit, total = covered(area, Level.VILLAGE, [FacilityKind.RURAL_CENTER, FacilityKind.MUTUAL_AID_STATION], urban=False)
    return ratio(hit, total, Unit.PERCENT)


@indicator("day_care_coverage")
def day_care_coverage(area: Area) -> Result:
    hit, total = covered(area, Level.VILLAGE, [FacilityKind.DAY_CARE, FacilityKind.COMMUNITY_CENTER], urban=True)
    return ratio(hit, total, Unit.PERCENT)


@indicator("community_facility_coverage")
def community_facility_coverage(area: Area) -> Result:
    hit, total = covered(area, Level.VILLAGE, FacilityKind.values, urban=True)
    return ratio(hit, total, Unit.PERCENT)


@indicator("canteens_stock")
def canteens_stock(area: Area) -> Result:
    return count(facilities(area, [FacilityKind.CANTEEN]).count())


@indicator("new_canteens_per_year")
def new_canteens_per_year(area: Area) -> Result:
    """Canteens opened in the date's calendar year up to the date."""
    qs = facilities(area, [FacilityKind.CANTEEN]).filter(opened_on__gte=date(area.day.year, 1, 1))
    return count(qs.count())


@indicator("social_workers_per_1000_elders")
def social_workers_per_1000_elders(area: Area) -> Result:
    return ratio(staff(area, StaffRole.SOCIAL_WORKER).count(), elders_60plus(area), Unit.PER_1000)


@indicator("social_workers_per_100_beds")
def social_workers_per_100_beds(area: Area) -> Result:
    workers = staff(area, StaffRole.SOCIAL_WORKER).filter(institution__isnull=False).count()
    return ratio(workers, beds(area)["approved"], Unit.PER_100)


@indicator("caregivers_trained")
def caregivers_trained(area: Area) -> Result:
    return count(staff(area, StaffRole.CAREGIVER).filter(trained=True).count())


@indicator("tekun_disabled_concentrated")
def tekun_disabled_concentrated(area: Area) -> Result:
    """Severely or totally disabled 特困 elders living in the area (active on the date) who have a stay open on the
    date, over all of them."""
    day = area.day
    in_home = Exists(
        Admission.objects.filter(elder_id=OuterRef("pk"), admitted_on__lte=day).filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gt=day)
        )
    )
    agg = (
        Elder.objects.filter(
            org_unit__code__startswith=area.prefix,
            tekun=True,
            capability_level__in=[CapabilityLevel.SEVERE, CapabilityLevel.TOTAL],
        )
        .filter(Q(status=ElderStatus.ACTIVE) | Q(died_on__gt=day) | Q(moved_on__gt=day))
        .annotate(in_home=in_home)
        .aggregate(n=Count("id"), hit=Count("id", filter=Q(in_home=True)))
    )
    return ratio(agg["hit"], agg["n"], Unit.PERCENT)


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
def special_difficulty_monthly_visit_rate(area: Area) -> Result:
    """welfare.queries.visit_rate for the last complete month, summed over the area."""
    from chuncheng.welfare.choices import AreaLevel
    from chuncheng.welfare.queries import visit_rate, visit_rate_total

    level = {Level.CITY: AreaLevel.CITY, Level.COUNTY: AreaLevel.COUNTY}.get(area.level, AreaLevel.TOWNSHIP)
    if area.level == Level.VILLAGE:
        level = AreaLevel.VILLAGE
    total = visit_rate_total(visit_rate(_AreaReader(area.prefix), last_full_month(area.day), level))
    return ratio(total.numerator, total.denominator, Unit.PERCENT)


@indicator("basic_service_list")
def basic_service_list(area: Area) -> Result:
    """1 when a basic service list (the city default or the area's county list) is published and in force."""
    from chuncheng.welfare.models import BasicServiceList

    county = area.code[:6] if area.level != Level.CITY else None
    qs = BasicServiceList.objects.filter(published_at__isnull=False, effective_from__lte=area.day).filter(
        Q(county__isnull=True) | Q(county__code=county)
    )
    return count(1 if qs.exists() else 0)


@indicator("capability_assessment_system")
def capability_assessment_system(area: Area) -> Result:
    """1 when at least one capability assessment (GB/T 42195-2022) of an elder of the area was signed off."""
    from chuncheng.assessment.models import Assessment

    qs = Assessment.objects.filter(elder__org_unit__code__startswith=area.prefix, signed_on__lte=area.day)
    return count(1 if qs.exists() else 0)


def compute(key: str, area: Area) -> Result:
    """The value of one computed indicator; an indicator outside the registry is reported (awaiting a value)."""
    fn = REGISTRY.get(key)
    if fn is None:
        return Result(None, None, None, ValueStatus.AWAITING_REPORT)
    return fn(area)
