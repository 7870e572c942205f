"""The registry of elders (老年人): identity (encrypted ID number), residence, categories, contacts."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.choices import CapabilityLevel, Category, ElderStatus, Relation, Sex


class ElderQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=ElderStatus.ACTIVE)


class Elder(models.Model):
    """A person aged 60+ living in the city. The ID number is stored encrypted (AAD: table, column, public_id),
    with a keyed blind index for exact look-up and a masked copy for display; sex and birth date derive from it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    id_number_enc = models.TextField(_("ID number (encrypted)"))
    id_number_index = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), db_index=True)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="elders", verbose_name=_("community"))
    hukou_local = models.BooleanField(_("local household registration"), default=True)
    tekun = models.BooleanField(Category.TEKUN.label, default=False)
    dibao = models.BooleanField(Category.DIBAO.label, default=False)
    dibao_edge = models.BooleanField(Category.DIBAO_EDGE.label, default=False)
    lonely = models.BooleanField(Category.LONELY.label, default=False)
    living_alone = models.BooleanField(Category.LIVING_ALONE.label, default=False)
    empty_nest = models.BooleanField(Category.EMPTY_NEST.label, default=False)
    severe_disability = models.BooleanField(Category.SEVERE_DISABILITY.label, default=False)
    dementia = models.BooleanField(Category.DEMENTIA.label, default=False)
    family_planning_special = models.BooleanField(Category.FAMILY_PLANNING_SPECIAL.label, default=False)
    left_behind = models.BooleanField(Category.LEFT_BEHIND.label, default=False)
    capability_level = models.CharField(
        _("capability level"), max_length=10, choices=CapabilityLevel.choices, blank=True
    )
    phone_enc = models.TextField(_("phone (encrypted)"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ElderStatus.choices, default=ElderStatus.ACTIVE)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    moved_on = models.DateField(_("date moved away"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ElderQuerySet.as_manager()

    scope_resource = "elder"
    scope_org_field = "org_unit"
    # Operators see the elders who stay in their institution now (one open stay per elder, so no duplicates).
    scope_institution_field = "admissions__institution_id"
    scope_institution_extra = {"admissions__discharged_on__isnull": True}
    scope_personal = True
    encrypted_fields = ("id_number_enc", "phone_enc")

    class Meta:
        verbose_name = _("elder")
        verbose_name_plural = _("elders")
        indexes = [
            models.Index(fields=["org_unit", "status"], name="elder_org_status"),
            models.Index(fields=["org_unit", "name"], name="elder_org_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ElderStatus.DECEASED) | Q(died_on__isnull=False),
                name="elder_death_date",
                violation_error_code="elder_death_date",
                violation_error_message=_("A deceased elder needs the date of death."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def categories(self) -> list[str]:
        return [c for c in Category.values if getattr(self, c)]


class ElderContact(models.Model):
    """A contact or family member of an elder (name, relation, phone, whether guardian).

    ``public_id`` names the contact in URLs and binds its encrypted phone to the row (AAD)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    phone_enc = models.TextField(_("phone (encrypted)"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    is_guardian = models.BooleanField(_("guardian"), default=False)

    encrypted_fields = ("phone_enc",)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["elder"],
                condition=Q(is_guardian=True),
                name="elder_one_guardian",
                violation_error_code="elder_one_guardian",
                violation_error_message=_("An elder has at most one guardian."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
