"""Every write of capability assessment: check, save in a transaction, audit (style habit 2).

The score and the level come from ``scoring.score`` (a pure function of the answers); nobody types them in. On
sign-off the final level becomes the elder's current capability level (an audited update of the elder), valid for
the policy's reassessment interval (policy data, not a constant here).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.assessment import scoring
from chuncheng.assessment.choices import OPEN_STATUSES, AssessmentStatus, Channel, ErrorCode, Reason
from chuncheng.assessment.health import open_answers, seal_answers
from chuncheng.assessment.models import Assessment, AssessmentAgency, Assessor
from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import Action, Level, Role
from chuncheng.core.scope import permitted
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder

OFFICIALS = frozenset({Role.CITY_OFFICIAL, Role.COUNTY_OFFICIAL})
REVIEWERS = OFFICIALS | {Role.ASSESSOR}


def _denied(message: str | None = None) -> ValidationError:
    return refusal(None, ErrorCode.PERMISSION_DENIED, message or _("You are not allowed to do this."))


def _require(actor, resource: str, action: str, roles: Iterable[str] | None = None) -> None:
    if not permitted(actor, resource, action) or (roles is not None and actor.role not in roles):
        raise _denied()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day: 31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _in_area(actor, unit: OrgUnit) -> bool:
    prefix = actor.scope_prefix
    return bool(prefix) and unit.code.startswith(prefix)


def _locked(assessment: Assessment, actor, action: str = Action.CHANGE) -> Assessment:
    """The assessment's row, locked, re-read through the actor's scope."""
    locked = (
        Assessment.objects.for_user(actor, action)
        .select_for_update(of=("self",))
        .select_related("elder__org_unit", "agency", "assessor_1", "assessor_2")
        .filter(pk=assessment.pk)
        .first()
    )
    if locked is None:
        raise _denied(_("This assessment is outside your area."))
    return locked


def _state(assessment: Assessment, *allowed: str) -> None:
    if assessment.status not in allowed:
        raise refusal(
            "status",
            ErrorCode.WRONG_STATUS,
            _("This cannot be done while the assessment is %(status)s.") % {"status": assessment.get_status_display()},
        )


def _scoring_error(exc: scoring.ScoringError) -> ValidationError:
    return ValidationError({"answers": ValidationError(exc.message, code=exc.code, params={"keys": exc.keys})})


def _record_state(actor, assessment: Assessment, before: dict[str, Any], fields: list[str]) -> None:
    audit.record(
        actor,
        AuditAction.STATE,
        assessment,
        audit.diff(before, audit.snapshot(assessment, fields)),
        org_code=assessment.elder.org_unit.code,
    )


# ---- agencies and assessors ----------------------------------------------------------------------------------


@transaction.atomic
def register_agency(name: str, org_unit: OrgUnit, counties: Iterable[OrgUnit], *, actor) -> AssessmentAgency:
    """Register an agency in a county of the actor's area, serving the listed counties (its scope of work)."""
    _require(actor, "assessment_agency", Action.ADD, OFFICIALS)
    counties = list(counties)
    if not _in_area(actor, org_unit):
        raise refusal("org_unit", ErrorCode.ELDER_OUT_OF_SCOPE, _("This org unit is outside your area."))
    if not counties or any(c.level != Level.COUNTY for c in [org_unit, *counties]):
        raise refusal(
            "counties", ErrorCode.AGENCY_COUNTY_REQUIRED, _("An agency is registered in and serves counties.")
        )
    agency = AssessmentAgency(name=(name or "").strip(), org_unit=org_unit)
    agency.full_clean()
    agency.save()
    agency.counties.set(counties)
    changes = audit.diff({}, audit.snapshot(agency))
    changes["counties"] = [None, sorted(c.code for c in counties)]
    audit.record(actor, AuditAction.CREATE, agency, changes, org_code=org_unit.code)
    return agency


@transaction.atomic
def register_assessor(agency: AssessmentAgency, data: dict[str, Any], *, actor, user=None) -> Assessor:
    """Register an assessor of an agency (name, qualification, certificate); ``user`` is an assessor's login."""
    _require(actor, "assessment_agency", Action.ADD, OFFICIALS)
    if not AssessmentAgency.objects.for_user(actor, Action.ADD).filter(pk=agency.pk).exists():
        raise _denied(_("This agency is outside your area."))
    if user is not None and user.role != Role.ASSESSOR:
        raise refusal("user", ErrorCode.ASSESSOR_USER_ROLE, _("An assessor's account must have the assessor role."))
    assessor = Assessor(
        agency=agency,
        user=user,
        name=(data.get("name") or "").strip(),
        qualification=data.get("qualification") or "",
        certificate_no=(data.get("certificate_no") or "").strip(),
    )
    assessor.full_clean()
    assessor.save()
    audit.record_create(actor, assessor, org_code=agency.org_unit.code)
    return assessor


# ---- the assessment ------------------------------------------------------------------------------------------


