"""Resident pages: an institution's residents (current and past), admit, discharge, transfer, and the export.

The elder to admit is named by the full ID number in a POST body, never in a URL or a query string.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import require_permission
from chuncheng.institutions import queries, services
from chuncheng.institutions.choices import BedKind, InstitutionStatus
from chuncheng.institutions.forms import AdmitForm, DischargeForm, TransferForm
from chuncheng.institutions.models import Admission, Institution
from chuncheng.institutions.rules import occupancy
from chuncheng.institutions.services.common import institution_in_scope
from chuncheng.institutions.views.common import export_download, paged, service_errors

STAY_RELATED = ("elder", "institution__org_unit")


def _institution(request, public_id):
    return get_for_user(
        queries.with_occupancy(Institution.objects.select_related("org_unit")), request.user, public_id=public_id
    )


@login_required
def residents_view(request, public_id):
    """现住 and 曾住: ``state`` current (default), past or all."""
    require_permission(request, "resident")
    institution = _institution(request, public_id)
    params = request.GET.copy()
    params.setdefault("state", "current")
    stays = queries.stay_list(request.user, params, institution=institution)
    page, query = paged(request, stays)
    user = request.user
    can_change = permitted(user, "resident", Action.CHANGE) and institution_in_scope(user, institution)
    return render(
        request,
        "institutions/residents.html",
        {
            "institution": institution,
            "occupancy": occupancy(institution.residents, institution.approved_beds),
            "nursing_occupancy": occupancy(institution.nursing_residents, institution.nursing_beds),
            "page": page,
            "params": query,
            "state": params["state"],
            "bed_kinds": BedKind.choices,
            "can_admit": permitted(user, "resident", Action.ADD) and institution_in_scope(user, institution),
            "can_change": can_change,
            "can_export": permitted(user, "resident", Action.EXPORT),
        },
    )


@login_required
def export_view(request):
    """The residents file of the stays the user may export (filters: institution, elder, state)."""
    require_permission(request, "resident", Action.EXPORT)
    return export_download(request, "residents", queries.stay_list(request.user, request.GET, Action.EXPORT))


@login_required
@require_http_methods(["GET", "POST"])
def admit_view(request, public_id):
    require_permission(request, "resident", Action.ADD)
    institution = _institution(request, public_id)
    form = AdmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        elder = queries.elder_by_id_number(data["id_number"])
        if elder is None:
            form.add_error(
                "id_number", ValidationError(_("No elder in the registry has this ID number."), code="unknown_elder")
            )
        else:
            try:
                services.admit(
                    elder, institution, bed_kind=data["bed_kind"], admitted_on=data["admitted_on"], actor=request.user
                )
            except ValidationError as exc:
                service_errors(form, exc, {"elder": "id_number", "institution": "__all__"})
            else:
                messages.success(request, _("Admitted."))
                return redirect("institutions:residents", public_id=institution.public_id)
    return render(request, "institutions/admit.html", {"form": form, "institution": institution})


@login_required
@require_http_methods(["GET", "POST"])
def discharge_view(request, public_id):
    require_permission(request, "resident", Action.CHANGE)
    stay = get_for_user(
        Admission.objects.select_related(*STAY_RELATED), request.user, Action.CHANGE, public_id=public_id
    )
    form = DischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.discharge(
                stay, form.cleaned_data["discharged_on"], form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Discharged."))
            return redirect("institutions:residents", public_id=stay.institution.public_id)
    return render(request, "institutions/stay_form.html", {"form": form, "stay": stay, "title": _("Discharge")})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_view(request, public_id):
    require_permission(request, "resident", Action.CHANGE)
    stay = get_for_user(
        Admission.objects.select_related(*STAY_RELATED), request.user, Action.CHANGE, public_id=public_id
    )
    receiving = (
        Institution.objects.for_user(request.user)
        .filter(status=InstitutionStatus.ACTIVE)
        .exclude(pk=stay.institution_id)
        .order_by("name")
    )
    form = TransferForm(request.POST or None, institutions=receiving)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer(
                stay, data["to_institution"], data["on"], bed_kind=data["bed_kind"] or None, actor=request.user
            )
        except ValidationError as exc:
            service_errors(form, exc, {"discharged_on": "on", "admitted_on": "on", "institution": "to_institution"})
        else:
            messages.success(request, _("Transferred."))
            return redirect("institutions:residents", public_id=stay.institution.public_id)
    return render(request, "institutions/stay_form.html", {"form": form, "stay": stay, "title": _("Transfer")})
