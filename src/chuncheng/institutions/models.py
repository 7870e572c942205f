"""Residential eldercare institutions (养老机构), filed (备案) with civil affairs."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.core.validators import phone_validator, uscc_validator
from chuncheng.institutions.choices import InstitutionKind, InstitutionStatus, Property


class InstitutionQuerySet(ScopedQuerySet):
    pass


class Institution(models.Model):
    """An eldercare institution. Natural key: the unified social credit code (GB 32100)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("institution code"), max_length=30, blank=True)
    name = models.CharField(_("institution name"), max_length=200, db_index=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[uscc_validator])
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="institutions", verbose_name=_("org unit"))
    kind = models.CharField(_("institution kind"), max_length=30, choices=InstitutionKind.choices)
    government_operated = models.BooleanField(_("government-operated"), default=False)
    property = models.CharField(_("property"), max_length=10, choices=Property.choices, blank=True)
    lease_years = models.PositiveSmallIntegerField(_("lease years"), null=True, blank=True)
    approved_beds = models.PositiveIntegerField(_("approved beds"), default=0)
    nursing_beds = models.PositiveIntegerField(_("nursing beds"), default=0)
    safety_net_beds = models.PositiveIntegerField(_("safety-net beds"), default=0)
    puhui_beds = models.PositiveIntegerField(_("puhui beds"), default=0)
    is_nursing_type = models.BooleanField(_("nursing-type institution"), default=False)
    internal_medical = models.BooleanField(_("internal medical service"), default=False)
    medical_agreement = models.BooleanField(_("medical agreement"), default=False)
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InstitutionStatus.choices, default=InstitutionStatus.ACTIVE
    )

    objects = InstitutionQuerySet.as_manager()

    scope_resource = "institution"
    scope_org_field = "org_unit"
    scope_institution_field = "pk"
    scope_personal = True

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["org_unit__code", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nursing_beds__lte=F("approved_beds")),
                name="institution_nursing_le_approved",
                violation_error_code="institution_nursing_le_approved",
                violation_error_message=_("Nursing beds cannot exceed approved beds."),
            ),
            models.CheckConstraint(
                condition=Q(safety_net_beds__lte=F("approved_beds") - F("puhui_beds")),
                name="institution_safety_net_puhui_le_approved",
                violation_error_code="institution_safety_net_puhui_le_approved",
                violation_error_message=_("Safety-net plus puhui beds cannot exceed approved beds."),
            ),
            models.CheckConstraint(
                condition=~Q(property=Property.LEASED) | Q(lease_years__isnull=False),
                name="institution_lease_years_if_leased",
                violation_error_code="institution_lease_years_if_leased",
                violation_error_message=_("A leased property needs its lease years."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
