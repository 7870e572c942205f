"""Application pages (B1, B5): the list (status, programme, "awaiting my decision"), a new draft (choose the
programme and the applicant, then the facts prefilled from the registry), the detail (facts, quote preview,
attachments, decision history, audit history, the decision form), editing a draft, attaching, submitting, deciding,
and the access-logged download of an attachment. Thin: every rule is in ``benefits.applications``; every record is
read through the user's scope (404 outside it)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.benefits import applications as service
from chuncheng.benefits import inputs
from chuncheng.benefits.choices import ApplicationStatus, BeneficiaryKind, DecisionAction
from chuncheng.benefits.models import Application
from chuncheng.benefits.rules import QuoteError
from chuncheng.core import audit
from chuncheng.core.roles import Action, Level
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import history_for, require_permission
from chuncheng.institutions.choices import FacilityKind
from chuncheng.institutions.models import Facility, Institution

RESOURCE = service.RESOURCE
PER_PAGE = 50
# Community home-care centres (B5 applicants); other facilities (canteens, stations) are not offered.
CENTRE_KINDS = [
    FacilityKind.STREET_CENTER,
    FacilityKind.COMMUNITY_CENTER,
    FacilityKind.RURAL_CENTER,
    FacilityKind.RURAL_REGIONAL_CENTER,
]
BENEFICIARY_LIMIT = 1000


class DraftForm(forms.Form):
    """The maker's facts (a JSON object: the keys of docs/benefits.md "Input keys") and a note."""

    facts = forms.CharField(
        label=_("Facts (JSON)"), widget=forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace"})
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def clean_facts(self):
        try:
            facts = json.loads(self.cleaned_data["facts"])
        except ValueError as exc:
            raise forms.ValidationError(_("The facts must be a JSON object."), code="input_invalid") from exc
        if not isinstance(facts, dict):
            raise forms.ValidationError(_("The facts must be a JSON object."), code="input_invalid")
        return facts

    def collected_facts(self) -> dict:
        return self.cleaned_data["facts"]


def _draft_form(programme, data=None, facts=None, note: str = "") -> forms.Form:
    """A field per input key of the programme (``inputs.py``); the JSON form for a shape without one, or when a
    client posts the facts as one JSON object (``facts``)."""
    form_class = inputs.facts_form(programme.shape)
    if form_class is None or (data is not None and "facts" in data):
        if data is not None:
            return DraftForm(data)
        return DraftForm(initial={"facts": json.dumps(facts or {}, ensure_ascii=False, indent=1), "note": note})
    if data is not None:
        return form_class(data)
    return form_class(initial=inputs.initial(programme.shape, facts or {}, note))


def _application(request, public_id, action: str = Action.VIEW) -> Application:
    require_permission(request, RESOURCE, action)
    return get_for_user(
        Application.objects.select_related(
            "programme", "org_unit", "institution", "facility", "policy_version", "created_by", "submitted_by"
        ),
        request.user,
        action,
        public_id=public_id,
    )


def _refused(request, exc: QuoteError) -> None:
    messages.error(request, f"{exc.message} ({exc.code})")


@login_required
def list_view(request):
    require_permission(request, RESOURCE)
    qs = service.application_list(request.user, request.GET)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "benefits/applications.html",
        {
            "page": page,
            "params": params.urlencode(),
            "statuses": ApplicationStatus.choices,
            "programmes": service.application_programmes(),
            "can_add": permitted(request.user, RESOURCE, Action.ADD),
        },
    )


def _beneficiaries(user, kind: str):
    if kind == BeneficiaryKind.INSTITUTION:
        qs = Institution.objects.for_user(user).select_related("org_unit")
    else:
        qs = Facility.objects.for_user(user).filter(kind__in=CENTRE_KINDS).select_related("org_unit")
    return qs.order_by("org_unit__code", "name")[:BENEFICIARY_LIMIT]


