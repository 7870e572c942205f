"""Assessment pages: list and export, request, the detail page (assign, the tablet form with partial saves, submit,
review), the printable report (评估报告), and the registers of agencies and assessors. Every record is read through
the user's scope (404 outside it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.assessment import queries, services
from chuncheng.assessment.choices import AssessmentStatus, Reason
from chuncheng.assessment.exports import export_response
from chuncheng.assessment.forms import AgencyForm, AssessorForm
from chuncheng.assessment.health import open_answers
from chuncheng.assessment.models import Assessment, AssessmentAgency, Assessor
from chuncheng.assessment.scoring import load_standard
from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.roles import Action, Role
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import form_errors, history_for, require_permission
from chuncheng.elders.models import Elder

PER_PAGE = 50


def _assessment(request, public_id, action: str = Action.VIEW) -> Assessment:
    return get_for_user(
        Assessment.objects.select_related("elder__org_unit", "agency", "assessor_1", "assessor_2", "reviewed_by"),
        request.user,
        action,
        public_id=public_id,
    )


def _refusal(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def list_view(request):
    require_permission(request, "assessment")
    qs = queries.assessment_list(request.user, request.GET)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assessment/list.html",
        {
            "page": page,
            "params": params.urlencode(),
            "statuses": AssessmentStatus.choices,
            "can_export": permitted(request.user, "assessment", Action.EXPORT),
            "reasons": Reason.choices,
            "can_request": permitted(request.user, "assessment", Action.ADD),
            "can_see_agencies": permitted(request.user, "assessment_agency", Action.VIEW),
        },
    )


@login_required
def export_view(request):
    require_permission(request, "assessment", Action.EXPORT)
    qs = queries.assessment_list(request.user, request.GET, Action.EXPORT)
    audit.security_event(
        SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind="assessments", rows=qs.count()
    )
    return export_response(qs, request.GET.get("format", "csv"))


@login_required
@require_POST
def request_view(request):
    """Request an assessment for an elder (from the list, by the elder's id)."""
    require_permission(request, "assessment", Action.ADD)
    elder = get_for_user(Elder.objects.all(), request.user, public_id=request.POST.get("elder", ""))
    reason = request.POST.get("reason") or Reason.FIRST
    try:
        assessment = services.request_assessment(elder, actor=request.user, reason=reason)
    except ValidationError as exc:
        _refusal(request, exc)
        return redirect("assessment:list")
    messages.success(request, _("Assessment requested."))
    return redirect("assessment:detail", public_id=assessment.public_id)


def _form_items(answers: dict) -> list[dict]:
    standard = load_standard()
    rows = []
    for dimension in standard.dimensions:
        items = [
            {**item, "answer": answers.get(item["code"])}
            for item in standard.items
            if item["dimension"] == dimension["code"]
        ]
        rows.append({**dimension, "items": items})
    return rows


@login_required
def detail_view(request, public_id):
    require_permission(request, "assessment")
    assessment = _assessment(request, public_id)
    user = request.user
    is_assessor = any(a.user_id == user.pk for a in assessment.assessors)
    audit.access(user, assessment, fields=["answers", "scores"], purpose="view")
    standard = load_standard()
    answers = open_answers(assessment)
    agencies = assessors = []
    if user.role in services.OFFICIALS and assessment.status in (AssessmentStatus.REQUESTED, AssessmentStatus.ASSIGNED):
        agencies = list(AssessmentAgency.objects.filter(counties__code=assessment.elder.org_unit.code[:6], active=True))
        assessors = list(Assessor.objects.filter(agency__in=agencies, active=True).select_related("agency"))
    context = {
        "a": assessment,
        "dimensions": _form_items(answers),
        "adjustment_inputs": [{**spec, "answer": answers.get(spec["key"])} for spec in standard.adjustment_inputs],
        "can_fill": is_assessor and assessment.status in (AssessmentStatus.ASSIGNED, AssessmentStatus.IN_PROGRESS),
        "can_review": assessment.status == AssessmentStatus.SUBMITTED
        and user.role in services.REVIEWERS
        and not is_assessor,
        "agencies": agencies,
        "assessors": assessors,
        "level_name": standard.level_name(assessment.final_level) if assessment.final_level else "",
        "history": history_for("assessment.assessment", str(assessment.public_id)),
    }
    return render(request, "assessment/detail.html", context)


def _posted_answers(post) -> dict:
    standard = load_standard()
    answers: dict = {}
    for item in standard.items:
        raw = post.get(item["code"], "")
        if raw != "":
            try:
                answers[item["code"]] = int(raw)
            except ValueError:
                answers[item["code"]] = raw  # refused by the service as option_unknown
    for spec in standard.adjustment_inputs:
        raw = post.get(spec["key"], "")
        if spec["kind"] == "bool":
            answers[spec["key"]] = raw == "1"
        elif raw != "":
            answers[spec["key"]] = int(raw) if raw.isdigit() else raw
    return answers


@login_required
@require_POST
def fill_view(request, public_id):
    """Save the posted answers (partial saves allowed); with ``submit`` also submit the form for review."""
    assessment = _assessment(request, public_id, Action.CHANGE)
    try:
        assessment = services.save_answers(assessment, _posted_answers(request.POST), actor=request.user)
        if request.POST.get("submit"):
            services.submit(assessment, actor=request.user)
            messages.success(request, _("Submitted for review; the platform computed the score and the level."))
        else:
            messages.success(request, _("Answers saved."))
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("assessment:detail", public_id=public_id)


@login_required
@require_POST
def assign_view(request, public_id):
    assessment = _assessment(request, public_id, Action.CHANGE)
    agency = AssessmentAgency.objects.filter(public_id=request.POST.get("agency") or None).first()
    if agency is None:
        raise Http404
    assessors = list(Assessor.objects.filter(public_id__in=request.POST.getlist("assessors")))
    try:
        services.assign(assessment, agency, assessors, actor=request.user)
        messages.success(request, _("Agency and assessors assigned."))
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("assessment:detail", public_id=public_id)


@login_required
@require_POST
def review_view(request, public_id):
    assessment = _assessment(request, public_id, Action.CHANGE)
    approve = request.POST.get("decision") == "approve"
    try:
        services.review(assessment, actor=request.user, approve=approve, note=request.POST.get("note", ""))
        messages.success(request, _("Signed off.") if approve else _("Returned to the assessors."))
    except ValidationError as exc:
        _refusal(request, exc)
    return redirect("assessment:detail", public_id=public_id)


@login_required
def report_view(request, public_id):
    """The printable assessment report (评估报告), in Chinese, with the sub-scores per dimension."""
    require_permission(request, "assessment")
    assessment = _assessment(request, public_id)
    if assessment.total is None:
        raise Http404
    standard = load_standard()
    audit.access(request.user, assessment, fields=["scores"], purpose="report")
    rules = {r["code"]: r for r in standard.raw["adjustments"]}
    scores = assessment.dimension_scores or {}
    return render(
        request,
        "assessment/report.html",
        {
            "a": assessment,
            "standard": standard.raw,
            "dimensions": [{**d, "score": scores.get(d["code"])} for d in standard.dimensions],
            "preliminary_name": standard.level_name(assessment.preliminary_level),
            "final_name": standard.level_name(assessment.final_level),
            "applied": [rules[c] for c in assessment.adjustments if c in rules],
            "assessor_role": Role.ASSESSOR.label,
        },
    )


# ---- agencies and assessors ----------------------------------------------------------------------------------


@login_required
def agency_list_view(request):
    require_permission(request, "assessment_agency")
    return render(
        request,
        "assessment/agency_list.html",
        {
            "agencies": queries.agency_page_list(request.user),
            "can_add": permitted(request.user, "assessment_agency", Action.ADD)
            and request.user.role in services.OFFICIALS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_create_view(request):
    require_permission(request, "assessment_agency", Action.ADD)
    form = AgencyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agency = services.register_agency(data["name"], data["org_unit"], data["counties"], actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Assessment agency registered."))
            return redirect("assessment:agency", public_id=agency.public_id)
    return render(request, "assessment/agency_form.html", {"form": form})


@login_required
def agency_detail_view(request, public_id):
    require_permission(request, "assessment_agency")
    agency = get_for_user(
        AssessmentAgency.objects.select_related("org_unit").prefetch_related("counties"),
        request.user,
        public_id=public_id,
    )
    return render(
        request,
        "assessment/agency_detail.html",
        {
            "agency": agency,
            "assessors": agency.assessors.select_related("user").order_by("name"),
            "can_add": permitted(request.user, "assessment_agency", Action.ADD)
            and request.user.role in services.OFFICIALS,
        },
    )


@login_required
def assessor_list_view(request):
    require_permission(request, "assessment_agency")
    return render(
        request,
        "assessment/assessor_list.html",
        {
            "assessors": queries.assessor_list(request.user),
            "can_add": permitted(request.user, "assessment_agency", Action.ADD)
            and request.user.role in services.OFFICIALS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessor_create_view(request):
    require_permission(request, "assessment_agency", Action.ADD)
    form = AssessorForm(request.POST or None, user=request.user, initial={"agency": request.GET.get("agency")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessor = services.register_assessor(data["agency"], data, actor=request.user, user=data["user"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Assessor registered."))
            return redirect("assessment:agency", public_id=assessor.agency.public_id)
    return render(request, "assessment/assessor_form.html", {"form": form})
