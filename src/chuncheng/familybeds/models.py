"""Family care beds (家庭养老床位, 003 专栏2): a bed "built" in an elder's home — the home adaptation (适老化改造) and a
service plan of professional visits by a contracted institution or provider. Compliance compares the plan's visits
per month with the elder's verified, payable home-care visits (``homecare.Visit.objects.payable``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.models import Elder
from chuncheng.familybeds.choices import BedStatus
from chuncheng.homecare.models import Provider
from chuncheng.institutions.models import Institution


class HomeCareBed(models.Model):
    """A family care bed of one elder, contracted to an institution or a provider, from ``start_date``.

    ``plan`` is the service plan (``[{"kind", "visits_per_month"}]``); ``planned_visits`` its total per month, kept
    as a column so compliance is one aggregate query."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="family_beds", verbose_name=_("elder"))
    institution = models.ForeignKey(
        Institution,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="family_beds",
        verbose_name=_("contracted institution"),
    )
    provider = models.ForeignKey(
        Provider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="family_beds",
        verbose_name=_("contracted provider"),
    )
    capability_level = models.CharField(_("capability level at setup"), max_length=10)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BedStatus.choices, default=BedStatus.ACTIVE)
    plan = models.JSONField(_("service plan"), default=list)
    planned_visits = models.PositiveSmallIntegerField(_("planned visits per month"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "familybed"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("family care bed")
        verbose_name_plural = _("family care beds")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["status", "start_date"], name="familybed_status_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["elder"],
                condition=Q(status=BedStatus.ACTIVE),
                name="familybed_one_active_bed",
                violation_error_code="bed_exists",
                violation_error_message=_("This elder already has an active family care bed."),
            ),
            models.CheckConstraint(
                condition=Q(institution__isnull=True, provider__isnull=False)
                | Q(institution__isnull=False, provider__isnull=True),
                name="familybed_one_contractor",
                violation_error_code="no_contractor",
                violation_error_message=_("A bed is contracted to one institution or one provider."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="familybed_end_after_start",
                violation_error_code="bad_dates",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.elder} {self.start_date}"

    @property
    def contractor(self):
        return self.institution or self.provider


class HomeAdaptation(models.Model):
    """The home adaptation (适老化改造) of a bed: items from the policy list, cost, subsidy (capped by policy)."""

    bed = models.OneToOneField(HomeCareBed, models.CASCADE, related_name="adaptation")
    items = models.JSONField(_("items"), default=list)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2)
    subsidy = models.DecimalField(_("subsidy"), max_digits=10, decimal_places=2)
    completed_on = models.DateField(_("completion date"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("home adaptation")
        verbose_name_plural = _("home adaptations")
        constraints = [
            models.CheckConstraint(
                condition=Q(subsidy__gte=0) & Q(cost__gte=0) & Q(subsidy__lte=models.F("cost")),
                name="familybed_adaptation_amounts",
                violation_error_code="subsidy_over_cost",
                violation_error_message=_("The subsidy cannot be negative or exceed the cost."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.bed} {self.cost}"
