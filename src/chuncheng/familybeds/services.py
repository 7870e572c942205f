"""Every write of family care beds: set up a bed, record its home adaptation, change its status. Each runs in a
transaction and is audited; a refusal is a ``ValidationError`` with a Chinese message and a stable English code
(``choices.ErrorCode``) and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.familybeds import rules
from chuncheng.familybeds.choices import BedStatus, ErrorCode
from chuncheng.familybeds.models import HomeAdaptation, HomeCareBed
from chuncheng.homecare.choices import ServiceKind
from chuncheng.homecare.models import Provider
from chuncheng.institutions.models import Admission, Institution


def _require(actor, action: str, bed: HomeCareBed | None = None, elder: Elder | None = None) -> None:
    if actor is None:
        return
    if not permitted(actor, "familybed", action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))
    if elder is not None and not Elder.objects.for_user(actor).filter(pk=elder.pk).exists():
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))
    if bed is not None and not HomeCareBed.objects.for_user(actor, action).filter(pk=bed.pk).exists():
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))


@transaction.atomic
def setup_bed(
    elder: Elder,
    *,
    actor,
    start_date: date,
    institution: Institution | None = None,
    provider: Provider | None = None,
    plan: list[dict[str, Any]] | None = None,
    end_date: date | None = None,
) -> HomeCareBed:
    """Set up a family care bed: the elder must be in the registry, at home (no open stay), at a capability level
    the policy names, without another active bed; contracted to exactly one institution or provider."""
    _require(actor, Action.ADD, elder=elder)
    elder = Elder.objects.select_for_update().select_related("org_unit").get(pk=elder.pk)
    if elder.status == ElderStatus.DECEASED:
        raise refusal("elder", ErrorCode.ELDER_DECEASED, _("The elder is deceased."))
    if elder.status != ElderStatus.ACTIVE:
        raise refusal("elder", ErrorCode.ELDER_NOT_ACTIVE, _("Beds are set up only for elders in the registry."))
    if Admission.objects.open().filter(elder=elder).exists():
        raise refusal("elder", ErrorCode.IN_INSTITUTION, _("The elder is staying in an institution."))
    if elder.capability_level not in rules.eligible_levels():
        raise refusal(
            "elder", ErrorCode.LEVEL_NOT_ELIGIBLE, _("The elder's capability level does not qualify for a family bed.")
        )
    if HomeCareBed.objects.filter(elder=elder, status=BedStatus.ACTIVE).exists():
        raise refusal("elder", ErrorCode.BED_EXISTS, _("This elder already has an active family care bed."))
    if (institution is None) == (provider is None):
        raise refusal(
            "institution", ErrorCode.NO_CONTRACTOR, _("A bed is contracted to one institution or one provider.")
        )
    if provider is not None and not provider.active:
        raise refusal("provider", ErrorCode.NO_CONTRACTOR, _("This provider is not active."))
    if provider is not None and not provider.serves(elder.org_unit.code):
        raise refusal("provider", ErrorCode.AREA_NOT_SERVED, _("This provider does not serve the elder's area."))
    plan = rules.default_plan() if not plan else [dict(entry) for entry in plan]
    total = rules.plan_total(plan, set(ServiceKind.values))
    if total is None:
        raise refusal("plan", ErrorCode.BAD_PLAN, _("The service plan needs known services and 1–31 visits a month."))
    if end_date is not None and end_date < start_date:
        raise refusal("end_date", ErrorCode.BAD_DATES, _("The end date is before the start date."))
    bed = HomeCareBed(
        elder=elder,
        institution=institution,
        provider=provider,
        capability_level=elder.capability_level,
        start_date=start_date,
        end_date=end_date,
        plan=plan,
        planned_visits=total,
        created_by=actor,
    )
    bed.full_clean(exclude=["created_by"])
    try:
        with transaction.atomic():
            bed.save()
    except IntegrityError as exc:  # a concurrent setup for the same elder
        raise refusal("elder", ErrorCode.BED_EXISTS, _("This elder already has an active family care bed.")) from exc
    audit.record_create(actor, bed, org_code=elder.org_unit.code)
    return bed


@transaction.atomic
def record_adaptation(
    bed: HomeCareBed, *, actor, items: list[str], cost: Any, subsidy: Any, completed_on: date | None = None
) -> HomeAdaptation:
    """Record (or correct) the bed's home adaptation; items from the policy list, subsidy ≤ cap and ≤ cost."""
    _require(actor, Action.CHANGE, bed=bed)
    known = rules.adaptation_items()
    if not items or any(item not in known for item in items) or len(set(items)) != len(items):
        raise refusal("items", ErrorCode.BAD_ITEM, _("Choose adaptation items from the policy list."))
    try:
        cost, subsidy = Decimal(str(cost)), Decimal(str(subsidy))
    except InvalidOperation as exc:
        raise refusal("cost", ErrorCode.SUBSIDY_OVER_COST, _("Cost and subsidy are amounts in yuan.")) from exc
    if subsidy > rules.subsidy_cap():
        raise refusal("subsidy", ErrorCode.SUBSIDY_OVER_CAP, _("The subsidy exceeds the policy cap."))
    if subsidy < 0 or cost < 0 or subsidy > cost:
        raise refusal("subsidy", ErrorCode.SUBSIDY_OVER_COST, _("The subsidy cannot be negative or exceed the cost."))
    adaptation = HomeAdaptation.objects.select_for_update().filter(bed=bed).first()
    before = audit.snapshot(adaptation) if adaptation else None
    adaptation = adaptation or HomeAdaptation(bed=bed)
    adaptation.items, adaptation.cost, adaptation.subsidy, adaptation.completed_on = items, cost, subsidy, completed_on
    adaptation.full_clean()
    adaptation.save()
    org = bed.elder.org_unit.code
    if before is None:
        audit.record_create(actor, adaptation, org_code=org)
    else:
        audit.record_update(actor, adaptation, before, org_code=org)
    return adaptation


@transaction.atomic
def change_status(bed: HomeCareBed, status: str, *, actor, on: date | None = None) -> HomeCareBed:
    """Suspend, resume or close a bed; closing sets the end date (``on``); a closed bed stays closed."""
    _require(actor, Action.CHANGE, bed=bed)
    bed = HomeCareBed.objects.select_for_update().select_related("elder__org_unit").get(pk=bed.pk)
    if status not in BedStatus.values or bed.status == BedStatus.CLOSED or status == bed.status:
        raise refusal("status", ErrorCode.BAD_STATUS, _("This change of status is not allowed."))
    if status == BedStatus.ACTIVE and HomeCareBed.objects.filter(elder=bed.elder, status=BedStatus.ACTIVE).exists():
        raise refusal("elder", ErrorCode.BED_EXISTS, _("This elder already has an active family care bed."))
    before = audit.snapshot(bed)
    bed.status = status
    if status == BedStatus.CLOSED:
        bed.end_date = on or bed.end_date or today()
        if bed.end_date < bed.start_date:
            raise refusal("end_date", ErrorCode.BAD_DATES, _("The end date is before the start date."))
    bed.full_clean(exclude=["created_by"])
    bed.save()
    audit.record_update(actor, bed, before, org_code=bed.elder.org_unit.code)
    return bed
