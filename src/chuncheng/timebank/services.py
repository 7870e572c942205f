"""Every write of the time bank: register volunteers and relatives, record and confirm services (the deposit),
withdraw hours. Each runs in one transaction, checks the actor's permission and scope, and writes its audit rows.

Posting order: the accounts of a transfer are locked in primary-key order (``select_for_update``), the balance is
checked under that lock, then both postings are inserted and both balances moved with ``F()``. A refused withdrawal
raises before anything is written.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.timebank.choices import (
    MAX_SERVICE_HOURS,
    AccountKind,
    ErrorCode,
    Relation,
    ServiceStatus,
    TransferKind,
)
from chuncheng.timebank.models import Account, Posting, Relative, Transfer, Volunteer, VolunteerService


def _require(actor, action: str) -> None:
    if not permitted(actor, "timebank", action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))


def parse_hours(value: Any, *, maximum: Decimal | None = None) -> Decimal:
    """Hours as a Decimal with at most two places, more than zero (and at most ``maximum``)."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise refusal("hours", ErrorCode.BAD_HOURS, _("Hours must be a number such as 1.5.")) from exc
    if not hours.is_finite() or hours <= 0 or hours != hours.quantize(Decimal("0.01")):
        raise refusal("hours", ErrorCode.BAD_HOURS, _("Hours must be more than 0, with at most two decimals."))
    if maximum is not None and hours > maximum:
        raise refusal("hours", ErrorCode.BAD_HOURS, _("Hours must be more than 0 and at most 24."))
    if hours >= Decimal("10000000"):
        raise refusal("hours", ErrorCode.BAD_HOURS, _("Hours must be more than 0, with at most two decimals."))
    return hours


def pool_account() -> Account:
    """The bank's pool (issuer) account, created on first use."""
    account, _created = Account.objects.get_or_create(kind=AccountKind.POOL, volunteer=None)
    return account


def _scoped_volunteer(volunteer: Volunteer, actor, action: str) -> Volunteer:
    found = (
        Volunteer.objects.for_user(actor, action)
        .select_for_update(of=("self",))
        .select_related("org_unit", "elder")
        .filter(pk=volunteer.pk)
        .first()
    )
    if found is None:
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This volunteer is outside your area."))
    return found


@transaction.atomic
def register_volunteer(name: str, org_unit: OrgUnit, *, elder: Elder | None = None, actor) -> Volunteer:
    """Register a volunteer in an area of the actor (an elder of the registry may volunteer: ``elder``)."""
    _require(actor, Action.ADD)
    prefix = actor.scope_prefix or ""
    if not prefix or not org_unit.code.startswith(prefix):
        raise refusal("org_unit", ErrorCode.ORG_OUT_OF_SCOPE, _("This area is outside your area."))
    if elder is not None:
        if not Elder.objects.for_user(actor).filter(pk=elder.pk).exists():
            raise refusal("elder", ErrorCode.ELDER_OUT_OF_SCOPE, _("This elder is outside your area."))
        if Volunteer.objects.filter(elder=elder).exists():
            raise refusal("elder", ErrorCode.VOLUNTEER_EXISTS, _("This elder is already a volunteer."))
    volunteer = Volunteer(name=(name or "").strip(), org_unit=org_unit, elder=elder)
    volunteer.full_clean()
    volunteer.save()
    account = Account.objects.create(kind=AccountKind.VOLUNTEER, volunteer=volunteer)
    audit.record_create(actor, volunteer, org_code=org_unit.code)
    audit.record_create(actor, account, org_code=org_unit.code)
    return volunteer


@transaction.atomic
def register_relative(volunteer: Volunteer, elder: Elder, relation: str, *, actor) -> Relative:
    """Register an elder of the registry as a relative who may receive services paid with the volunteer's hours."""
    _require(actor, Action.CHANGE)
    volunteer = _scoped_volunteer(volunteer, actor, Action.CHANGE)
    if not Elder.objects.for_user(actor).filter(pk=elder.pk).exists():
        raise refusal("elder", ErrorCode.ELDER_OUT_OF_SCOPE, _("This elder is outside your area."))
    if relation == Relation.SELF or volunteer.elder_id == elder.pk:
        raise refusal("relation", ErrorCode.NOT_A_RELATIVE, _("The volunteer is not their own relative."))
    if Relative.objects.filter(volunteer=volunteer, elder=elder).exists():
        raise refusal("elder", ErrorCode.RELATIVE_EXISTS, _("This relative is already registered."))
    relative = Relative(volunteer=volunteer, elder=elder, relation=relation)
    relative.full_clean()
    relative.save()
    audit.record_create(actor, relative, org_code=volunteer.org_unit.code)
    return relative


