"""Home-care pages: providers (list, register), orders (list, create, detail with its transitions), verified visits
(list with flags, review) and the caregiver's phone page of the day (check-in/out through the API in homecare.js)."""

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
from chuncheng.core.views import form_errors, require_permission
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.homecare import queries, services
from chuncheng.homecare.forms import OrderForm, ProviderForm
from chuncheng.homecare.models import Caregiver, Provider, ScheduleAlert, ServiceOrder, VisitFlag

PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def providers_view(request):
    require_permission(request, "homecare_provider")
    can_add = permitted(request.user, "homecare_provider", Action.ADD)
    form = ProviderForm(request.POST or None)
    if request.method == "POST":
        require_permission(request, "homecare_provider", Action.ADD)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                org = get_for_user(OrgUnit.objects.all(), request.user, code=data.pop("org_unit"))
            except Http404:
                org = None
            data["areas"] = [a.strip() for a in data["areas"].split(",") if a.strip()]
            try:
                if org is None:
                    raise ValidationError({"org_unit": ValidationError(_("Not an org unit of your area."))})
                services.register_provider({**data, "org_unit": org}, actor=request.user)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The provider is registered."))
                return redirect("homecare:providers")
    page = Paginator(queries.providers_for(request.user).order_by("name", "id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "homecare/providers.html",
        {"page": page, "form": form, "can_add": can_add},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def orders_view(request):
    require_permission(request, "homecare_order")
    form = OrderForm(request.POST or None, initial={"scheduled_on": today(), "quantity": 1})
    if request.method == "POST":
        require_permission(request, "homecare_order", Action.ADD)
        if form.is_valid():
            data = form.cleaned_data
            elder = Elder.objects.for_user(request.user).select_related("org_unit").filter(public_id=data["elder"])
            elder = elder.first()
            provider = Provider.objects.filter(public_id=data["provider"]).first()
            try:
                if elder is None or provider is None:
                    raise ValidationError({"elder": ValidationError(_("Elder or provider not found."))})
                order = services.create_order(
                    elder,
                    provider,
                    data["kind"],
                    data["scheduled_on"],
                    quantity=data["quantity"],
                    note=data["note"],
                    window_start=data.get("window_start"),
                    window_end=data.get("window_end"),
                    actor=request.user,
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The order is created."))
                return redirect("homecare:order", public_id=order.public_id)
    page = Paginator(queries.orders_for(request.user, request.GET), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "homecare/orders.html",
        {"page": page, "form": form, "can_add": permitted(request.user, "homecare_order", Action.ADD)},
        status=422 if form.errors else 200,
    )


def _order(request, public_id, act=Action.VIEW) -> ServiceOrder:
    qs = ServiceOrder.objects.select_related("elder__org_unit", "provider", "caregiver__staff")
    return get_for_user(qs, request.user, act, public_id=public_id)


@login_required
def order_view(request, public_id):
    require_permission(request, "homecare_order")
    order = _order(request, public_id)
    return render(
        request,
        "homecare/order.html",
        {
            "order": order,
            "visits": order.visits.select_related("caregiver__staff").prefetch_related("flags"),
            "caregivers": order.provider.caregivers.filter(active=True).select_related("staff"),
            "can_change": permitted(request.user, "homecare_order", Action.CHANGE),
        },
    )


@login_required
@require_POST
def order_action_view(request, public_id, step):
    require_permission(request, "homecare_order", Action.CHANGE)
    order = _order(request, public_id, Action.CHANGE)
    try:
        if step == "accept":
            services.accept_order(order, actor=request.user)
        elif step == "assign":
            caregiver = Caregiver.objects.filter(
                provider=order.provider, public_id=request.POST.get("caregiver") or None
            ).first()
            if caregiver is None:
                raise ValidationError(_("Choose a caregiver."))
            services.assign_order(order, caregiver, actor=request.user)
        elif step == "cancel":
            services.cancel_order(order, request.POST.get("reason", ""), actor=request.user)
        else:
            raise Http404
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The order is updated."))
    return redirect("homecare:order", public_id=order.public_id)


@login_required
def visits_view(request):
    require_permission(request, "homecare_visit")
    visits = queries.visits_for(request.user, request.GET).prefetch_related("flags")
    page = Paginator(visits, PER_PAGE).get_page(request.GET.get("page"))
    for visit in page:
        visit.payable = queries.is_payable(visit)
    return render(
        request,
        "homecare/visits.html",
        {"page": page, "can_review": permitted(request.user, "homecare_flag", Action.CHANGE)},
    )


@login_required
@require_POST
def flag_review_view(request, public_id, rule):
    require_permission(request, "homecare_flag", Action.CHANGE)
    flag = get_for_user(VisitFlag.objects.all(), request.user, Action.CHANGE, visit__public_id=public_id, rule=rule)
    try:
        services.review_flag(
            flag, request.POST.get("decision") == "accept", note=request.POST.get("note", ""), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The flag is reviewed."))
    return redirect("homecare:visits")


@login_required
def today_view(request):
    """The caregiver's phone page: today's orders with check-in / check-out buttons (homecare.js)."""
    require_permission(request, "homecare_visit")
    orders = list(queries.caregiver_day(request.user, today()))
    for order in orders:
        order.open_visit = next((v for v in order.visits.all() if v.status == "open"), None)
    return render(
        request,
        "homecare/today.html",
        {"orders": orders, "is_caregiver": getattr(request.user, "caregiver", None) is not None, "day": today()},
    )


@login_required
def alerts_view(request):
    """Late and missed visits of the user's area for supervisors, open ones first, with acknowledge buttons."""
    require_permission(request, "homecare_flag")
    alerts = queries.alerts_for(request.user, request.GET)
    page = Paginator(alerts, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "homecare/alerts.html",
        {"page": page, "can_ack": permitted(request.user, "homecare_flag", Action.CHANGE)},
    )


@login_required
@require_POST
def alert_ack_view(request, public_id):
    require_permission(request, "homecare_flag", Action.CHANGE)
    alert = get_for_user(ScheduleAlert.objects.all(), request.user, Action.CHANGE, public_id=public_id)
    try:
        services.acknowledge_alert(alert, note=request.POST.get("note", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The alert is acknowledged."))
    return redirect("homecare:alerts")
