"""Benefit programmes and their policy versions (the numbers in force for a period), loaded from the policy pack."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.benefits.choices import (
    ApplicationStatus,
    BatchStatus,
    BeneficiaryKind,
    DecisionAction,
    EntitlementStatus,
    LedgerKind,
    RuleShape,
)
from chuncheng.core.models import AppendOnly, OrgUnit
from chuncheng.core.roles import Level
from chuncheng.core.scope import ScopedQuerySet


class Programme(models.Model):
    """A subsidy or allowance (补贴/津贴): who receives it and which pure rule computes it."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    beneficiary = models.CharField(_("beneficiary kind"), max_length=12, choices=BeneficiaryKind.choices)
    shape = models.CharField(_("rule shape"), max_length=30, choices=RuleShape.choices)
    source = models.CharField(_("source"), max_length=300)
    # The levels that review and approve an application, lowest first (``["township", "county", "city"]``); empty when
    # the programme is paid without one (batches). From the policy pack (``approval_levels``).
    approval_levels = models.JSONField(_("approval levels"), default=list, blank=True)

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
        if self.status == BatchStatus.DRAFT:
            return 0  # enqueued, not started: the candidates are not counted yet
        return 100 if not self.total else min(100, int(self.processed * 100 / self.total))


class MoneyDue(models.Model):
    """What entitlements and ledger entries share: a programme's money for one beneficiary and month, with the fund
    shares that sum to it, read through the area of the beneficiary (scoped like an entitlement)."""

    programme = models.ForeignKey(Programme, models.PROTECT, related_name="+", verbose_name=_("programme"))
    period = models.DateField(_("period"))
    beneficiary_kind = models.CharField(_("beneficiary kind"), max_length=12, choices=BeneficiaryKind.choices)
    beneficiary_id = models.BigIntegerField(_("beneficiary"))
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("area"))
    amount = models.DecimalField(_("amount"), **MONEY)
    province_share = models.DecimalField(_("province share"), **MONEY)
    city_share = models.DecimalField(_("city share"), **MONEY)
    county_share = models.DecimalField(_("county share"), **MONEY)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "benefit_entitlement"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        abstract = True


class Entitlement(MoneyDue):
    """What one beneficiary is due from one batch. At most one per programme, period and beneficiary (constraint)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(PaymentBatch, models.PROTECT, related_name="entitlements", verbose_name=_("batch"))
    breakdown = models.JSONField(_("breakdown"), default=list)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=EntitlementStatus.choices, default=EntitlementStatus.PAYABLE
    )
    pause_reason = models.CharField(_("reason for the pause"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))

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


class LedgerEntry(MoneyDue):
    """An append-only money movement (database triggers refuse UPDATE and DELETE): an approved entitlement, a back
    pay or a recovery (negative). The services write shares that sum to the amount exactly (``rules.fund_shares``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=LedgerKind.choices)
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


# ---------------------------------------------------------------------------------------------------------------
# Applications (申请 → 审核 → 审批) for programmes with approval levels (B1, B5); rules in ``benefits/applications.py``


OPEN_APPLICATION = Q(status__in=[ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED])


