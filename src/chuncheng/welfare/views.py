"""Welfare pages: visits (list, record, close a task), overdue list, visit rate by area and month, an elder's
entitlements and reasons, service lists (view, draft, publish), who is entitled to an item per area (CSV)."""

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
from chuncheng.welfare import conditions, exports, queries, services
from chuncheng.welfare.choices import AreaLevel, TaskStatus
from chuncheng.welfare.forms import CloseTaskForm, DraftListForm, VisitForm
from chuncheng.welfare.models import BasicServiceItem, BasicServiceList, FollowUpTask

PER_PAGE = 50


def _elder(request, public_id) -> Elder:
    return get_for_user(Elder.objects.select_related("org_unit"), request.user, public_id=public_id)


@login_required
def visits_view(request):
    require_permission(request, "welfare_visit")
    try:
        qs = queries.visits_for(request.user, request.GET)
    except ValidationError:
        qs = queries.visits_for(request.user)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    tasks = FollowUpTask.objects.for_user(request.user).filter(status=TaskStatus.OPEN).select_related("elder")
    return render(
        request,
        "welfare/visits.html",
        {"page": page, "tasks": tasks.order_by("due_on", "id")[:100], "close_form": CloseTaskForm()},
    )


@login_required
def overdue_view(request):
    require_permission(request, "welfare_visit")
    org = request.GET.get("org", "")
    page = Paginator(queries.overdue_elders(request.user, org), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "welfare/overdue.html",
        {
            "page": page,
            "communities": queries.overdue_by_community(request.user),
            "cutoff": queries.overdue_cutoff(),
            "org": org,
            "can_add": permitted(request.user, "welfare_visit", Action.ADD),
        },
    )


@login_required
def visit_rate_view(request):
    require_permission(request, "welfare_visit")
    try:
        month = queries.parse_month(request.GET.get("month"))
    except ValidationError:
        messages.error(request, _("A month is written YYYY-MM."))
        month = queries.parse_month(None)
    level = request.GET.get("level") if request.GET.get("level") in AreaLevel.values else AreaLevel.TOWNSHIP
    rates = queries.visit_rate(request.user, month, level)
    return render(
        request,
        "welfare/visit_rate.html",
        {
            "rates": rates,
            "total": queries.visit_rate_total(rates),
            "month": month.strftime("%Y-%m"),
            "level": level,
            "levels": AreaLevel.choices,
        },
    )


@login_required
def elder_view(request, public_id):
    require_permission(request, "service_list")
    elder = _elder(request, public_id)
    service_list, items = queries.entitlement_reasons(elder)
    visits = []
    if permitted(request.user, "welfare_visit"):
        visits = list(elder.welfare_visits.select_related("visitor").order_by("-visited_on", "-id")[:20])
    return render(
        request,
        "welfare/elder.html",
        {
            "elder": elder,
            "service_list": service_list,
            "items": items,
            "rules": queries.special_difficulty_reasons(elder),
            "visits": visits,
            "can_visit": permitted(request.user, "welfare_visit", Action.ADD),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_create_view(request, public_id):
    require_permission(request, "welfare_visit", Action.ADD)
    elder = _elder(request, public_id)
    form = VisitForm(request.POST or None, initial={"visited_on": queries.today()})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None) or k in ("visited_on",)}
        try:
            services.record_visit(elder, data, actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("welfare:elder", public_id=elder.public_id)
    return render(
        request, "welfare/visit_form.html", {"form": form, "elder": elder}, status=422 if form.errors else 200
    )


@login_required
@require_POST
def task_close_view(request, public_id):
    require_permission(request, "welfare_visit", Action.CHANGE)
    task = get_for_user(FollowUpTask.objects.all(), request.user, Action.CHANGE, public_id=public_id)
    form = CloseTaskForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say what was done."))
        services.close_task(task, form.cleaned_data["outcome"], actor=request.user)
        messages.success(request, _("The task is closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("welfare:visits")


@login_required
def lists_view(request):
    require_permission(request, "service_list")
    in_force = {lst.pk for lst in services.lists_in_force(queries.today()).values()}
    return render(
        request,
        "welfare/lists.html",
        {
            "lists": queries.lists_for(request.user),
            "in_force": in_force,
            "draft_form": DraftListForm(),
            "can_change": permitted(request.user, "service_list", Action.CHANGE),
        },
    )


def _list(request, public_id) -> BasicServiceList:
    try:
        return queries.lists_for(request.user).get(public_id=public_id)
    except (BasicServiceList.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc


@login_required
def list_detail_view(request, public_id):
    require_permission(request, "service_list")
    lst = _list(request, public_id)
    items = [(item, conditions.describe(item.condition)) for item in lst.items.all()]
    return render(
        request,
        "welfare/list_detail.html",
        {"list": lst, "items": items, "can_change": permitted(request.user, "service_list", Action.CHANGE)},
    )


@login_required
@require_POST
def list_draft_view(request):
    require_permission(request, "service_list", Action.ADD)
    form = DraftListForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the effective date."))
        return redirect("welfare:lists")
    code = form.cleaned_data["county"].strip()
    county = OrgUnit.objects.filter(code=code, level="county").first() if code else None
    if code and county is None:
        raise Http404
    try:
        lst = services.draft_list(county, form.cleaned_data["effective_from"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("welfare:lists")
    return redirect("welfare:list_detail", public_id=lst.public_id)


@login_required
@require_POST
def list_publish_view(request, public_id):
    require_permission(request, "service_list", Action.CHANGE)
    lst = _list(request, public_id)
    try:
        services.publish_list(lst, actor=request.user)
        messages.success(request, _("The list is published; entitlements are recomputed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("welfare:list_detail", public_id=lst.public_id)


def _item(request, public_id) -> BasicServiceItem:
    try:
        return queries.items_for(request.user).get(public_id=public_id)
    except (BasicServiceItem.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc


@login_required
def item_view(request, public_id):
    require_permission(request, "service_list")
    item = _item(request, public_id)
    level = request.GET.get("level") if request.GET.get("level") in AreaLevel.values else AreaLevel.COUNTY
    return render(
        request,
        "welfare/item.html",
        {
            "item": item,
            "rows": queries.entitled_by_area(request.user, item, level),
            "level": level,
            "levels": AreaLevel.choices,
            "condition": conditions.describe(item.condition),
            "can_export": permitted(request.user, "service_list", Action.EXPORT),
        },
    )


@login_required
def item_export_view(request, public_id):
    require_permission(request, "service_list", Action.EXPORT)
    item = _item(request, public_id)
    qs = queries.entitled_elders(request.user, item, request.GET.get("org", ""), Action.EXPORT)
    return exports.entitled_csv(qs, item, user=request.user)
