"""Reported indicators pages (item 3): the indicators due for an area with their state, the values awaiting the
user's review and the history of the area; the entry form; one value with its review form; the access-logged
download of its evidence. Thin: every rule is in ``monitoring.reported``; every value is read through the user's
scope (404 outside it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.core import audit
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import history_for, require_permission
from chuncheng.monitoring import periods, queries, reported
from chuncheng.monitoring.models import ReportedValue, ReportState

PER_PAGE = 50


class ReportForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    org = forms.ChoiceField(label=_("Area"))
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("2026 (year), 2026-Q3 or 2026-10"))
    value = forms.CharField(label=_("Value"), max_length=30)
    evidence = forms.FileField(label=_("Evidence"), help_text=_("PDF, JPG, PNG, XLSX or CSV, at most 20 MB."))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args, indicators=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.key, f"{i.name_zh}（{i.get_unit_display()}）") for i in indicators]
        self.fields["org"].choices = [(u.code, f"{u.name} {u.code}") for u in units]


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


def _add_refusal(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for e in errors:
                form.add_error(name if name in form.fields else None, f"{' '.join(e.messages)} ({e.code})")
    else:
        for e in exc.error_list:
            form.add_error(None, f"{' '.join(e.messages)} ({e.code})")


@login_required
def list_view(request):
    """The due list of one area (``?org=``, default the user's own), the values awaiting this user's review, and
    the history of values in the user's area (filter by state and indicator)."""
    require_permission(request, reported.RESOURCE)
    unit = reported.unit_for(request.user, request.GET.get("org") or None)
    history = reported.value_list(request.user, {**request.GET.dict(), "org": unit.code})
    page = Paginator(history, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "monitoring/reported_list.html",
        {
            "unit": unit,
            "due": reported.due(unit, today),
            "awaiting": reported.awaiting_review(request.user)[:100],
            "page": page,
            "states": ReportState.choices,
            "children": queries.children(unit, today),
            "can_add": permitted(request.user, reported.RESOURCE, Action.ADD),
        },
    )


def _reportable_units(user):
    unit = reported.unit_for(user)
    today = timezone.localdate()
    return [unit, *queries.children(unit, today)] if unit.level != "township" else [unit]


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    """Enter a value; ``?indicator=&org=&period=`` prefill the form (the due list links here)."""
    require_permission(request, reported.RESOURCE, Action.ADD)
    indicators = list(reported.reported_indicators())
    units = _reportable_units(request.user)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, indicators=indicators, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rv = reported.submit(
                    data["indicator"],
                    reported.unit_for(request.user, data["org"]),
                    data["period"],
                    data["value"],
                    evidence=reported.Evidence(data["evidence"].name, data["evidence"]),
                    note=data["note"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _add_refusal(form, exc)
            else:
                messages.success(request, _("The value was reported and awaits review."))
                return redirect("monitoring:reported_detail", public_id=rv.public_id)
    else:
        form = ReportForm(
            initial={k: request.GET.get(k) for k in ("indicator", "org", "period") if request.GET.get(k)},
            indicators=indicators,
            units=units,
        )
    return render(
        request,
        "monitoring/reported_form.html",
        {"form": form, "periods": {i.key: reported.period_kind(i.key) for i in indicators}},
    )


def _value(request, public_id, action: str = Action.VIEW) -> ReportedValue:
    require_permission(request, reported.RESOURCE, action)
    return get_for_user(
        ReportedValue.objects.select_related("org_unit", "submitted_by__org_unit", "reviewed_by", "supersedes"),
        request.user,
        action,
        public_id=public_id,
    )


@login_required
def detail_view(request, public_id):
    rv = _value(request, public_id)
    can_review = permitted(request.user, reported.RESOURCE, Action.CHANGE) and (
        reported.review_refusal(rv, request.user) is None
    )
    others = (
        ReportedValue.objects.filter(
            indicator=rv.indicator, org_unit=rv.org_unit, period_kind=rv.period_kind, period_start=rv.period_start
        )
        .select_related("submitted_by", "reviewed_by")
        .order_by("-submitted_at", "-pk")
    )
    indicator = reported.reported_indicators().filter(key=rv.indicator).first()
    return render(
        request,
        "monitoring/reported_detail.html",
        {
            "rv": rv,
            "indicator": indicator,
            "period": periods.containing(rv.period_kind, rv.period_start),
            "others": others,
            "form": ReviewForm(),
            "can_review": can_review,
            "refusal": None if can_review else reported.review_refusal(rv, request.user),
            "history": history_for("monitoring.reportedvalue", str(rv.public_id)),
        },
    )


@login_required
@require_POST
def review_view(request, public_id):
    rv = _value(request, public_id, Action.CHANGE)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["action"] == "approve":
                reported.approve(rv, actor=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("The value was approved."))
            else:
                reported.return_value(rv, actor=request.user, note=form.cleaned_data["note"])
                messages.success(request, _("The value was returned to its maker."))
        except ValidationError as exc:
            code, message = _first(exc)
            messages.error(request, f"{message} ({code})")
    return redirect("monitoring:reported_detail", public_id=rv.public_id)


def _first(exc: ValidationError) -> tuple[str, str]:
    errors = [e for errs in exc.error_dict.values() for e in errs] if hasattr(exc, "error_dict") else exc.error_list
    return errors[0].code or "invalid", " ".join(errors[0].messages)


@login_required
def evidence_view(request, public_id):
    """Download the evidence through the value's scope; the read is written to the access log."""
    rv = _value(request, public_id)
    if not rv.evidence:
        raise Http404
    audit.access(request.user, rv, fields=["evidence"], purpose="download")
    return FileResponse(
        rv.evidence.open("rb"), as_attachment=True, filename=rv.evidence_name, content_type=rv.evidence_content_type
    )