@transaction.atomic
def request_assessment(
    elder: Elder, *, actor, reason: str = Reason.FIRST, channel: str = Channel.COMMUNITY_WORKER
) -> Assessment:
    """Ask for an assessment of an elder of the actor's area; one open assessment per elder."""
    _require(actor, "assessment", Action.ADD)
    elder = (
        Elder.objects.for_user(actor)
        .select_for_update(of=("self",))
        .select_related("org_unit")
        .filter(pk=elder.pk)
        .first()
    )
    if elder is None:
        raise refusal("elder", ErrorCode.ELDER_OUT_OF_SCOPE, _("This elder is outside your area."))
    if elder.status != ElderStatus.ACTIVE:
        raise refusal("elder", ErrorCode.ELDER_NOT_ACTIVE, _("This elder is no longer in the active registry."))
    if Assessment.objects.filter(elder=elder, status__in=OPEN_STATUSES).exists():
        raise refusal("elder", ErrorCode.ASSESSMENT_OPEN, _("This elder already has an open assessment."))
    assessment = Assessment(elder=elder, reason=reason, channel=channel, requested_by=actor)
    assessment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError as exc:  # a concurrent request for the same elder
        raise refusal("elder", ErrorCode.ASSESSMENT_OPEN, _("This elder already has an open assessment.")) from exc
    audit.record_create(actor, assessment, org_code=elder.org_unit.code)
    return assessment


@transaction.atomic
def assign(assessment: Assessment, agency: AssessmentAgency, assessors: list[Assessor], *, actor) -> Assessment:
    """Assign an agency that serves the elder's county, and its two assessors who will be on site."""
    _require(actor, "assessment", Action.CHANGE, OFFICIALS)
    assessment = _locked(assessment, actor)
    _state(assessment, AssessmentStatus.REQUESTED, AssessmentStatus.ASSIGNED)
    county = assessment.elder.org_unit.code[:6]
    if not agency.active or not agency.counties.filter(code=county).exists():
        raise refusal("agency", ErrorCode.AGENCY_NOT_SERVING_AREA, _("This agency does not serve the elder's county."))
    required = scoring.load_standard().assessors_required
    if len(assessors) != required:
        raise refusal(
            "assessors",
            ErrorCode.ASSESSORS_REQUIRED,
            _("An assessment needs %(count)d assessors on site.") % {"count": required},
        )
    if len({a.pk for a in assessors}) != len(assessors):
        raise refusal("assessors", ErrorCode.ASSESSORS_NOT_DISTINCT, _("The two assessors must be different people."))
    if any(a.agency_id != agency.pk or not a.active for a in assessors):
        raise refusal(
            "assessors", ErrorCode.ASSESSOR_NOT_IN_AGENCY, _("Every assessor must be an active assessor of the agency.")
        )
    fields = ["status", "agency", "assessor_1", "assessor_2"]
    before = audit.snapshot(assessment, fields)
    assessment.agency = agency
    assessment.assessor_1, assessment.assessor_2 = assessors
    assessment.status = AssessmentStatus.ASSIGNED
    assessment.full_clean(validate_constraints=False)
    assessment.save(update_fields=[*fields, "updated_at"])
    _record_state(actor, assessment, before, fields)
    return assessment


def _require_assigned_assessor(assessment: Assessment, actor) -> None:
    if not any(a.user_id == actor.pk for a in assessment.assessors):
        raise refusal(
            None, ErrorCode.NOT_AN_ASSIGNED_ASSESSOR, _("Only the two assessors of this assessment may fill it in.")
        )


@transaction.atomic
def save_answers(assessment: Assessment, answers: dict[str, Any], *, actor) -> Assessment:
    """Save some or all answers (a partial save on the tablet): each answer must be an option of the standard."""
    _require(actor, "assessment", Action.CHANGE, {Role.ASSESSOR})
    assessment = _locked(assessment, actor)
    _state(assessment, AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS)
    _require_assigned_assessor(assessment, actor)
    stored = open_answers(assessment)
    merged = {**stored, **answers}
    try:
        merged = scoring.validate(merged, partial=True)
    except scoring.ScoringError as exc:
        raise _scoring_error(exc) from exc
    before = audit.snapshot(assessment, ["status"])
    changed = sorted(k for k in merged if stored.get(k) != merged[k])
    assessment.answers_enc = seal_answers(assessment.public_id, merged)
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.save(update_fields=["answers_enc", "status", "updated_at"])
    # The audit names which indicators changed, not their values (health data stays on the scoped pages).
    changes = audit.diff(before, audit.snapshot(assessment, ["status"]))
    changes["answers"] = [None, changed]
    audit.record(actor, AuditAction.UPDATE, assessment, changes, org_code=assessment.elder.org_unit.code)
    return assessment


