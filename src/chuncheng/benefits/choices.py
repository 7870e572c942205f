from django.db import models
from django.utils.translation import gettext_lazy as _


class BeneficiaryKind(models.TextChoices):
    INSTITUTION = "institution", _("Institution")
    STAFF = "staff", _("Staff member")
    ELDER = "elder", _("Elder")
    FACILITY = "facility", _("Community facility")
    PROVIDER = "provider", _("Home-service provider")


class RuleShape(models.TextChoices):
    """The pure calculation a programme uses (``rules.SHAPES``)."""

    BED_CONSTRUCTION = "bed_construction", _("One-time bed construction subsidy")
    OPERATING = "operating", _("Operating subsidy")
    CAREGIVER_POST = "caregiver_post", _("Caregiver post allowance")
    GRADUATE_ONCE = "graduate_once", _("One-time graduate subsidy")
    CENTRE_CONSTRUCTION = "centre_construction", _("Community centre construction subsidy")
    CENTRE_OPERATION = "centre_operation", _("Community centre operating subsidy by grade")
    AGE_BAND = "age_band", _("Monthly allowance by age band")
    FLAT_MONTHLY = "flat_monthly", _("Flat monthly allowance")
    BY_CAPABILITY_LEVEL = "by_capability_level", _("Monthly allowance by capability level")


class ErrorCode(models.TextChoices):
    """Stable English codes of refusals (CLI, API, loader)."""

    PROGRAMME_UNKNOWN = "programme_unknown", _("Unknown programme")
    POLICY_NOT_IN_FORCE = "policy_not_in_force", _("No policy version in force")
    POLICY_VERSION_OVERLAP = "policy_version_overlap", _("Policy versions overlap")
    INPUT_MISSING_KEY = "input_missing_key", _("An input key is missing")
    INPUT_NEGATIVE = "input_negative", _("An input value is negative")
    INPUT_INVALID = "input_invalid", _("An input value is not valid")


class BatchStatus(models.TextChoices):
    """A payment batch's life: draft → running → computed → approved → locked (a locked batch never changes)."""

    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    COMPUTED = "computed", _("Computed")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")


class EntitlementStatus(models.TextChoices):
    PAYABLE = "payable", _("Payable")
    PAUSED = "paused", _("Paused")


class LedgerKind(models.TextChoices):
    ENTITLEMENT = "entitlement", _("Entitlement")
    BACK_PAY = "back_pay", _("Back pay")
    RECOVERY = "recovery", _("Recovery of an overpayment")
    APPLICATION = "application", _("Approved application")


class ApplicationStatus(models.TextChoices):
    """An application's life: draft → submitted → approved | rejected, or returned (for correction) → submitted."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")


class DecisionAction(models.TextChoices):
    """What a reviewer decides at one level: approve (to the next level, or finally), reject, or return."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    RETURN = "return", _("Return for correction")
