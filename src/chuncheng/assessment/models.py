"""Capability assessment (GB/T 42195-2022): agencies, their assessors, and assessments of elders.

Models are thin: every rule is in ``services``, every number of the standard in the policy data file, every score
computed by ``scoring.score``. The answers are health data: encrypted at rest (``health.py``), shown only on scoped
pages; the computed scores and levels are kept in clear for statistics.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.assessment.choices import AssessmentStatus, Channel, Qualification, Reason
from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.choices import CapabilityLevel
from chuncheng.elders.models import Elder


class AssessmentAgency(models.Model):
    """An assessment agency (评估机构), registered in one county and serving the counties listed in ``counties``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, related_name="assessment_agencies", verbose_name=_("registered in")
    )
    counties = models.ManyToManyField(OrgUnit, related_name="served_by_agencies", verbose_name=_("counties served"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_resource = "assessment_agency"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("assessment agency")
        verbose_name_plural = _("assessment agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Assessor(models.Model):
    """An assessor (评估员) of an agency: qualification and certificate; ``user`` is the login, if any."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(AssessmentAgency, models.PROTECT, related_name="assessors", verbose_name=_("agency"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assessor_profile",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=50)
    qualification = models.CharField(_("qualification"), max_length=20, choices=Qualification.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=50, unique=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_resource = "assessment_agency"
    scope_org_field = "agency__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("assessor")
        verbose_name_plural = _("assessors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One capability assessment of an elder, from request to sign-off. Scores and levels are computed, never typed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="assessments", verbose_name=_("elder"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    channel = models.CharField(_("requested by"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.REQUESTED
    )
    agency = models.ForeignKey(
        AssessmentAgency, models.PROTECT, null=True, blank=True, related_name="assessments", verbose_name=_("agency")
    )
    assessor_1 = models.ForeignKey(
        Assessor, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("first assessor")
    )
    assessor_2 = models.ForeignKey(
        Assessor, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("second assessor")
    )
    answers_enc = models.TextField(_("answers (encrypted)"), blank=True, default="")
    dimension_scores = models.JSONField(_("scores per dimension"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("total score"), null=True, blank=True)
    preliminary_level = models.CharField(
        _("preliminary level"), max_length=10, choices=CapabilityLevel.choices, blank=True
    )
    adjustments = models.JSONField(_("adjustments applied"), default=list, blank=True)
    final_level = models.CharField(_("final level"), max_length=10, choices=CapabilityLevel.choices, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    signed_on = models.DateField(_("signed off on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_resource = "assessment"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True
    encrypted_fields = ("answers_enc",)

    class Meta:
        verbose_name = _("capability assessment")
        verbose_name_plural = _("capability assessments")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder"],
                condition=Q(status__in=["requested", "assigned", "in_progress", "submitted"]),
                name="assessment_one_open_per_elder",
                violation_error_code="assessment_open",
                violation_error_message=_("This elder already has an open assessment."),
            ),
            models.CheckConstraint(
                condition=Q(assessor_1__isnull=True) | ~Q(assessor_1=models.F("assessor_2")),
                name="assessment_two_distinct_assessors",
                violation_error_code="assessors_not_distinct",
                violation_error_message=_("The two assessors must be different people."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.get_reason_display()}"

    @property
    def assessors(self) -> list[Assessor]:
        return [a for a in (self.assessor_1, self.assessor_2) if a is not None]