@transaction.atomic
def submit(assessment: Assessment, *, actor) -> Assessment:
    """Submit a complete form: the platform computes the scores and the level (the assessors never type them)."""
    _require(actor, "assessment", Action.CHANGE, {Role.ASSESSOR})
    assessment = _locked(assessment, actor)
    _state(assessment, AssessmentStatus.IN_PROGRESS)
    _require_assigned_assessor(assessment, actor)
    required = scoring.load_standard().assessors_required
    if len({a.pk for a in assessment.assessors}) < required:
        raise refusal(None, ErrorCode.ASSESSORS_REQUIRED, _("An assessment needs two assessors on site."))
    try:
        result = scoring.score(open_answers(assessment))
    except scoring.ScoringError as exc:
        raise _scoring_error(exc) from exc
    fields = ["status", "total", "preliminary_level", "final_level", "adjustments", "dimension_scores"]
    before = audit.snapshot(assessment, fields)
    assessment.dimension_scores = result.dimension_scores
    assessment.total = result.total
    assessment.preliminary_level = result.preliminary_level
    assessment.adjustments = result.adjustments
    assessment.final_level = result.final_level
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=[*fields, "submitted_at", "updated_at"])
    _record_state(actor, assessment, before, fields)
    return assessment


@transaction.atomic
def review(assessment: Assessment, *, actor, approve: bool, note: str = "", today: date | None = None) -> Assessment:
    """Sign off (or return for correction) by a reviewer who is not one of the two assessors. On sign-off the final
    level becomes the elder's capability level, valid for the policy's reassessment interval."""
    _require(actor, "assessment", Action.CHANGE, REVIEWERS)
    assessment = _locked(assessment, actor)
    _state(assessment, AssessmentStatus.SUBMITTED)
    if any(a.user_id == actor.pk for a in assessment.assessors):
        raise refusal(
            None, ErrorCode.REVIEWER_IS_ASSESSOR, _("An assessor cannot review an assessment they carried out.")
        )
    profile = getattr(actor, "assessor_profile", None) if actor.role == Role.ASSESSOR else None
    if actor.role == Role.ASSESSOR and (profile is None or profile.agency_id != assessment.agency_id):
        raise refusal(
            None, ErrorCode.ASSESSOR_NOT_IN_AGENCY, _("Only an assessor of the same agency may review its work.")
        )
    fields = ["status", "reviewed_by", "review_note", "signed_on", "valid_until"]
    before = audit.snapshot(assessment, fields)
    assessment.reviewed_by = actor
    assessment.review_note = (note or "").strip()[:500]
    if not approve:
        assessment.status = AssessmentStatus.IN_PROGRESS
        assessment.save(update_fields=[*fields, "updated_at"])
        _record_state(actor, assessment, before, fields)
        return assessment
    day = today or timezone.localdate()
    assessment.status = AssessmentStatus.SIGNED_OFF
    assessment.signed_on = day
    assessment.valid_until = add_months(day, scoring.load_standard().reassessment_months)
    assessment.save(update_fields=[*fields, "updated_at"])
    _record_state(actor, assessment, before, fields)
    _set_elder_level(assessment, actor)
    return assessment


def _set_elder_level(assessment: Assessment, actor) -> None:
    """The signed-off level becomes the elder's current capability level (an audited update of the elder)."""
    elder = Elder.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=assessment.elder_id)
    before = audit.snapshot(elder, ["capability_level"])
    elder.capability_level = assessment.final_level
    elder.save(update_fields=["capability_level", "updated_at"])
    changes = audit.diff(before, audit.snapshot(elder, ["capability_level"]))
    if changes:
        changes["assessment"] = [None, str(assessment.public_id)]
        audit.record(actor, AuditAction.UPDATE, elder, changes, org_code=elder.org_unit.code)


@transaction.atomic
def cancel(assessment: Assessment, *, actor, note: str = "") -> Assessment:
    """Cancel an open assessment (e.g. the elder died or the request was a mistake)."""
    _require(actor, "assessment", Action.CHANGE, OFFICIALS)
    assessment = _locked(assessment, actor)
    _state(assessment, *OPEN_STATUSES)
    fields = ["status", "review_note"]
    before = audit.snapshot(assessment, fields)
    assessment.status = AssessmentStatus.CANCELLED
    assessment.review_note = (note or "").strip()[:500]
    assessment.save(update_fields=[*fields, "updated_at"])
    _record_state(actor, assessment, before, fields)
    return assessment


def request_due_assessments(*, actor, today: date | None = None) -> list[Assessment]:
    """Request a routine reassessment for every elder of the actor's area whose signed-off level has expired and who
    has no open assessment (the "automatically when due" channel; a periodic job can call it)."""
    day = today or timezone.localdate()
    latest_valid = {}
    signed = (
        Assessment.objects.for_user(actor)
        .filter(status=AssessmentStatus.SIGNED_OFF, elder__status=ElderStatus.ACTIVE)
        .order_by("elder_id", "-signed_on")
        .values_list("elder_id", "valid_until")
    )
    for elder_id, valid_until in signed:
        latest_valid.setdefault(elder_id, valid_until)
    open_ids = set(
        Assessment.objects.for_user(actor).filter(status__in=OPEN_STATUSES).values_list("elder_id", flat=True)
    )
    due = [pk for pk, until in latest_valid.items() if until and until <= day and pk not in open_ids]
    return [
        request_assessment(elder, actor=actor, reason=Reason.ROUTINE, channel=Channel.AUTOMATIC)
        for elder in Elder.objects.filter(pk__in=due).order_by("pk")
    ]
