"""Time bank (时间银行): volunteers earn hours for confirmed volunteer services and spend them on services for
themselves or a registered relative.

The ledger is double-entry: every ``Transfer`` has exactly two ``Posting`` rows that sum to zero, one on the
volunteer's account and one on the bank's pool (the issuer of hours; its balance is minus the hours outstanding).
Each account stores its balance, moved with ``F()`` in the same transaction as the postings, under a row lock; a
database check keeps a volunteer account's balance from going below zero. Transfers and postings are append-only
(database triggers, see ``core.dbtriggers``): a correction is a new transfer, never an edit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.models import Elder
from chuncheng.timebank.choices import AccountKind, Relation, ServiceStatus, TransferKind

HOURS = {"max_digits": 9, "decimal_places": 2}


class Volunteer(models.Model):
    """A volunteer of the time bank: anyone, an elder of the registry included (``elder``), filed under an area."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=50)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="volunteers", verbose_name=_("community"))
    elder = models.OneToOneField(
        Elder, models.PROTECT, null=True, blank=True, related_name="volunteer", verbose_name=_("elder (if registered)")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "timebank"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["org_unit__code", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """An hours account: one per volunteer, and the one pool account of the bank (the issuer)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    volunteer = models.OneToOneField(Volunteer, models.PROTECT, null=True, blank=True, related_name="account")
    balance = models.DecimalField(_("balance (hours)"), default=0, **HOURS)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "timebank"
    scope_org_field = "volunteer__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("time bank account")
        verbose_name_plural = _("time bank accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=AccountKind.POOL) | models.Q(balance__gte=0),
                name="timebank_balance_not_negative",
                violation_error_code="insufficient_balance",
                violation_error_message=_("A volunteer's balance cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(models.Q(kind=AccountKind.POOL, volunteer__isnull=True))
                | models.Q(kind=AccountKind.VOLUNTEER, volunteer__isnull=False),
                name="timebank_account_owner",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind=AccountKind.POOL), name="timebank_one_pool"
            ),
        ]

    def __str__(self) -> str:
        return str(self.volunteer) if self.volunteer_id else str(AccountKind.POOL.label)


class Relative(models.Model):
    """A registered relative of a volunteer (an elder of the registry) who may receive services paid with hours."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="relatives")
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="timebank_relatives")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "timebank"
    scope_org_field = "volunteer__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("registered relative")
        verbose_name_plural = _("registered relatives")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "elder"],
                name="timebank_relative_unique",
                violation_error_code="relative_exists",
                violation_error_message=_("This relative is already registered."),
            ),
            models.CheckConstraint(condition=~models.Q(relation=Relation.SELF), name="timebank_relative_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.elder}"


class VolunteerService(models.Model):
    """A volunteer service done (date, hours, what); its hours are deposited when a community worker confirms it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="services")
    served_on = models.DateField(_("service date"))
    hours = models.DecimalField(_("hours"), **HOURS)
    description = models.CharField(_("service"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "timebank"
    scope_org_field = "volunteer__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer services")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24),
                name="timebank_service_hours",
                violation_error_code="bad_hours",
                violation_error_message=_("Hours must be more than 0 and at most 24."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.served_on} {self.hours}h"


class Transfer(models.Model):
    """One movement of hours (append-only): a deposit for a confirmed service, or a withdrawal for a service to the
    volunteer or a registered relative (``beneficiary`` and ``relation``). Its two postings sum to zero."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    volunteer = models.ForeignKey(Volunteer, models.PROTECT, related_name="transfers")
    hours = models.DecimalField(_("hours"), **HOURS)
    service = models.OneToOneField(VolunteerService, models.PROTECT, null=True, blank=True, related_name="deposit")
    beneficiary = models.ForeignKey(Elder, models.PROTECT, null=True, blank=True, related_name="timebank_withdrawals")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices, blank=True)
    note = models.CharField(_("service received"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "timebank"
    scope_org_field = "volunteer__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("time bank transfer")
        verbose_name_plural = _("time bank transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="timebank_transfer_positive"),
            models.CheckConstraint(
                condition=models.Q(kind=TransferKind.DEPOSIT, service__isnull=False, beneficiary__isnull=True)
                | models.Q(kind=TransferKind.WITHDRAWAL, service__isnull=True, beneficiary__isnull=False),
                name="timebank_transfer_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.hours}h"


class Posting(models.Model):
    """One leg of a transfer on one account (append-only): positive credits hours, negative debits them."""

    transfer = models.ForeignKey(Transfer, models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, models.PROTECT, related_name="postings")
    amount = models.DecimalField(_("hours"), **HOURS)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "account"], name="timebank_posting_unique"),
            models.CheckConstraint(condition=~models.Q(amount=0), name="timebank_posting_nonzero"),
        ]
        indexes = [models.Index(fields=["account", "transfer"], name="timebank_posting_account")]
