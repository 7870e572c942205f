"""Benefit programmes and their policy versions (the numbers in force for a period), loaded from the policy pack."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.benefits.choices import BatchStatus, BeneficiaryKind, EntitlementStatus, LedgerKind, RuleShape
from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet


class Programme(models.Model):
    """A subsidy or allowance (补贴/津贴): who receives it and which pure rule computes it."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    beneficiary = models.CharField(_("beneficiary kind"), max_length=12, choices=BeneficiaryKind.choices)
    shape = models.CharField(_("rule shape"), max_length=30, choices=RuleShape.choices)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PolicyVersion(models.Model):
    """The parameters of a programme in force from ``effective_from`` to ``effective_to`` (inclusive, open-ended when
    empty) in an area (``area`` = org-unit code prefix; empty = the whole city). Versions of one programme in one area
    never overlap; the most specific area wins for a beneficiary."""

    programme = models.ForeignKey(Programme, models.PROTECT, related_name="versions", verbose_name=_("programme"))
    label = models.CharField(_("version"), max_length=30)
    area = models.CharField(_("area (org-unit code prefix)"), max_length=12, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["programme__code", "area", "effective_from"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "label"], name="benefits_version_label_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="benefits_version_dates_ordered",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.label}"

    def overlaps(self, other: PolicyVersion) -> bool:
        if self.area != other.area:
            return False
        ends_after = self.effective_to is None or self.effective_to >= other.effective_from
        starts_before = other.effective_to is None or self.effective_from <= other.effective_to
        return ends_after and starts_before

    def clean(self) -> None:
        siblings = PolicyVersion.objects.filter(programme_id=self.programme_id, area=self.area).exclude(pk=self.pk)
        for other in siblings:
            if self.overlaps(other):
                raise ValidationError(
                    _("Policy versions of one programme may not overlap (%(other)s).") % {"other": other.label},
                    code="policy_version_overlap",
                )


MONEY = {"max_digits": 14, "decimal_places": 2}


class PaymentBatch(models.Model):
    """One run of a recurring programme for one month (``period`` = the first day). Its state lives here, not in the
    job queue: ``last_pk`` is the checkpoint of the last committed chunk, so a killed run is resumed by the next."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="batches", verbose_name=_("programme"))
    period = models.DateField(_("period (first day of the month)"))
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    policy_version = models.ForeignKey(
        PolicyVersion, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("policy version")
    )
    total = models.PositiveIntegerField(_("candidates to examine"), default=0)
    processed = models.PositiveIntegerField(_("candidates examined"), default=0)
    created_count = models.PositiveIntegerField(_("entitlements created"), default=0)
    chunks = models.PositiveIntegerField(_("chunks committed"), default=0)
    last_pk = models.BigIntegerField(_("last primary key processed"), default=0)
    max_pk = models.BigIntegerField(_("highest primary key to process"), default=0)
    runner = models.CharField(_("runner (host:pid)"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("run by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-period", "programme__code"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [
            models.UniqueConstraint(fields=["programme", "period"], name="benefits_batch_programme_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.period:%Y-%m}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, int(self.processed * 100 / self.total))


class Entitlement(models.Model):
    """What one beneficiary is due from one batch. At most one per programme, period and beneficiary (constraint)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(PaymentBatch, models.PROTECT, related_name="entitlements", verbose_name=_("batch"))
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="+", verbose_name=_("programme"))
    period = models.DateField(_("period"))
    beneficiary_kind = models.CharField(_("beneficiary kind"), max_length=12, choices=BeneficiaryKind.choices)
    beneficiary_id = models.BigIntegerField(_("beneficiary"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("area"))
    amount = models.DecimalField(_("amount"), **MONEY)
    province_share = models.DecimalField(_("province share"), **MONEY)
    city_share = models.DecimalField(_("city share"), **MONEY)
    county_share = models.DecimalField(_("county share"), **MONEY)
    breakdown = models.JSONField(_("breakdown"), default=list)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=EntitlementStatus.choices, default=EntitlementStatus.PAYABLE
    )
    pause_reason = models.CharField(_("reason for the pause"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))

    objects = ScopedQuerySet.as_manager()
    scope_resource = "benefit_entitlement"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        ordering = ["pk"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period", "beneficiary_kind", "beneficiary_id"],
                name="benefits_entitlement_once_per_period",
                violation_error_code="entitlement_duplicate",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="benefits_entitlement_amount_not_negative",
                violation_error_code="entitlement_negative",
            ),
        ]
        indexes = [models.Index(fields=["batch", "org_unit"], name="benefits_ent_batch_org")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.period:%Y-%m} {self.beneficiary_kind}:{self.beneficiary_id}"


class LedgerEntry(models.Model):
    """An append-only money movement (database triggers refuse UPDATE and DELETE): an approved entitlement, a back
    pay or a recovery (negative). The services write shares that sum to the amount exactly (``rules.fund_shares``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=LedgerKind.choices)
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="+", verbose_name=_("programme"))
    period = models.DateField(_("period"))
    beneficiary_kind = models.CharField(_("beneficiary kind"), max_length=12, choices=BeneficiaryKind.choices)
    beneficiary_id = models.BigIntegerField(_("beneficiary"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("area"))
    amount = models.DecimalField(_("amount"), **MONEY)
    province_share = models.DecimalField(_("province share"), **MONEY)
    city_share = models.DecimalField(_("city share"), **MONEY)
    county_share = models.DecimalField(_("county share"), **MONEY)
    batch = models.ForeignKey(
        PaymentBatch, models.PROTECT, null=True, blank=True, related_name="ledger", verbose_name=_("batch")
    )
    entitlement = models.OneToOneField(
        Entitlement, models.PROTECT, null=True, blank=True, related_name="ledger_entry", verbose_name=_("entitlement")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"))

    objects = ScopedQuerySet.as_manager()
    scope_resource = "benefit_entitlement"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=LedgerKind.RECOVERY) & Q(amount__lt=0))
                | (~Q(kind=LedgerKind.RECOVERY) & Q(amount__gte=0)),
                name="benefits_ledger_sign_by_kind",
                violation_error_code="ledger_sign",
            ),
        ]
        indexes = [
            models.Index(
                fields=["programme", "period", "beneficiary_kind", "beneficiary_id"], name="benefits_ledger_benef"
            )
        ]
