"""Demo family care beds (家庭养老床位): a bed for each elder served by a demo home-care provider whose capability
level qualifies (so the compliance figures come from real verified visits), more eligible elders of the same
townships contracted to the provider, and elders of other counties contracted to an institution of their county;
about half with a recorded home adaptation; one suspended and one closed. Everything through the module's services.
Idempotent: does nothing when any bed exists. Run after ``build_homecare``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from chuncheng.demo.benefits import _account, months_before
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.familybeds import rules, services
from chuncheng.familybeds.models import HomeCareBed
from chuncheng.homecare.models import Provider, Visit
from chuncheng.institutions.models import Admission, Institution

PER_TOWNSHIP = 14
OTHER_COUNTIES = 4
PER_COUNTY = 3
# The home-care demo delivers one visit a week: the served elders' plan asks for four a month.
WEEKLY_PLAN = [{"kind": "cleaning", "visits_per_month": 2}, {"kind": "bathing", "visits_per_month": 2}]


def _eligible(queryset):
    at_home = Admission.objects.open().values("elder_id")
    return (
        queryset.filter(status=ElderStatus.ACTIVE, capability_level__in=rules.eligible_levels())
        .exclude(pk__in=at_home)
        .exclude(family_beds__status="active")
        .order_by("pk")
    )


def _adapt(bed: HomeCareBed, n: int, actor) -> None:
    codes = list(rules.adaptation_items())
    items = [codes[n % len(codes)], codes[(n + 3) % len(codes)]]
    cost = Decimal(1800 + 250 * (n % 9))
    subsidy = min(cost * Decimal("0.8"), rules.subsidy_cap()).quantize(Decimal("0.01"))
    services.record_adaptation(
        bed, items=items, cost=cost, subsidy=subsidy, completed_on=bed.start_date + timedelta(days=20), actor=actor
    )


def build_familybeds(today: date) -> int:
    """Set up the demo beds; returns how many were set up."""
    if HomeCareBed.objects.exists():
        return 0
    start = months_before(today, 3)[0]
    beds: list[tuple[HomeCareBed, object]] = []
    providers = Provider.objects.filter(name__endswith="（演示）", active=True).order_by("pk")
    for provider in providers:
        township = provider.areas[0]
        worker = _account(f"demo.familybeds.worker.{township}", "township_worker", township)
        served = Visit.objects.filter(order__provider=provider).values("elder_id")
        elders = list(_eligible(Elder.objects.filter(pk__in=served)))
        more = _eligible(Elder.objects.filter(org_unit__code__startswith=township)).exclude(pk__in=served)
        elders += list(more[: max(0, PER_TOWNSHIP - len(elders))])
        served_ids = set(served.values_list("elder_id", flat=True))
        for elder in elders:
            plan = WEEKLY_PLAN if elder.pk in served_ids else None
            bed = services.setup_bed(elder, provider=provider, start_date=start, plan=plan, actor=worker)
            beds.append((bed, worker))
    served_counties = {p.areas[0][:6] for p in providers}
    counties = (
        Institution.objects.exclude(org_unit__code__regex=r"^(" + "|".join(served_counties or {"x"}) + ")")
        .values_list("org_unit__code", flat=True)
        .order_by("org_unit__code")
    )
    seen: list[str] = []
    for code in counties:
        if code[:6] not in seen:
            seen.append(code[:6])
    for county in seen[:OTHER_COUNTIES]:
        institution = Institution.objects.filter(org_unit__code__startswith=county).order_by("pk").first()
        official = _account(f"demo.familybeds.county.{county}", "county_official", county)
        for elder in _eligible(Elder.objects.filter(org_unit__code__startswith=county))[:PER_COUNTY]:
            bed = services.setup_bed(
                elder, institution=institution, start_date=start + timedelta(days=14), actor=official
            )
            beds.append((bed, official))
    for n, (bed, actor) in enumerate(beds):
        if n % 2 == 0:
            _adapt(bed, n, actor)
    if len(beds) > 4:
        services.change_status(beds[-1][0], "suspended", actor=beds[-1][1])
        services.change_status(beds[-2][0], "closed", on=today - timedelta(days=10), actor=beds[-2][1])
    return len(beds)
