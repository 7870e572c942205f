"""Staff pages: an employer's staff and caregiver lists, detail with history, hire, edit, leave, statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import history_for, require_permission
from chuncheng.institutions import queries, services
from chuncheng.institutions.choices import SkillGrade, StaffRole
from chuncheng.institutions.forms import LeaveForm, StaffForm
from chuncheng.institutions.models import Facility, Institution, Staff
from chuncheng.institutions.services.common import in_area, institution_in_scope
from chuncheng.institutions.views.common import export_download, paged, service_errors

STAFF_RELATED = ("institution__org_unit", "facility__org_unit", "org_unit")


def _employer(request, kind: str, public_id):
    model = Institution if kind == "institution" else Facility
    return get_for_user(model.objects.select_related("org_unit"), request.user, public_id=public_id)


def _can_hire(user, employer) -> bool:
    if not permitted(user, "staff", Action.ADD):
        return False
    if isinstance(employer, Institution):
        return institution_in_scope(user, employer)
    return not user.institution_id and in_area(user, employer.org_unit.code)


@login_required
def employer_staff_view(request, public_id, kind: str = "institution", caregivers: bool = False):
    """An institution's or facility's staff; ``caregivers`` gives the caregiver list (grades, certificates)."""
    require_permission(request, "staff")
    employer = _employer(request, kind, public_id)
    params = request.GET.copy()
    if caregivers:
        params["role"] = StaffRole.CAREGIVER
    params.setdefault("in_post", "1")
    staff = queries.staff_list(request.user, params, employer=employer)
    page, query = paged(request, staff)
    export_params = params.copy()
    export_params.pop("page", None)
    export_params[kind] = str(employer.public_id)
    return render(
        request,
        "institutions/staff_list.html",
        {
            "employer": employer,
            "kind": kind,
            "caregivers": caregivers,
            "page": page,
            "params": query,
            "export_params": export_params.urlencode(),
            "filters": params,
            "roles": StaffRole.choices,
            "grades": SkillGrade.choices,
            "can_add": _can_hire(request.user, employer),
            "can_export": permitted(request.user, "staff", Action.EXPORT),
        },
    )


@login_required
def export_view(request):
    """The staff file of the people the user may export (filters: institution, facility, role, grade, in post)."""
    require_permission(request, "staff", Action.EXPORT)
    return export_download(request, "staff", queries.staff_list(request.user, request.GET, Action.EXPORT))


@login_required
def detail_view(request, public_id):
    member = get_for_user(Staff.objects.select_related(*STAFF_RELATED), request.user, public_id=public_id)
    can_change = Staff.objects.for_user(request.user, Action.CHANGE).filter(pk=member.pk).exists()
    return render(
        request,
        "institutions/staff_detail.html",
        {
            "member": member,
            "employer": member.institution or member.facility,
            "history": history_for("institutions.staff", str(member.public_id)),
            "can_change": can_change,
            "leave_form": LeaveForm() if can_change and member.left_on is None else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hire_view(request, public_id, kind: str = "institution"):
    require_permission(request, "staff", Action.ADD)
    employer = _employer(request, kind, public_id)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.hire_staff(employer, form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            service_errors(form, exc, {"employer": "__all__"})
        else:
            messages.success(request, _("Staff member recorded."))
            return redirect("institutions:staff_detail", public_id=member.public_id)
    return render(request, "institutions/staff_form.html", {"form": form, "employer": employer, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, public_id):
    member = get_for_user(
        Staff.objects.select_related(*STAFF_RELATED), request.user, Action.CHANGE, public_id=public_id
    )
    form = StaffForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff(member, form.changed_data_dict(), actor=request.user)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("institutions:staff_detail", public_id=member.public_id)
    return render(
        request,
        "institutions/staff_form.html",
        {"form": form, "member": member, "employer": member.institution or member.facility},
    )


@login_required
@require_POST
def leave_view(request, public_id):
    member = get_for_user(
        Staff.objects.select_related(*STAFF_RELATED), request.user, Action.CHANGE, public_id=public_id
    )
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.leave_staff(member, form.cleaned_data["left_on"], actor=request.user)
            messages.success(request, _("Leave recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("institutions:staff_detail", public_id=member.public_id)


@login_required
def statistics_view(request):
    """Caregivers and social workers in post per county or township of the user's scope, and per institution."""
    require_permission(request, "staff")
    user = request.user
    default = "county" if user.org_unit is not None and user.org_unit.level == "city" else "township"
    by = request.GET.get("by") if request.GET.get("by") in queries.STATISTICS_LEVELS else default
    areas = queries.staff_statistics(user, by)
    totals = {
        key: sum(r[key] for r in areas)
        for key in ("total", "caregivers", "certified_caregivers", "social_workers", "beds")
    }
    page, params = paged(request, queries.institution_staff_table(user, request.GET))
    return render(
        request,
        "institutions/staff_statistics.html",
        {"by": by, "areas": areas, "totals": totals, "page": page, "params": params},
    )
