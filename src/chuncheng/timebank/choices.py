"""Choices and error codes of the time bank (时间银行)."""

from decimal import Decimal
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer account")
    POOL = "pool", _("Time bank pool")


class ServiceStatus(models.TextChoices):
    """A volunteer service is recorded, then confirmed by a community worker (which deposits its hours)."""

    RECORDED = "recorded", _("Recorded")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class TransferKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class Relation(models.TextChoices):
    """Who receives the service a withdrawal pays for."""

    SELF = "self", _("Self")
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")


# One service record holds at most a day's work.
MAX_SERVICE_HOURS = Decimal("24")


class ErrorCode(StrEnum):
    """Stable English error codes (API ``code``, CLI, tests)."""

    PERMISSION_DENIED = "permission_denied"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    BAD_HOURS = "bad_hours"
    SERVICE_NOT_RECORDED = "service_not_recorded"
    SERVICE_IN_FUTURE = "service_in_future"
    NOT_A_RELATIVE = "not_a_relative"
    SELF_NOT_LINKED = "self_not_linked"
    RELATIVE_EXISTS = "relative_exists"
    ELDER_OUT_OF_SCOPE = "elder_out_of_scope"
    ORG_OUT_OF_SCOPE = "org_out_of_scope"
    VOLUNTEER_EXISTS = "volunteer_exists"
