"""Home-care pages: providers (list, register), orders (list, create, detail with its transitions), verified visits
(list with flags, review), the caregiver's phone page of the day (check-in/out through the API in homecare.js), the
provider portal (orders by state, the day's schedule, flags on its visits) and the monthly provider settlements."""

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
from chuncheng.core.roles import Action, Role
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import form_errors, require_permission
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.homecare import queries, services, settlements
from chuncheng.homecare.choices import OrderStatus, SettlementStatus
from chuncheng.homecare.forms import OrderForm, ProviderForm
from chuncheng.homecare.models import Caregiver, Provider, ProviderSettlement, ScheduleAlert, ServiceOrder, VisitFlag

PER_PAGE = 50


def _can_create_orders(user) -> bool:
    """Workers create orders; provider accounts never do (their ``add`` on orders is the check-in)."""
    return permitted(user, "homecare_order", Action.ADD) and not user.provider_id


@login_required
def landing_view(request):
    """/homecare/: the landing page of the user's role (the portal, the caregiver's day, or the orders)."""
    if request.user.role == Role.PROVIDER_OPERATOR:
        return redirect("homecare:provider_home")
    if request.user.role == Role.CAREGIVER:
        return redirect("homecare:today")
    require_permission(request, "homecare_order")
    return redirect("homecare:orders")


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
        if not _can_create_orders(request.user):
            raise Http404
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
        {"page": page, "form": form, "can_add": _can_create_orders(request.user)},
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
            "is_provider": bool(request.user.provider_id),
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
        elif step == "decline":
            services.decline_order(order, request.POST.get("reason", ""), actor=request.user)
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


# ---- the provider portal --------------------------------------------------------------------------------------


def _require_provider(request, resource: str = "homecare_order") -> None:
    """Portal pages are for provider operators (officials' pages show the same records by area; a caregiver has its
    day page)."""
    require_permission(request, resource)
    if request.user.role != Role.PROVIDER_OPERATOR or not request.user.provider_id:
        raise Http404


@login_required
def provider_home_view(request):
    """The provider's home: its orders by state (filter ``?status=``), with counts and what needs attention."""
    _require_provider(request)
    status = request.GET.get("status", "")
    page = Paginator(queries.orders_for(request.user, request.GET), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "homecare/provider_home.html",
        {
            "provider": request.user.provider,
            "page": page,
            "status": status,
            "statuses": OrderStatus.choices,
            "counts": queries.order_counts(request.user),
            "open_alerts": queries.alerts_for(request.user, {"status": "open"}).count(),
            "open_flags": queries.flags_for(request.user, {"status": "open"}).count(),
        },
    )


@login_required
def provider_schedule_view(request):
    """The day's orders (``?date=``) with caregiver, time window and late/missed alerts."""
    _require_provider(request)
    try:
        day = services.parse_day(request.GET["date"]) if request.GET.get("date") else today()
    except ValidationError:
        day = today()
    return render(
        request,
        "homecare/provider_schedule.html",
        {"provider": request.user.provider, "day": day, "orders": queries.schedule_for(request.user, day)},
    )


@login_required
def provider_flags_view(request):
    """Anomaly flags on the provider's visits and their review."""
    _require_provider(request, "homecare_flag")
    page = Paginator(queries.flags_for(request.user, request.GET), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "homecare/provider_flags.html", {"provider": request.user.provider, "page": page})


# ---- settlements ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settlements_view(request):
    """Monthly provider settlements of the user's scope; officials make a month's drafts here (``add``)."""
    require_permission(request, "homecare_settlement")
    can_settle = permitted(request.user, "homecare_settlement", Action.ADD)
    if request.method == "POST":
        require_permission(request, "homecare_settlement", Action.ADD)
        try:
            month = settlements.parse_month(request.POST.get("month"))
            made = settlements.settle_month(month, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(count)s settlements made for %(month)s.") % {"count": len(made), "month": f"{month:%Y-%m}"},
            )
        return redirect("homecare:settlements")
    page = Paginator(queries.settlements_for(request.user, request.GET), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "homecare/settlements.html",
        {"page": page, "can_settle": can_settle, "portal": bool(request.user.provider_id)},
    )


@login_required
def settlement_view(request, public_id):
    require_permission(request, "homecare_settlement")
    settlement = get_for_user(
        ProviderSettlement.objects.select_related("provider__org_unit", "created_by", "approved_by", "ledger_entry"),
        request.user,
        public_id=public_id,
    )
    can_approve = (
        permitted(request.user, "homecare_settlement", Action.CHANGE)
        and settlement.status == SettlementStatus.DRAFT
        and settlement.created_by_id != request.user.pk
    )
    return render(request, "homecare/settlement.html", {"s": settlement, "can_approve": can_approve})


@login_required
@require_POST
def settlement_approve_view(request, public_id):
    require_permission(request, "homecare_settlement", Action.CHANGE)
    settlement = get_for_user(ProviderSettlement.objects.all(), request.user, Action.CHANGE, public_id=public_id)
    try:
        settlements.approve_settlement(settlement, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The settlement is approved and booked in the benefits ledger."))
    return redirect("homecare:settlement", public_id=settlement.public_id)
