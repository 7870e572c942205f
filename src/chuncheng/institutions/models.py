"""Residential eldercare institutions (养老机构), filed (备案) with civil affairs."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.core.validators import phone_validator, uscc_validator
from chuncheng.institutions.choices import (
    BedKind,
    FacilityKind,
    FacilityStatus,
    InstitutionKind,
    InstitutionStatus,
    OperatorKind,
    Property,
    SkillGrade,
    StaffRole,
)


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


class FacilityQuerySet(ScopedQuerySet):
    pass


class Facility(models.Model):
    """A community eldercare facility (社区养老服务设施): centres, stations, day care, canteens, senior universities."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("facility code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=FacilityKind.choices, db_index=True)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="facilities", verbose_name=_("org unit"))
    operator = models.CharField(_("operator kind"), max_length=30, choices=OperatorKind.choices, blank=True)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=FacilityStatus.choices, default=FacilityStatus.ACTIVE)

    objects = FacilityQuerySet.as_manager()

    scope_resource = "facility"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("community facility")
        verbose_name_plural = _("community facilities")
        ordering = ["org_unit__code", "name"]

    def __str__(self) -> str:
        return self.name


class AdmissionQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(discharged_on__isnull=True)


class Admission(models.Model):
    """A resident's stay (入住) in an institution: admitted_on to discharged_on (open while null)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", models.PROTECT, related_name="admissions", verbose_name=_("elder"))
    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="admissions", verbose_name=_("institution")
    )
    bed_kind = models.CharField(_("bed kind"), max_length=10, choices=BedKind.choices, default=BedKind.GENERAL)
    admitted_on = models.DateField(_("admission date"))
    discharged_on = models.DateField(_("discharge date"), null=True, blank=True)
    discharge_reason = models.CharField(_("discharge reason"), max_length=100, blank=True)
    transferred_to = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+")

    objects = AdmissionQuerySet.as_manager()

    scope_resource = "resident"
    scope_org_field = "institution__org_unit"
    scope_institution_field = "institution_id"
    scope_personal = True

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        ordering = ["-admitted_on"]
        indexes = [models.Index(fields=["institution", "discharged_on"], name="admission_inst_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["elder"],
                condition=Q(discharged_on__isnull=True),
                name="admission_one_open_stay",
                violation_error_code="admission_one_open_stay",
                violation_error_message=_("The elder already has an open stay."),
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                name="admission_discharge_after_admission",
                violation_error_code="admission_discharge_before_admission",
                violation_error_message=_("The discharge date cannot come before the admission date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder_id}@{self.institution_id}"


class StaffQuerySet(ScopedQuerySet):
    def in_post(self):
        return self.filter(left_on__isnull=True)


class Staff(models.Model):
    """A staff member (从业人员) of an institution or a community facility."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(Institution, models.PROTECT, null=True, blank=True, related_name="staff")
    facility = models.ForeignKey(Facility, models.PROTECT, null=True, blank=True, related_name="staff")
    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, related_name="staff", help_text=_("the employer's unit, kept for scope and statistics")
    )
    id_number_enc = models.TextField(_("ID number (encrypted)"))
    id_number_index = models.CharField(max_length=64, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    role = models.CharField(_("post"), max_length=20, choices=StaffRole.choices, db_index=True)
    skill_grade = models.CharField(_("skill grade"), max_length=20, choices=SkillGrade.choices, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=50, blank=True)
    trained = models.BooleanField(_("caregiver training completed"), default=False)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    social_insurance = models.BooleanField(_("social insurance paid"), default=False)
    hired_on = models.DateField(_("hire date"), null=True, blank=True)
    left_on = models.DateField(_("leave date"), null=True, blank=True)

    objects = StaffQuerySet.as_manager()

    scope_resource = "staff"
    scope_org_field = "org_unit"
    scope_institution_field = "institution_id"
    scope_personal = True
    encrypted_fields = ("id_number_enc",)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=False, facility__isnull=True)
                | Q(institution__isnull=True, facility__isnull=False),
                name="staff_one_employer",
                violation_error_code="staff_one_employer",
                violation_error_message=_("A staff member works for one institution or one facility."),
            ),
            models.UniqueConstraint(
                fields=["institution", "id_number_index"],
                name="staff_unique_per_institution",
                violation_error_code="staff_duplicate",
                violation_error_message=_("This person is already on this employer's staff."),
            ),
            models.UniqueConstraint(
                fields=["facility", "id_number_index"],
                name="staff_unique_per_facility",
                violation_error_code="staff_duplicate",
                violation_error_message=_("This person is already on this employer's staff."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(hired_on__isnull=True) | Q(left_on__gte=F("hired_on")),
                name="staff_leave_after_hire",
                violation_error_code="staff_leave_before_hire",
                violation_error_message=_("The leave date cannot come before the hire date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
