"""Meal assistance (助餐): meal cards, meal records at canteens and meal points (registry ``Facility`` of kind
``canteen``/``meal_point``), their anomaly flags, site-day spikes, monthly settlements per site feeding the benefits
ledger, and food-safety checks. Scope follows the site's area (records) or the elder's (cards)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Facility
from chuncheng.meals.choices import FlagRule, InspectionResult, MealSlot, MealSource, Review, SubsidyGroup

MONEY = {"max_digits": 12, "decimal_places": 2}


class MealCard(models.Model):
    """A meal card (or the ID card used as one): the number is stored only as a keyed blind index and a masked copy."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="meal_cards", verbose_name=_("elder"))
    number_index = models.CharField(max_length=64, unique=True)
    number_masked = models.CharField(_("card number"), max_length=30)
    issued_on = models.DateField(_("issued on"))
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "meal_record"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("meal card")
        verbose_name_plural = _("meal cards")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number_masked


class MealRecord(models.Model):
    """One meal served to an elder at a site on a day and slot, with its price and the subsidy by the elder's group.

    One record per elder, site, day and slot (a second swipe at the same counter is the same meal); the same slot at
    two sites is recorded and flagged."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="meal_records", verbose_name=_("elder"))
    site = models.ForeignKey(Facility, models.PROTECT, related_name="meal_records", verbose_name=_("meal site"))
    served_on = models.DateField(_("date"))
    slot = models.CharField(_("meal slot"), max_length=10, choices=MealSlot.choices)
    price = models.DecimalField(_("price"), **MONEY)
    subsidy = models.DecimalField(_("subsidy"), **MONEY)
    subsidy_group = models.CharField(_("subsidy group"), max_length=12, choices=SubsidyGroup.choices)
    source = models.CharField(_("source"), max_length=12, choices=MealSource.choices)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, blank=True, default=Review.NONE)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "meal_record"
    scope_org_field = "site__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("meal record")
        verbose_name_plural = _("meal records")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "site", "served_on", "slot"],
                name="meals_record_once_per_site_slot",
                violation_error_message=_("This meal is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0) & Q(subsidy__gte=0) & Q(subsidy__lte=models.F("price")),
                name="meals_record_amounts",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "served_on"], name="meals_record_site_day"),
            models.Index(fields=["elder", "served_on", "slot"], name="meals_record_elder_day"),
            models.Index(fields=["served_on"], name="meals_record_day"),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.slot}"


class MealFlag(models.Model):
    """A record met an anomaly rule (written set-based by ``flags.scan``; never edited)."""

    record = models.ForeignKey(MealRecord, models.CASCADE, related_name="flags")
    rule = models.CharField(_("rule"), max_length=20, choices=FlagRule.choices)
    created_at = models.DateTimeField(_("flagged at"))

    class Meta:
        verbose_name = _("meal flag")
        verbose_name_plural = _("meal flags")
        constraints = [models.UniqueConstraint(fields=["record", "rule"], name="meals_flag_once")]


class SiteSpike(models.Model):
    """A site's meal count on a day far above its usual (the rule and its parameters: docs/meals.md)."""

    site = models.ForeignKey(Facility, models.CASCADE, related_name="meal_spikes", verbose_name=_("meal site"))
    day = models.DateField(_("date"))
    meals = models.PositiveIntegerField(_("meals"))
    baseline = models.DecimalField(_("usual daily meals"), max_digits=10, decimal_places=1)
    created_at = models.DateTimeField(_("flagged at"))

    objects = ScopedQuerySet.as_manager()
    scope_resource = "meal_record"
    scope_org_field = "site__org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("daily count spike")
        verbose_name_plural = _("daily count spikes")
        ordering = ["-day", "site_id"]
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="meals_spike_once")]


class MealSettlement(models.Model):
    """A site's monthly settlement: meals and subsidy (rejected records excluded), one per site and month."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Facility, models.PROTECT, related_name="meal_settlements", verbose_name=_("meal site"))
    month = models.DateField(_("month (first day)"))
    meals = models.PositiveIntegerField(_("meals"))
    price_total = models.DecimalField(_("price total"), **MONEY)
    subsidy_total = models.DecimalField(_("subsidy total"), **MONEY)
    excluded = models.PositiveIntegerField(_("rejected records left out"), default=0)
    ledger_entry = models.OneToOneField(
        "benefits.LedgerEntry", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ledger entry")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("settled by")
    )
    created_at = models.DateTimeField(_("settled at"))

    objects = ScopedQuerySet.as_manager()
    scope_resource = "meal_settlement"
    scope_org_field = "site__org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("meal settlement")
        verbose_name_plural = _("meal settlements")
        ordering = ["-month", "site__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "month"],
                name="meals_settlement_once",
                violation_error_message=_("This site is already settled for the month."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m}"


class FoodSafetyCheck(models.Model):
    """A food-safety inspection of a site: date, inspector, result, issues found, an optional photo."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Facility, models.PROTECT, related_name="food_checks", verbose_name=_("meal site"))
    checked_on = models.DateField(_("inspection date"))
    inspector = models.CharField(_("inspector"), max_length=50)
    result = models.CharField(_("result"), max_length=10, choices=InspectionResult.choices)
    issues = models.TextField(_("issues found"), blank=True)
    photo = models.FileField(
        _("photo"),
        upload_to="meals/checks/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"])],
        help_text=_("JPG or PNG, at most 10 MB."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "food_check"
    scope_org_field = "site__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("food-safety check")
        verbose_name_plural = _("food-safety checks")
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.inspector}"

    def clean(self) -> None:
        if self.result != InspectionResult.PASSED and not self.issues.strip():
            raise ValidationError({"issues": ValidationError(_("Describe the issues found."), code="issues_required")})