class Application(models.Model):
    """An institution's or a community centre's application for a programme that needs one (B1, B5): its facts and
    attachments, reviewed level by level (the programme's ``approval_levels``, copied at submission). Facts change
    only as a draft or after a return, never while a decision is awaited; the final approval freezes the amount,
    breakdown, reasons, fund shares and policy version, and writes one ledger entry. At most one open application per
    programme and beneficiary (constraint)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, models.PROTECT, related_name="applications", verbose_name=_("programme"))
    beneficiary_kind = models.CharField(_("applicant kind"), max_length=12, choices=BeneficiaryKind.choices)
    institution = models.ForeignKey(
        "institutions.Institution",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    facility = models.ForeignKey(
        "institutions.Facility",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community facility"),
    )
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("area"))
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    note = models.CharField(_("applicant's note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    levels = models.JSONField(_("approval levels"), default=list, blank=True)
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    awaiting_level = models.CharField(
        _("awaiting the decision of"), max_length=10, choices=Level.choices, blank=True, db_index=True
    )
    round = models.PositiveSmallIntegerField(_("submissions"), default=0)
    applied_on = models.DateField(_("application date"), null=True, blank=True)
    amount = models.DecimalField(_("approved amount"), null=True, blank=True, **MONEY)
    province_share = models.DecimalField(_("province share"), null=True, blank=True, **MONEY)
    city_share = models.DecimalField(_("city share"), null=True, blank=True, **MONEY)
    county_share = models.DecimalField(_("county share"), null=True, blank=True, **MONEY)
    breakdown = models.JSONField(_("breakdown"), default=list, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    policy_version = models.ForeignKey(
        PolicyVersion, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("policy version")
    )
    ledger_entry = models.OneToOneField(
        LedgerEntry, models.PROTECT, null=True, blank=True, related_name="application", verbose_name=_("ledger entry")
    )
    makers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("prepared by")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "benefit_application"
    scope_org_field = "org_unit"
    scope_institution_field = "institution_id"
    scope_personal = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(beneficiary_kind=BeneficiaryKind.INSTITUTION, institution__isnull=False, facility__isnull=True)
                    | Q(beneficiary_kind=BeneficiaryKind.FACILITY, facility__isnull=False, institution__isnull=True)
                ),
                name="benefits_application_one_applicant",
                violation_error_code="application_applicant",
                violation_error_message=_("An application is made by one institution or one community facility."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.APPROVED)
                | Q(amount__isnull=False, policy_version__isnull=False, ledger_entry__isnull=False),
                name="benefits_application_approved_is_frozen",
                violation_error_code="application_not_frozen",
                violation_error_message=_(
                    "An approved application carries its amount, policy version and ledger entry."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(status=ApplicationStatus.SUBMITTED) & ~Q(awaiting_level=""))
                | (~Q(status=ApplicationStatus.SUBMITTED) & Q(awaiting_level="")),
                name="benefits_application_awaiting_iff_submitted",
                violation_error_code="application_awaiting_level",
            ),
            models.UniqueConstraint(
                fields=["programme", "institution"],
                condition=OPEN_APPLICATION & Q(institution__isnull=False),
                name="benefits_application_open_institution",
                violation_error_code="application_open",
                violation_error_message=_("This institution already has an open application for this programme."),
            ),
            models.UniqueConstraint(
                fields=["programme", "facility"],
                condition=OPEN_APPLICATION & Q(facility__isnull=False),
                name="benefits_application_open_facility",
                violation_error_code="application_open",
                violation_error_message=_("This facility already has an open application for this programme."),
            ),
        ]
        indexes = [models.Index(fields=["status", "org_unit"], name="benefits_app_status_org")]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.public_id}"

    @property
    def beneficiary(self):
        return self.institution if self.beneficiary_kind == BeneficiaryKind.INSTITUTION else self.facility

    @property
    def beneficiary_id(self) -> int | None:
        return self.institution_id if self.beneficiary_kind == BeneficiaryKind.INSTITUTION else self.facility_id


class ApplicationDecision(AppendOnly):
    """One reviewer's decision at one level of one submission round: approve, reject or return (with a reason).
    Append-only (database triggers refuse UPDATE and DELETE); one decision per round and step."""

    application = models.ForeignKey(
        Application, models.PROTECT, related_name="decisions", verbose_name=_("application")
    )
    round = models.PositiveSmallIntegerField(_("submission round"))
    step = models.PositiveSmallIntegerField(_("step"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    action = models.CharField(_("decision"), max_length=8, choices=DecisionAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("application decision")
        verbose_name_plural = _("application decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round", "step"],
                name="benefits_decision_once_per_step",
                violation_error_code="application_not_awaiting",
            ),
            models.CheckConstraint(
                condition=Q(action=DecisionAction.APPROVE) | ~Q(reason=""),
                name="benefits_decision_reason_required",
                violation_error_code="reason_required",
                violation_error_message=_("A rejection or a return needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.round}.{self.step} {self.action}"


def attachment_path(instance: ApplicationAttachment, filename: str) -> str:
    """Stored under ``VAR_DIR/media/benefits/applications/<application>/<uuid><ext>``: never the uploaded name (which
    may carry personal data); that is kept in ``name`` and given back on download."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"benefits/applications/{instance.application.public_id}/{instance.public_id}{suffix}"


class ApplicationAttachment(models.Model):
    """A supporting document of an application (PDF, image, spreadsheet), checked for size and for being what its
    extension claims; added only while the application is a draft or returned."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, models.PROTECT, related_name="attachments", verbose_name=_("application")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("application attachment")
        verbose_name_plural = _("application attachments")

    def __str__(self) -> str:
        return str(self.public_id)
