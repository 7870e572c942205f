"""Choices and error codes of family care beds (家庭养老床位)."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class BedStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class ComplianceStatus(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    SHORT = "short", _("Short of plan")


class ErrorCode(StrEnum):
    """Stable English codes of refusals (API ``code``, CLI, tests)."""

    PERMISSION_DENIED = "permission_denied"
    LEVEL_NOT_ELIGIBLE = "level_not_eligible"
    ELDER_DECEASED = "elder_deceased"
    ELDER_NOT_ACTIVE = "elder_not_active"
    IN_INSTITUTION = "in_institution"
    BED_EXISTS = "bed_exists"
    NO_CONTRACTOR = "no_contractor"
    AREA_NOT_SERVED = "area_not_served"
    BAD_PLAN = "bad_plan"
    BAD_DATES = "bad_dates"
    BAD_ITEM = "bad_item"
    SUBSIDY_OVER_CAP = "subsidy_over_cap"
    SUBSIDY_OVER_COST = "subsidy_over_cost"
    BAD_STATUS = "bad_status"
    BAD_MONTH = "bad_month"
