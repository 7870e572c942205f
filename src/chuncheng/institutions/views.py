"""Institution pages: list with filters and export, detail with history, file, edit, suspend/exit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import form_errors, history_for, require_permission
from chuncheng.institutions import queries, services
from chuncheng.institutions.api import export_response
from chuncheng.institutions.choices import InstitutionKind, InstitutionStatus
from chuncheng.institutions.forms import InstitutionForm
from chuncheng.institutions.models import Institution


@login_required
def list_view(request):
    require_permission(request, "institution")
    qs = queries.institution_list(request.user, request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "institutions/list.html",
        {
            "page": page,
            "params": params.urlencode(),
            "kinds": InstitutionKind.choices,
            "statuses": InstitutionStatus.choices,
            "can_add": permitted(request.user, "institution", Action.ADD) and not request.user.institution_id,
            "can_export": permitted(request.user, "institution", Action.EXPORT),
        },
    )


@login_required
def export_view(request):
    require_permission(request, "institution", Action.EXPORT)
    qs = queries.institution_list(request.user, request.GET, Action.EXPORT)
    audit.security_event(
        SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind="institutions", rows=qs.count()
    )
    return export_response(qs, request.GET.get("format", "csv"))


@login_required
def detail_view(request, public_id):
    institution = get_for_user(Institution.objects.select_related("org_unit"), request.user, public_id=public_id)
    can_change = Institution.objects.for_user(request.user, Action.CHANGE).filter(pk=institution.pk).exists()
    return render(
        request,
        "institutions/detail.html",
        {
            "institution": institution,
            "history": history_for("institutions.institution", str(institution.public_id)),
            "can_change": can_change,
            "can_set_status": can_change and not request.user.institution_id,
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