@transaction.atomic
def record_service(volunteer: Volunteer, data: dict[str, Any], *, actor) -> VolunteerService:
    """Record a volunteer service (date, hours, what); nothing is deposited until it is confirmed."""
    _require(actor, Action.ADD)
    volunteer = _scoped_volunteer(volunteer, actor, Action.ADD)
    hours = parse_hours(data.get("hours"), maximum=MAX_SERVICE_HOURS)
    served_on = data.get("served_on")
    if served_on is not None and served_on > today():
        raise refusal("served_on", ErrorCode.SERVICE_IN_FUTURE, _("The service date cannot be in the future."))
    service = VolunteerService(
        volunteer=volunteer,
        served_on=served_on,
        hours=hours,
        description=(data.get("description") or "").strip(),
        recorded_by=actor,
    )
    service.full_clean()
    service.save()
    audit.record_create(actor, service, org_code=volunteer.org_unit.code)
    return service


def _post(kind: str, volunteer: Volunteer, hours: Decimal, *, actor, **extra: Any) -> Transfer:
    """Write one transfer: lock both accounts in primary-key order, check, insert two postings, move balances.

    The caller runs inside ``transaction.atomic``."""
    pool = pool_account()
    own = Account.objects.get(volunteer=volunteer)
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=[own.pk, pool.pk]).order_by("pk")}
    own = locked[own.pk]
    sign = Decimal(1) if kind == TransferKind.DEPOSIT else Decimal(-1)
    if kind == TransferKind.WITHDRAWAL and own.balance < hours:
        raise refusal(
            "hours",
            ErrorCode.INSUFFICIENT_BALANCE,
            _("The withdrawal of %(hours)s hours exceeds the balance of %(balance)s hours.")
            % {"hours": hours, "balance": own.balance},
        )
    transfer = Transfer(kind=kind, volunteer=volunteer, hours=hours, created_by=actor, **extra)
    transfer.full_clean()
    transfer.save()
    Posting.objects.bulk_create(
        [
            Posting(transfer=transfer, account=own, amount=sign * hours),
            Posting(transfer=transfer, account=pool, amount=-sign * hours),
        ]
    )
    # ROUND keeps SQLite's floating-point arithmetic on exact cents (a no-op on PostgreSQL's numeric).
    Account.objects.filter(pk=own.pk).update(balance=Round(F("balance") + sign * hours, 2))
    Account.objects.filter(pk=pool.pk).update(balance=Round(F("balance") - sign * hours, 2))
    audit.record_create(actor, transfer, org_code=volunteer.org_unit.code)
    return transfer


def _decide(service: VolunteerService, status: str, actor) -> VolunteerService:
    """Lock a recorded service of the actor's area and set its decision (confirmed or rejected), audited."""
    _require(actor, Action.CHANGE)
    service = (
        VolunteerService.objects.for_user(actor, Action.CHANGE)
        .select_for_update(of=("self",))
        .select_related("volunteer__org_unit")
        .filter(pk=service.pk)
        .first()
    )
    if service is None:
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This service is outside your area."))
    if service.status != ServiceStatus.RECORDED:
        raise refusal(None, ErrorCode.SERVICE_NOT_RECORDED, _("This service has already been confirmed or rejected."))
    before = audit.snapshot(service)
    service.status = status
    service.confirmed_by = actor
    service.confirmed_at = timezone.now()
    service.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit.record(
        actor,
        AuditAction.STATE,
        service,
        audit.diff(before, audit.snapshot(service)),
        org_code=service.volunteer.org_unit.code,
    )
    return service


@transaction.atomic
def confirm_service(service: VolunteerService, *, actor) -> Transfer:
    """A community (or township) worker confirms a recorded service: its hours are deposited to the volunteer."""
    service = _decide(service, ServiceStatus.CONFIRMED, actor)
    return _post(TransferKind.DEPOSIT, service.volunteer, service.hours, actor=actor, service=service)


@transaction.atomic
def reject_service(service: VolunteerService, *, actor) -> VolunteerService:
    """A worker refuses to confirm a recorded service (no hours are deposited)."""
    return _decide(service, ServiceStatus.REJECTED, actor)


@transaction.atomic
def withdraw(volunteer: Volunteer, hours: Any, *, beneficiary: Elder, relation: str, note: str = "", actor) -> Transfer:
    """Spend hours on a service to the volunteer (``relation`` self, the volunteer's own elder record) or to a
    registered relative. Beyond the balance it is refused (``insufficient_balance``) and nothing is written."""
    _require(actor, Action.CHANGE)
    volunteer = _scoped_volunteer(volunteer, actor, Action.CHANGE)
    amount = parse_hours(hours)
    if relation == Relation.SELF:
        if volunteer.elder_id is None or volunteer.elder_id != beneficiary.pk:
            raise refusal(
                "beneficiary",
                ErrorCode.SELF_NOT_LINKED,
                _("For the volunteer themself, the volunteer must be linked to this elder's record."),
            )
    else:
        registered = Relative.objects.filter(volunteer=volunteer, elder=beneficiary).values_list("relation", flat=True)
        if not registered or registered[0] != relation:
            raise refusal(
                "beneficiary",
                ErrorCode.NOT_A_RELATIVE,
                _("This elder is not a registered relative with this relation."),
            )
    return _post(
        TransferKind.WITHDRAWAL,
        volunteer,
        amount,
        actor=actor,
        beneficiary=beneficiary,
        relation=relation,
        note=(note or "").strip()[:200],
    )
