"""Meal assistance (助餐) choices: slots, sources, flag rules, reviews, inspection results, error codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MealSlot(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")


class MealSource(models.TextChoices):
    SWIPE_IMPORT = "swipe_import", _("Card swipe import")
    TABLET = "tablet", _("Tablet at the site")


class FlagRule(models.TextChoices):
    """The anomaly rules of ``flags.py`` (one SQL statement each)."""

    SAME_SLOT_TWICE = "same_slot_twice", _("Same meal slot twice on one day")
    DECEASED = "deceased", _("Meal after the elder's death")
    ADMITTED = "admitted", _("Meal during an open institution stay")


class Review(models.TextChoices):
    """A supervisor's decision on a flagged record; rejected records are left out of the settlement."""

    NONE = "", _("Not reviewed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    RECTIFY = "rectify", _("Rectification required")
    FAILED = "failed", _("Failed")


class SubsidyGroup(models.TextChoices):
    """The elder's group for the meal subsidy, in priority order (the first that applies)."""

    TEKUN = "tekun", _("Extremely poor (特困)")
    DIBAO = "dibao", _("Minimum living guarantee (低保)")
    DIBAO_EDGE = "dibao_edge", _("Near minimum living guarantee (低保边缘)")
    AGE_80_PLUS = "age_80_plus", _("Aged 80 or over")
    GENERAL = "general", _("Other elders aged 60 or over")


class ErrorCode(models.TextChoices):
    """Stable English codes of refusals (CLI, API, import report)."""

    CARD_UNKNOWN = "card_unknown", _("Unknown card")
    CARD_TAKEN = "card_taken", _("The card is already issued")
    SITE_UNKNOWN = "site_unknown", _("Unknown meal site")
    SITE_OUT_OF_SCOPE = "site_out_of_scope", _("The site is outside your area")
    DUPLICATE_RECORD = "duplicate_record", _("The meal is already recorded")
    MONTH_SETTLED = "month_settled", _("The month is already settled for this site")
    MONTH_FORMAT = "month_format", _("A month is written YYYY-MM")
    NOT_FLAGGED = "not_flagged", _("The record has no flag to review")
    NEGATIVE_PRICE = "negative_price", _("The price cannot be negative")
    FUTURE_DATE = "future_date", _("The date is in the future")
