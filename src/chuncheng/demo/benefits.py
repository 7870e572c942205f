"""Demo benefits, so the batch and application pages and the ledger are populated from the first run:

- a year of monthly batches for the recurring programmes, run by one demo account and approved and locked by another
  (maker–checker); the most recent month is left computed, awaiting review;
- a year of B1 bed-subsidy applications by eligible institutions, decided level by level (township → county → city):
  most approved, one returned for correction and resubmitted, one rejected, the latest still waiting.

Idempotent: a month that has a batch is skipped; applications are made only when there are none. The demo accounts
have no usable password: they act in the demo's services (with their role's permissions) but never log in.
"""

from __future__ import annotations

from datetime import date

from chuncheng.benefits import applications, batches
from chuncheng.benefits.choices import BatchStatus
from chuncheng.benefits.models import Application, PaymentBatch
from chuncheng.core.models import OrgUnit, User
from chuncheng.institutions.models import Facility, Institution

MAKER, CHECKER = "demo.benefits.maker", "demo.benefits.checker"
MONTHS = 12


def _account(username: str, role: str = "city_official", code: str = "530100") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, org_unit=OrgUnit.objects.get(code=code))
        user.set_unusable_password()  # active, so the services' permission checks apply, but no password to log in
        user.save()
    return user


def months_before(today: date, count: int) -> list[date]:
    """The ``count`` whole months before ``today``'s month, oldest first."""
    first = today.replace(day=1)
    months = []
    for back in range(count, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months


def build_batches(today: date, programmes: list[str] | None = None) -> dict[str, int]:
    """Run, approve and lock a year of batches per programme (those with a policy version in force)."""
    maker, checker = _account(MAKER), _account(CHECKER)
    periods = months_before(today, MONTHS)
    counts = {"batches": 0, "entitlements": 0}
    for code in programmes or sorted(batches.RECURRING):
        for period in periods:
            if PaymentBatch.objects.filter(programme__code=code, period=period).exists():
                continue
            try:
                batch = batches.run(code, period, actor=maker)
            except batches.QuoteError:
                continue  # no version in force for this month: nothing to pay
            counts["batches"] += 1
            counts["entitlements"] += batch.created_count
            if period != periods[-1]:
                batch = batches.approve(batch, actor=checker)
                batches.lock(batch, actor=checker)
    counts["locked"] = PaymentBatch.objects.filter(status=BatchStatus.LOCKED).count()
    return counts


B1, B5 = "B1_bed_construction", "B5_centre_construction"
DECIDERS = {"township": "township_worker", "county": "county_official", "city": "city_official"}
SCOPE_LENGTH = {"township": 9, "county": 6, "city": 4}
# The maker works where the institution is filed (a community, a township or a county); never one of the deciders.
MAKERS = {"village": "community_worker", "township": "township_worker", "county": "county_official"}


def _decider(level: str, unit: OrgUnit) -> User:
    code = unit.code[: SCOPE_LENGTH[level]] + ("00" if level == "city" else "")
    return _account(f"demo.benefits.{level}.{code}", DECIDERS[level], code)


def _candidates():
    """Applicants in a stable order: institutions for B1, then 官渡区 community centres of at least 800 m² for B5."""
    for institution in Institution.objects.select_related("org_unit").order_by("code"):
        yield B1, institution
    centres = Facility.objects.select_related("org_unit").filter(org_unit__code__startswith="530111", area_m2__gte=800)
    for centre in centres.order_by("pk"):
        yield B5, centre


def build_applications(today: date, limit: int = 12) -> int:
    """``limit`` applications, one a month over the past year, by applicants the rule pays."""
    if Application.objects.exists():
        return 0
    periods = months_before(today, limit)
    made: list[tuple[Application, User, date]] = []
    for code, applicant in _candidates():
        if len(made) == limit:
            break
        day = periods[len(made)].replace(day=10)
        unit = applicant.org_unit
        maker = _account(f"demo.benefits.maker.{unit.code}", MAKERS.get(unit.level, "county_official"), unit.code)
        facts = applications.registry_facts(applications.get_programme(code), applicant, day)
        try:
            application = applications.create_draft(code, applicant, facts, actor=maker, note="演示申请")
            application = applications.submit(application, actor=maker, today=day)
        except batches.QuoteError:
            Application.objects.filter(programme__code=code, status="draft", created_by=maker).delete()
            continue  # not eligible (occupancy, beds, area): the demo applies only where the rule pays
        made.append((application, maker, day))
    # Decide all but the latest, which waits for its first decision: one returned and resubmitted, one rejected.
    for n, (application, maker, day) in enumerate(made[:-1]):
        unit = application.org_unit
        for level in application.levels:
            decider = _decider(level, unit)
            if n == 2 and level == application.levels[-1]:
                applications.decide(application, "reject", actor=decider, reason="演示：面积与备案不符", today=day)
                break
            if n == 1 and level == application.levels[0]:
                applications.decide(application, "return", actor=decider, reason="演示：请补充产权证明", today=day)
                application = applications.submit(application, actor=maker, today=day)
            application = applications.decide(application, "approve", actor=decider, today=day)
    return len(made)
