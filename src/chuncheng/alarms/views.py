"""Alarm pages: the list (open first) with its actions, an alarm's detail, devices, vendors (the secret is shown
once, on the page answering the creation), and response-time figures per area and month."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.alarms import queries, services
from chuncheng.alarms.choices import ACTIONS, AlarmStatus, AreaLevel
from chuncheng.alarms.models import Alarm, Vendor
from chuncheng.core.models import User
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import require_permission
from chuncheng.elders.models import Elder

PER_PAGE = 50


class DeviceForm(forms.Form):
    vendor = forms.SlugField(label=gettext_lazy("Vendor code"), max_length=40)
    serial = forms.CharField(label=gettext_lazy("serial number"), max_length=64)
    elder = forms.UUIDField(label=gettext_lazy("elder"))


class VendorForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    code = forms.SlugField(label=gettext_lazy("code"), max_length=40, required=False)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def list_view(request):
    require_permission(request, "alarm")
    status = request.GET.get("status", "")
    page = Paginator(queries.alarms_for(request.user, status), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "alarms/list.html",
        {
            "page": page,
            "statuses": AlarmStatus.choices,
            "status": status,
            "can_change": permitted(request.user, "alarm", Action.CHANGE),
        },
    )


@login_required
def detail_view(request, public_id):
    require_permission(request, "alarm")
    alarm = get_for_user(
        Alarm.objects.select_related("elder", "org_unit", "responder", "device", "vendor"),
        request.user,
        public_id=public_id,
    )
    return render(
        request,
        "alarms/detail.html",
        {"alarm": alarm, "can_change": permitted(request.user, "alarm", Action.CHANGE)},
    )


@login_required
@require_POST
def transition_view(request, public_id, action):
    require_permission(request, "alarm", Action.CHANGE)
    if action not in ACTIONS:
        raise Http404
    alarm = get_for_user(Alarm.objects.all(), request.user, Action.CHANGE, public_id=public_id)
    responder = None
    if request.POST.get("responder"):
        responder = User.objects.filter(username=request.POST["responder"], is_active=True).first()
        if responder is None:
            messages.error(request, _("No such responder."))
            return redirect("alarms:detail", public_id=alarm.public_id)
    try:
        services.transition(
            alarm, action, actor=request.user, responder=responder, outcome=request.POST.get("outcome", "")
        )
    except ValidationError as exc:
        _refused(request, exc)
    if request.POST.get("next") == "list":
        return redirect("alarms:list")
    return redirect("alarms:detail", public_id=alarm.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def devices_view(request):
    require_permission(request, "alarm")
    form = DeviceForm(request.POST or None)
    if request.method == "POST":
        require_permission(request, "alarm", Action.ADD)
        if form.is_valid():
            vendor = Vendor.objects.filter(code=form.cleaned_data["vendor"], active=True).first()
            elder = Elder.objects.for_user(request.user).filter(public_id=form.cleaned_data["elder"]).first()
            if vendor is None or elder is None:
                messages.error(request, _("No such vendor, or no such elder in your area."))
            else:
                try:
                    services.register_device(vendor, form.cleaned_data["serial"], elder, actor=request.user)
                    return redirect("alarms:devices")
                except ValidationError as exc:
                    _refused(request, exc)
    page = Paginator(queries.devices_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "alarms/devices.html",
        {"page": page, "form": form, "can_add": permitted(request.user, "alarm", Action.ADD)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def vendors_view(request):
    require_permission(request, "alarm_vendor")
    form = VendorForm(request.POST or None)
    created = secret = None
    if request.method == "POST":
        require_permission(request, "alarm_vendor", Action.ADD)
        if form.is_valid():
            try:
                created, secret = services.add_vendor(
                    form.cleaned_data["name"], code=form.cleaned_data["code"], actor=request.user
                )
                form = VendorForm()
            except ValidationError as exc:
                _refused(request, exc)
    return render(
        request,
        "alarms/vendors.html",
        {
            "vendors": queries.vendors_for(request.user),
            "form": form,
            "created": created,
            "secret": secret,
            "can_add": permitted(request.user, "alarm_vendor", Action.ADD),
        },
    )


@login_required
def stats_view(request):
    require_permission(request, "alarm")
    try:
        month = queries.parse_month(request.GET.get("month"))
    except ValidationError:
        messages.error(request, _("A month is written YYYY-MM."))
        month = queries.parse_month(None)
    level = request.GET.get("level") if request.GET.get("level") in AreaLevel.values else AreaLevel.COUNTY
    return render(
        request,
        "alarms/stats.html",
        {
            "rows": queries.response_times(request.user, month, level),
            "month": month.strftime("%Y-%m"),
            "level": level,
            "levels": AreaLevel.choices,
        },
    )
