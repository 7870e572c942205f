"""Institution pages: list with occupancy, filters and export, detail with history, file, edit, suspend/exit."""

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
from chuncheng.institutions.choices import InstitutionKind, InstitutionStatus
from chuncheng.institutions.forms import InstitutionForm
from chuncheng.institutions.models import Institution
from chuncheng.institutions.rules import occupancy
from chuncheng.institutions.services.common import institution_in_scope
from chuncheng.institutions.views.common import export_download, paged


@login_required
def list_view(request):
    require_permission(request, "institution")
    page, params = paged(request, queries.institution_list(request.user, request.GET))
    return render(
        request,
        "institutions/list.html",
        {
            "page": page,
            "params": params,
            "kinds": InstitutionKind.choices,
            "statuses": InstitutionStatus.choices,
            "can_add": permitted(request.user, "institution", Action.ADD) and not request.user.institution_id,
            "can_export": permitted(request.user, "institution", Action.EXPORT),
        },
    )


@login_required
def export_view(request):
    require_permission(request, "institution", Action.EXPORT)
    return export_download(request, "institutions", queries.institution_list(request.user, request.GET, Action.EXPORT))


@login_required
def detail_view(request, public_id):
    institution = get_for_user(
        queries.with_occupancy(Institution.objects.select_related("org_unit")), request.user, public_id=public_id
    )
    user = request.user
    can_change = Institution.objects.for_user(user, Action.CHANGE).filter(pk=institution.pk).exists()
    can_see_staff = permitted(user, "staff")
    return render(
        request,
        "institutions/detail.html",
        {
            "institution": institution,
            "occupancy": occupancy(institution.residents, institution.approved_beds),
            "nursing_occupancy": occupancy(institution.nursing_residents, institution.nursing_beds),
            "staff_counts": queries.institution_staff_counts(institution) if can_see_staff else None,
            "can_see_residents": permitted(user, "resident"),
            "can_see_staff": can_see_staff,
            "history": history_for("institutions.institution", str(institution.public_id)),
            "can_change": can_change,
            "can_set_status": can_change and not user.institution_id and institution_in_scope(user, institution),
            "statuses": InstitutionStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    require_permission(request, "institution", Action.ADD)
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.file_institution(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Institution filed."))
            return redirect("institutions:detail", public_id=institution.public_id)
    return render(request, "institutions/form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, public_id):
    institution = get_for_user(
        Institution.objects.select_related("org_unit"), request.user, Action.CHANGE, public_id=public_id
    )
    operator = bool(request.user.institution_id)
    form = InstitutionForm(request.POST or None, instance=institution, operator=operator)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_institution(institution, form.changed_data_dict(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("institutions:detail", public_id=institution.public_id)
    return render(request, "institutions/form.html", {"form": form, "institution": institution})


@login_required
@require_POST
def status_view(request, public_id):
    institution = get_for_user(
        Institution.objects.select_related("org_unit"), request.user, Action.CHANGE, public_id=public_id
    )
    try:
        services.set_status(institution, request.POST.get("status", ""), actor=request.user)
        messages.success(request, _("Status changed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("institutions:detail", public_id=institution.public_id)
