from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned to an agency")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for review")
    SIGNED_OFF = "signed_off", _("Signed off")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (
    AssessmentStatus.REQUESTED,
    AssessmentStatus.ASSIGNED,
    AssessmentStatus.IN_PROGRESS,
    AssessmentStatus.SUBMITTED,
)


class Reason(models.TextChoices):
    """评估原因 (GB/T 42195-2022 A.1)."""

    FIRST = "first", _("First assessment")
    ROUTINE = "routine", _("Routine reassessment")
    IMMEDIATE = "immediate", _("Immediate assessment (change of condition)")
    REVIEW = "review", _("Review of a disputed result")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """Who asked for the assessment."""

    ELDER_OR_FAMILY = "elder_or_family", _("The elder or family, through a worker")
    COMMUNITY_WORKER = "community_worker", _("A community worker")
    AUTOMATIC = "automatic", _("Automatically, when due")


class Qualification(models.TextChoices):
    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    REHAB_THERAPIST = "rehab_therapist", _("Rehabilitation therapist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    CAREGIVER = "caregiver", _("Senior caregiver")
    OTHER = "other", _("Other")


class ErrorCode(StrEnum):
    """Stable English error codes of capability assessment (API ``code``, tests)."""

    PERMISSION_DENIED = "permission_denied"
    ANSWER_MISSING = "answer_missing"
    OPTION_UNKNOWN = "option_unknown"
    ASSESSOR_NOT_IN_AGENCY = "assessor_not_in_agency"
    ASSESSORS_REQUIRED = "assessors_required"
    ASSESSORS_NOT_DISTINCT = "assessors_not_distinct"
    REVIEWER_IS_ASSESSOR = "reviewer_is_assessor"
    NOT_AN_ASSIGNED_ASSESSOR = "not_an_assigned_assessor"
    AGENCY_NOT_SERVING_AREA = "agency_not_serving_area"
    AGENCY_COUNTY_REQUIRED = "agency_county_required"
    ASSESSOR_USER_ROLE = "assessor_user_role"
    ASSESSMENT_OPEN = "assessment_open"
    WRONG_STATUS = "wrong_status"
    ELDER_NOT_ACTIVE = "elder_not_active"
    ELDER_OUT_OF_SCOPE = "elder_out_of_scope"
