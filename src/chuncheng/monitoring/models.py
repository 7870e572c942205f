"""The indicator catalogue as versioned data (catalogue → indicators → targets per target set), the stored
indicator values per org unit and date (snapshots), and the values departments report (reported values)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.monitoring.choices import (
    Comparison,
    Direction,
    SourceKind,
    TargetLevel,
    Theme,
    Unit,
    ValueStatus,
)


class CatalogueVersion(models.Model):
    """One loaded version of policies/kunming/monitoring/indicators.json. A changed file is a new version; the
    version in force on a date is the latest one with ``effective_from`` on or before it."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_from = models.DateField(_("effective from"))
    deadline = models.DateField(_("projection deadline"))
    source = models.TextField(_("source"))
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indicator catalogue version")
        verbose_name_plural = _("indicator catalogue versions")
        ordering = ["-effective_from", "-version"]

    def __str__(self) -> str:
        return self.version


class TargetSet(models.Model):
    """A plan's set of targets (S, P, O in kunming-policy.md §3)."""

    catalogue = models.ForeignKey(CatalogueVersion, models.CASCADE, related_name="target_sets")
    code = models.CharField(_("code"), max_length=10)
    name_zh = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    target_date = models.DateField(_("target date"))
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("target set")
        verbose_name_plural = _("target sets")
        ordering = ["catalogue", "code"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "code"], name="monitoring_targetset_unique")]

    def __str__(self) -> str:
        return self.code


class Indicator(models.Model):
    """One indicator of the catalogue (指标): defined once, computed from records or reported by a department."""

    catalogue = models.ForeignKey(CatalogueVersion, models.CASCADE, related_name="indicators")
    key = models.CharField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    name_zh = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    numerator = models.TextField(_("numerator"))
    denominator = models.TextField(_("denominator"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    department = models.CharField(_("responsible department"), max_length=100)
    source_kind = models.CharField(_("source of value"), max_length=10, choices=SourceKind.choices)
    target_level = models.CharField(_("targets apply to"), max_length=10, choices=TargetLevel.choices)
    supplementary = models.BooleanField(_("supplementary (not in the plans)"), default=False)
    baseline = models.JSONField(_("baseline"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["catalogue", "position"]
        constraints = [models.UniqueConstraint(fields=["catalogue", "key"], name="monitoring_indicator_unique")]

    def __str__(self) -> str:
        return self.key


class Target(models.Model):
    """One plan's target for an indicator (目标值), in the indicator's unit, with its source."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets")
    target_set = models.ForeignKey(TargetSet, models.CASCADE, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    comparison = models.CharField(_("comparison"), max_length=4, choices=Comparison.choices)
    text = models.CharField(_("as written"), max_length=100)
    source = models.CharField(_("source"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "target_set__code"]
        constraints = [models.UniqueConstraint(fields=["indicator", "target_set"], name="monitoring_target_unique")]


class SnapshotQuerySet(ScopedQuerySet):
    pass


class IndicatorSnapshot(models.Model):
    """The stored value of a computed indicator for an org unit on a date (快照). Keyed by the indicator's key, so
    history survives catalogue versions. Values are in the indicator's unit."""

    indicator = models.CharField(_("indicator"), max_length=60)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("org unit"))
    date = models.DateField(_("date"))
    numerator = models.DecimalField(_("numerator"), max_digits=18, decimal_places=4, null=True)
    denominator = models.DecimalField(_("denominator"), max_digits=18, decimal_places=4, null=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True)
    status = models.CharField(_("status"), max_length=20, choices=ValueStatus.choices)
    computed_at = models.DateTimeField(auto_now_add=True)

    objects = SnapshotQuerySet.as_manager()

    scope_resource = "monitoring"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        ordering = ["indicator", "org_unit", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "date"],
                name="monitoring_snapshot_unique",
                violation_error_code="monitoring_snapshot_duplicate",
            )
        ]
        indexes = [models.Index(fields=["org_unit", "date"], name="monitoring_snap_org_date")]


class ReportPeriod(models.TextChoices):
    """How often a reported indicator is reported (policies/kunming/monitoring/reporting.json); also the bulletin's
    period (month or quarter)."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    SUPERSEDED = "superseded", _("Superseded")


class ReportedValueQuerySet(ScopedQuerySet):
    pass


def evidence_path(instance: ReportedValue, filename: str) -> str:
    """Stored under ``VAR_DIR/media/monitoring/reported/<uuid><ext>``: never the uploaded name, which is kept in
    ``evidence_name`` and given back on download."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"monitoring/reported/{instance.public_id}{suffix}"


class ReportedValue(models.Model):
    """A figure a responsible department enters for an indicator, an area and a period (上报数), with its evidence
    file and a note; a second user at the same or a higher level approves or returns it (maker-checker). Rows are
    never deleted: a new value for the same indicator, area and period supersedes the old one, which stays visible.
    Keyed by the indicator's key (like snapshots), so history survives catalogue versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    indicator = models.CharField(_("indicator"), max_length=60)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("org unit"))
    period_kind = models.CharField(_("period"), max_length=10, choices=ReportPeriod.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, max_length=200)
    evidence_name = models.CharField(_("file name"), max_length=255)
    evidence_size = models.PositiveBigIntegerField(_("size (bytes)"))
    evidence_sha256 = models.CharField(_("SHA-256"), max_length=64)
    evidence_content_type = models.CharField(_("content type"), max_length=100)
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.SUBMITTED)
    supersedes = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("supersedes")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    submitted_at = models.DateTimeField(_("reported at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = ReportedValueQuerySet.as_manager()

    scope_resource = "monitoring_report"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["indicator", "org_unit", "-period_start", "-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="monitoring_reported_period_order",
                violation_error_code="monitoring_bad_period",
            ),
            # At most one value awaiting review and one approved value per indicator, area and period.
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period_kind", "period_start"],
                condition=Q(state="submitted"),
                name="monitoring_reported_one_pending",
                violation_error_code="monitoring_concurrent_report",
            ),
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period_kind", "period_start"],
                condition=Q(state="approved"),
                name="monitoring_reported_one_approved",
                violation_error_code="monitoring_concurrent_report",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "org_unit", "period_start"], name="monitoring_rep_key"),
            models.Index(fields=["state", "period_start"], name="monitoring_rep_state"),
        ]

    def __str__(self) -> str:
        return str(self.public_id)
