"""Choices and error codes of home and community services (providers, orders, verified visits)."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    """The service kinds of the catalogue (glossary: 助餐 助洁 助浴 助医 助行 助购)."""

    MEAL = "meal", _("Meal assistance")
    CLEANING = "cleaning", _("Cleaning")
    BATHING = "bathing", _("Bathing")
    MEDICAL_ESCORT = "medical_escort", _("Medical escort")
    MOBILITY = "mobility", _("Mobility assistance")
    SHOPPING = "shopping", _("Shopping")


class TargetGroup(models.TextChoices):
    """The price groups of the catalogue; an elder falls in the first that applies, in this order."""

    TEKUN = "tekun", _("Extremely poor (特困)")
    DIBAO = "dibao", _("Minimum living allowance (低保)")
    DIBAO_EDGE = "dibao_edge", _("Near minimum living allowance (低保边缘)")
    GENERAL = "general", _("Other elders")


class OrderStatus(models.TextChoices):
    CREATED = "created", _("Created")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assigned")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The allowed transitions: state -> states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.ACCEPTED, OrderStatus.CANCELLED}),
    OrderStatus.ACCEPTED: frozenset({OrderStatus.ASSIGNED, OrderStatus.CANCELLED}),
    OrderStatus.ASSIGNED: frozenset({OrderStatus.ASSIGNED, OrderStatus.IN_SERVICE, OrderStatus.CANCELLED}),
    OrderStatus.IN_SERVICE: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class VisitStatus(models.TextChoices):
    OPEN = "open", _("Checked in")
    CLOSED = "closed", _("Checked out")


class AnomalyRule(models.TextChoices):
    TOO_SHORT = "too_short", _("Too short")
    TOO_LONG = "too_long", _("Too long")
    OUT_OF_PLACE = "out_of_place", _("Out of place")
    NO_REFERENCE_LOCATION = "no_reference_location", _("No reference location")
    OVERLAP = "overlap", _("Caregiver in two places at once")
    IMPOSSIBLE_TRAVEL = "impossible_travel", _("Impossible travel")
    ELDER_DECEASED = "elder_deceased", _("Elder deceased")
    ELDER_ADMITTED = "elder_admitted", _("Elder staying in an institution")
    UNCONFIRMED = "unconfirmed", _("Not confirmed by the elder")


class FlagStatus(models.TextChoices):
    """A supervisor's review: ``accepted`` = the anomaly stands (not payable); ``rejected`` = false alarm."""

    OPEN = "open", _("To review")
    ACCEPTED = "accepted", _("Anomaly accepted")
    REJECTED = "rejected", _("Flag rejected")


class AlertKind(models.TextChoices):
    """Alerts of the schedule scan: no check-in N minutes after the window's start; no visit by the day's end."""

    LATE = "late", _("Late visit")
    MISSED = "missed", _("Missed visit")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class SettlementStatus(models.TextChoices):
    """A provider settlement: made as a draft by one official, approved by another (maker-checker)."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class EntitlementRule(models.TextChoices):
    """The conditions of the entitlement check recorded on an order (``ServiceOrder.entitlement``)."""

    BASIC_LIST = "basic_list", _("Basic eldercare service list")
    MONTHLY_ALLOWANCE = "monthly_allowance", _("Monthly subsidy allowance")


class ErrorCode(StrEnum):
    """Stable English error codes (API ``code``, tests)."""

    PERMISSION_DENIED = "permission_denied"
    BAD_TRANSITION = "bad_transition"
    ELDER_NOT_ACTIVE = "elder_not_active"
    ELDER_DECEASED = "elder_deceased"
    NO_PRICE = "no_price"
    PROVIDER_INACTIVE = "provider_inactive"
    AREA_NOT_SERVED = "area_not_served"
    CAREGIVER_NOT_OF_PROVIDER = "caregiver_not_of_provider"
    NOT_ASSIGNED_CAREGIVER = "not_assigned_caregiver"
    OPEN_CHECK_IN = "open_check_in"
    NO_OPEN_VISIT = "no_open_visit"
    BAD_CODE = "bad_confirmation_code"
    BAD_LOCATION = "bad_location"
    FLAG_REVIEWED = "flag_already_reviewed"
    BAD_MONTH = "bad_month"
    BAD_CATALOGUE = "bad_catalogue"
    BAD_AREA = "bad_area"
    BAD_WINDOW = "bad_window"
    BAD_DATE = "bad_date"
    ALERT_ACKNOWLEDGED = "alert_already_acknowledged"
    PROVIDER_ACCOUNT = "provider_account_not_allowed"
    NOT_CREATED = "order_not_created"
    MONTH_NOT_ENDED = "month_not_ended"
    SETTLEMENT_CONFLICT = "settlement_conflict"
    SETTLEMENT_APPROVED = "settlement_already_approved"
    SAME_MAKER = "maker_cannot_approve"
    LOGIN_NOT_OF_PROVIDER = "login_not_of_provider"
    NO_POLICY = "policy_not_in_force"
