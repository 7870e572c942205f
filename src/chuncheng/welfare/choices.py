"""Choices and error codes of the welfare module (basic service list, special-difficulty elders, welfare visits)."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemCategory(models.TextChoices):
    """The three kinds of basic eldercare service (standards.md §4: 物质帮助、照护服务、关爱服务)."""

    MATERIAL = "material", _("Material assistance")
    CARE = "care", _("Care services")
    CARING = "caring", _("Caring services")


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class ElderCondition(models.TextChoices):
    """How the visitor found the elder."""

    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class AreaLevel(models.TextChoices):
    """The levels the visit rate is grouped by (digits of the org-unit code)."""

    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Street / township")
    VILLAGE = "village", _("Community / village")


AREA_DIGITS = {AreaLevel.CITY: 4, AreaLevel.COUNTY: 6, AreaLevel.TOWNSHIP: 9, AreaLevel.VILLAGE: 12}

# The indicator this module computes (kunming-policy.md §3).
VISIT_RATE_INDICATOR = "special_difficulty_monthly_visit_rate"


class ErrorCode(StrEnum):
    """Stable English error codes (API ``code``, tests)."""

    VISIT_IN_FUTURE = "visit_in_future"
    VISIT_BEFORE_BIRTH = "visit_before_birth"
    ELDER_NOT_ACTIVE = "elder_not_active"
    PERMISSION_DENIED = "permission_denied"
    BAD_CONDITION = "bad_condition"
    LIST_ALREADY_PUBLISHED = "list_already_published"
    LIST_OUT_OF_SCOPE = "list_out_of_scope"
    TASK_CLOSED = "task_closed"
    BAD_MONTH = "bad_month"
