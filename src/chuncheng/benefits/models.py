"""Benefit programmes and their policy versions (the numbers in force for a period), loaded from the policy pack."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.benefits.choices import BeneficiaryKind, RuleShape


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