def _chosen_beneficiary(user, kind: str, public_id: str):
    model = Institution if kind == BeneficiaryKind.INSTITUTION else Facility
    return get_for_user(model.objects.select_related("org_unit"), user, public_id=public_id)


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    """Step 1 (GET): the programme; step 2: the applicant (institutions or centres in the user's scope); step 3:
    the facts, prefilled from the registry; POST creates the draft."""
    require_permission(request, RESOURCE, Action.ADD)
    programmes = service.application_programmes()
    code = request.GET.get("programme", "")
    programme = next((p for p in programmes if p.code == code), None)
    beneficiary_id = request.GET.get("beneficiary", "")
    if programme is None or not beneficiary_id:
        return render(
            request,
            "benefits/application_form.html",
            {
                "step": "choose",
                "programmes": programmes,
                "programme": programme,
                "beneficiaries": _beneficiaries(request.user, programme.beneficiary) if programme else [],
            },
        )
    beneficiary = _chosen_beneficiary(request.user, programme.beneficiary, beneficiary_id)
    if request.method == "POST":
        form = _draft_form(programme, request.POST)
        if form.is_valid():
            try:
                application = service.create_draft(
                    programme,
                    beneficiary,
                    form.collected_facts(),
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except QuoteError as exc:
                form.add_error(None, f"{exc.message} ({exc.code})")
            else:
                messages.success(request, _("The draft application was saved."))
                return redirect("benefits:application", public_id=application.public_id)
    else:
        form = _draft_form(programme, facts=service.registry_facts(programme, beneficiary))
    return render(
        request,
        "benefits/application_form.html",
        {"step": "facts", "form": form, "programme": programme, "beneficiary": beneficiary},
    )


@login_required
def detail_view(request, public_id):
    application = _application(request, public_id)
    refusal = service.decision_refusal(application, request.user)
    can_change = permitted(request.user, RESOURCE, Action.CHANGE)
    return render(
        request,
        "benefits/application.html",
        {
            "a": application,
            "facts": json.dumps(application.facts, ensure_ascii=False, indent=1),
            "chain": [
                (Level(level).label, application.status == ApplicationStatus.SUBMITTED and i == application.step)
                for i, level in enumerate(application.levels or application.programme.approval_levels)
            ],
            "quote": service.preview(application),
            "attachments": application.attachments.select_related("uploaded_by"),
            "decisions": application.decisions.select_related("decided_by"),
            "can_edit": can_change and service.may_edit(application, request.user),
            "can_decide": can_change and refusal is None,
            "actions": DecisionAction.choices,
            "history": history_for("benefits.application", str(application.public_id)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, public_id):
    application = _application(request, public_id, Action.CHANGE)
    if request.method == "POST":
        form = _draft_form(application.programme, request.POST)
        if form.is_valid():
            try:
                service.update_draft(
                    application, actor=request.user, facts=form.collected_facts(), note=form.cleaned_data["note"]
                )
            except QuoteError as exc:
                form.add_error(None, f"{exc.message} ({exc.code})")
            else:
                return redirect("benefits:application", public_id=application.public_id)
    else:
        form = _draft_form(application.programme, facts=application.facts, note=application.note)
    return render(
        request,
        "benefits/application_form.html",
        {
            "step": "facts",
            "form": form,
            "a": application,
            "programme": application.programme,
            "beneficiary": application.beneficiary,
        },
    )


@login_required
@require_POST
def attach_view(request, public_id):
    application = _application(request, public_id, Action.CHANGE)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            service.attach(application, upload.name, upload, actor=request.user)
        except QuoteError as exc:
            _refused(request, exc)
    return redirect("benefits:application", public_id=application.public_id)


@login_required
@require_POST
def submit_view(request, public_id):
    application = _application(request, public_id, Action.CHANGE)
    try:
        service.submit(application, actor=request.user)
    except QuoteError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The application was submitted for review."))
    return redirect("benefits:application", public_id=application.public_id)


@login_required
@require_POST
def decide_view(request, public_id):
    application = _application(request, public_id, Action.CHANGE)
    try:
        service.decide(
            application, request.POST.get("action", ""), actor=request.user, reason=request.POST.get("reason", "")
        )
    except QuoteError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Your decision was recorded."))
    return redirect("benefits:application", public_id=application.public_id)


@login_required
def attachment_view(request, public_id, attachment_id):
    """Download one attachment through the application's scope; the read is written to the access log."""
    application = _application(request, public_id)
    attachment = application.attachments.filter(public_id=attachment_id).first()
    if attachment is None:
        raise Http404
    audit.access(request.user, attachment, fields=["file"], purpose="download")
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
