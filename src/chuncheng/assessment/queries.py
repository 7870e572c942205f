"""Scoped reads of capability assessment, shared by pages, API and exports (one ``for_user`` path)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db.models import Count, Q

from chuncheng.assessment.choices import OPEN_STATUSES, AssessmentStatus
from chuncheng.assessment.models import Assessment, AssessmentAgency, Assessor
from chuncheng.assessment.scoring import load_standard
from chuncheng.core.models import OrgUnit, User
from chuncheng.core.roles import Action, Level, Role
from chuncheng.core.scope import permitted

EXPORT_HEADER = [
    "评估编号",
    "老年人",
    "社区",
    "评估原因",
    "状态",
    "评估机构",
    "自理能力",
    "基础运动能力",
    "精神状态",
    "感知觉与社会参与",
    "总分",
    "初步等级",
    "等级变更依据",
    "最终等级",
    "签发日期",
    "有效期至",
]


def assessment_list(user, params: Mapping[str, str] | None = None, action: str = Action.VIEW):
    """The assessments the user may see, newest first; ``status``, ``level`` and ``elder`` (public id) filter."""
    params = params or {}
    qs = Assessment.objects.for_user(user, action).select_related("elder__org_unit", "agency")
    status = params.get("status")
    if status in AssessmentStatus.values:
        qs = qs.filter(status=status)
    level = params.get("level")
    if level:
        qs = qs.filter(final_level=level)
    elder = params.get("elder")
    if elder:
        try:
            qs = qs.filter(elder__public_id=uuid.UUID(str(elder)))
        except ValueError:  # a malformed id filters to nothing
            qs = qs.none()
    return qs.order_by("-requested_at", "-id")


def elder_summary(user, elder) -> dict | None:
    """For the elder's page (one query): the latest signed-off assessment (its level, validity and report) and the
    open one, if any; ``None`` when the user may not see assessments."""
    if not permitted(user, "assessment", Action.VIEW):
        return None
    rows = (
        Assessment.objects.for_user(user)
        .filter(elder=elder)
        .filter(Q(status=AssessmentStatus.SIGNED_OFF) | Q(status__in=OPEN_STATUSES))
        .only("public_id", "status", "final_level", "signed_on", "valid_until", "requested_at")
        .order_by("-signed_on", "-requested_at", "-id")
    )
    latest = current = None
    for row in rows:
        if row.status == AssessmentStatus.SIGNED_OFF:
            latest = latest or row
        else:
            current = current or row
    return {"latest": latest, "open": current}


def agency_list(user, action: str = Action.VIEW):
    return AssessmentAgency.objects.for_user(user, action).select_related("org_unit").prefetch_related("counties")


def agency_page_list(user):
    """The agencies page: the user's agencies with how many active assessors each has."""
    return (
        agency_list(user).annotate(assessor_count=Count("assessors", filter=Q(assessors__active=True))).order_by("name")
    )


def assessor_list(user, action: str = Action.VIEW):
    return (
        Assessor.objects.for_user(user, action)
        .select_related("agency__org_unit", "user")
        .order_by("agency__name", "name")
    )


def area_counties(user):
    """The counties of the user's area (where the user may register an agency)."""
    prefix = getattr(user, "scope_prefix", None)
    if not prefix:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(level=Level.COUNTY, code__startswith=prefix, valid_to__isnull=True).order_by("code")


def all_counties():
    """Every current county: an agency may serve counties outside the area it is registered in."""
    return OrgUnit.objects.filter(level=Level.COUNTY, valid_to__isnull=True).order_by("code")


def free_assessor_accounts(user):
    """Accounts with the assessor role in the user's area that no assessor uses yet."""
    prefix = getattr(user, "scope_prefix", None)
    if not prefix:
        return User.objects.none()
    return User.objects.filter(
        role=Role.ASSESSOR, is_active=True, org_unit__code__startswith=prefix, assessor_profile__isnull=True
    ).order_by("username")


def export_rows(qs):
    standard = load_standard()
    adjustments = {rule["code"]: rule["clause"] for rule in standard.raw["adjustments"]}
    dims = [d["code"] for d in standard.dimensions]
    for a in qs.iterator(chunk_size=2000):
        scores = a.dimension_scores or {}
        yield [
            str(a.public_id),
            a.elder.name,
            a.elder.org_unit.name,
            a.get_reason_display(),
            a.get_status_display(),
            a.agency.name if a.agency else "",
            *[scores.get(d, "") for d in dims],
            "" if a.total is None else a.total,
            standard.level_name(a.preliminary_level) if a.preliminary_level else "",
            "；".join(adjustments.get(c, c) for c in a.adjustments or []),
            standard.level_name(a.final_level) if a.final_level else "",
            a.signed_on.isoformat() if a.signed_on else "",
            a.valid_until.isoformat() if a.valid_until else "",
        ]
