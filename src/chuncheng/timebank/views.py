"""Time bank pages: volunteers (list, register), a volunteer (balance, ledger, services, relatives) and the
writes done from it (record a service, confirm or reject it, register a relative, withdraw hours)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import require_permission
from chuncheng.elders.models import Elder
from chuncheng.timebank import queries, services
from chuncheng.timebank.forms import RelativeForm, ServiceForm, VolunteerForm, WithdrawForm
from chuncheng.timebank.models import Volunteer, VolunteerService

PER_PAGE = 50


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _elder(user, public_id):
    return Elder.objects.for_user(user).filter(public_id=public_id).first() if public_id else None


@login_required
@require_http_methods(["GET", "POST"])
def volunteers_view(request):
    require_permission(request, "timebank")
    form = VolunteerForm(request.POST or None)
    if request.method == "POST":
        require_permission(request, "timebank", Action.ADD)
        if form.is_valid():
            org = OrgUnit.objects.filter(code=form.cleaned_data["org_unit"]).first()
            elder = _elder(request.user, form.cleaned_data["elder"])
            if org is None or (form.cleaned_data["elder"] and elder is None):
                messages.error(request, _("No such area or elder in your area."))
            else:
                try:
                    volunteer = services.register_volunteer(
                        form.cleaned_data["name"], org, elder=elder, actor=request.user
                    )
                except ValidationError as exc:
                    _refused(request, exc)
                else:
                    return redirect("timebank:volunteer", public_id=volunteer.public_id)
    page = Paginator(queries.volunteers_for(request.user, request.GET.get("org", "")), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "timebank/volunteers.html",
        {
            "page": page,
            "pending": queries.pending_services_for(request.user)[:100],
            "form": form,
            "can_add": permitted(request.user, "timebank", Action.ADD),
            "can_change": permitted(request.user, "timebank", Action.CHANGE),
        },
    )


@login_required
def volunteer_view(request, public_id):
    require_permission(request, "timebank")
    volunteer = get_for_user(
        Volunteer.objects.select_related("org_unit", "elder", "account"), request.user, public_id=public_id
    )
    return render(
        request,
        "timebank/volunteer.html",
        {
            "volunteer": volunteer,
            "transfers": queries.transfers_of(volunteer)[:200],
            "services": volunteer.services.order_by("-served_on", "-id")[:200],
            "relatives": volunteer.relatives.select_related("elder"),
            "service_form": ServiceForm(),
            "relative_form": RelativeForm(),
            "withdraw_form": WithdrawForm(),
            "can_add": permitted(request.user, "timebank", Action.ADD),
            "can_change": permitted(request.user, "timebank", Action.CHANGE),
        },
    )


def _volunteer_for_write(request, public_id, action):
    require_permission(request, "timebank", action)
    return get_for_user(Volunteer.objects.all(), request.user, action, public_id=public_id)


@login_required
@require_POST
def service_create_view(request, public_id):
    volunteer = _volunteer_for_write(request, public_id, Action.ADD)
    form = ServiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The input is not valid."))
    else:
        try:
            services.record_service(volunteer, form.cleaned_data, actor=request.user)
            messages.success(request, _("The service is recorded; a community worker confirms it."))
        except ValidationError as exc:
            _refused(request, exc)
    return redirect("timebank:volunteer", public_id=volunteer.public_id)


@login_required
@require_POST
def service_confirm_view(request, public_id):
    require_permission(request, "timebank", Action.CHANGE)
    service = get_for_user(
        VolunteerService.objects.select_related("volunteer"), request.user, Action.CHANGE, public_id=public_id
    )
    try:
        if request.POST.get("decision") == "reject":
            services.reject_service(service, actor=request.user)
        else:
            services.confirm_service(service, actor=request.user)
            messages.success(request, _("The service is confirmed and its hours are deposited."))
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("timebank:volunteer", public_id=service.volunteer.public_id)


@login_required
@require_POST
def relative_create_view(request, public_id):
    volunteer = _volunteer_for_write(request, public_id, Action.CHANGE)
    form = RelativeForm(request.POST)
    elder = _elder(request.user, form.cleaned_data["elder"]) if form.is_valid() else None
    if elder is None:
        messages.error(request, _("No such elder in your area."))
    else:
        try:
            services.register_relative(volunteer, elder, form.cleaned_data["relation"], actor=request.user)
        except ValidationError as exc:
            _refused(request, exc)
    return redirect("timebank:volunteer", public_id=volunteer.public_id)


@login_required
@require_POST
def withdraw_view(request, public_id):
    volunteer = _volunteer_for_write(request, public_id, Action.CHANGE)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The input is not valid."))
        return redirect("timebank:volunteer", public_id=volunteer.public_id)
    beneficiary = _elder(request.user, form.cleaned_data["beneficiary"])
    if beneficiary is None:
        raise Http404
    try:
        services.withdraw(
            volunteer,
            form.cleaned_data["hours"],
            beneficiary=beneficiary,
            relation=form.cleaned_data["relation"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        messages.success(request, _("The hours are withdrawn."))
    except ValidationError as exc:
        _refused(request, exc)
    return redirect("timebank:volunteer", public_id=volunteer.public_id)
