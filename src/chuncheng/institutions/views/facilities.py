"""Community facility pages: list with filters and export, detail with history and staff, file, edit, close."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import form_errors, history_for, require_permission
from chuncheng.institutions import queries, services
from chuncheng.institutions.choices import FacilityKind, FacilityStatus, OperatorKind
from chuncheng.institutions.forms import FacilityForm
from chuncheng.institutions.models import Facility
from chuncheng.institutions.views.common import export_download, paged


@login_required
def list_view(request):
    require_permission(request, "facility")
    page, params = paged(request, queries.facility_list(request.user, request.GET))
    return render(
        request,
        "institutions/facility_list.html",
        {
            "page": page,
            "params": params,
            "kinds": FacilityKind.choices,
            "statuses": FacilityStatus.choices,
            "operators": OperatorKind.choices,
            "sorts": [
                ("name", _("Name")),
                ("code", _("Code")),
                ("-beds", _("Most beds")),
                ("-area_m2", _("Largest")),
                ("-opened_on", _("Newest")),
            ],
            "can_add": permitted(request.user, "facility", Action.ADD),
            "can_export": permitted(request.user, "facility", Action.EXPORT),
        },
    )


@login_required
def export_view(request):
    require_permission(request, "facility", Action.EXPORT)
    return export_download(request, "facilities", queries.facility_list(request.user, request.GET, Action.EXPORT))


@login_required
def detail_view(request, public_id):
    facility = get_for_user(Facility.objects.select_related("org_unit"), request.user, public_id=public_id)
    user = request.user
    can_change = Facility.objects.for_user(user, Action.CHANGE).filter(pk=facility.pk).exists()
    return render(
        request,
        "institutions/facility_detail.html",
        {
            "facility": facility,
            "history": history_for("institutions.facility", str(facility.public_id)),
            "can_change": can_change,
            "can_see_staff": permitted(user, "staff"),
            "closed": facility.status == FacilityStatus.CLOSED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    require_permission(request, "facility", Action.ADD)
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.file_facility(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Facility recorded."))
            return redirect("facilities:detail", public_id=facility.public_id)
    return render(request, "institutions/facility_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, public_id):
    facility = get_for_user(
        Facility.objects.select_related("org_unit"), request.user, Action.CHANGE, public_id=public_id
    )
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_facility(facility, form.changed_data_dict(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("facilities:detail", public_id=facility.public_id)
    return render(request, "institutions/facility_form.html", {"form": form, "facility": facility})


@login_required
@require_POST
def status_view(request, public_id):
    """Close a facility, or reopen a closed one (``status`` = closed / active)."""
    facility = get_for_user(
        Facility.objects.select_related("org_unit"), request.user, Action.CHANGE, public_id=public_id
    )
    action = (
        services.close_facility if request.POST.get("status") == FacilityStatus.CLOSED else services.reopen_facility
    )
    try:
        action(facility, actor=request.user)
        messages.success(request, _("Status changed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("facilities:detail", public_id=facility.public_id)
