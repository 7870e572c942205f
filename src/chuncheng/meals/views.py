"""Meal pages: records (filters, flag review), the tablet page of a site (find the elder by card or ID number,
pick the slot, confirm), cards, monthly settlements (settle a month), food-safety checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import form_errors, require_permission
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.meals import queries, services
from chuncheng.meals.forms import CardForm, CheckForm, ReviewForm, SettleForm, TabletForm
from chuncheng.meals.models import FoodSafetyCheck, MealRecord, MealSettlement, SiteSpike

PER_PAGE = 50


def _messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def records_view(request):
    require_permission(request, "meal_record")
    try:
        qs = queries.records_for(request.user, request.GET)
    except ValidationError:
        messages.error(request, _("A month is written YYYY-MM."))
        qs = queries.records_for(request.user)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rules = queries.flags_of(page)
    for record in page:
        record.rules = rules.get(record.pk, [])
    spikes = SiteSpike.objects.for_user(request.user).select_related("site")[:50]
    return render(
        request,
        "meals/records.html",
        {
            "page": page,
            "spikes": spikes,
            "can_review": permitted(request.user, "meal_record", Action.CHANGE),
            "can_add": permitted(request.user, "meal_record", Action.ADD),
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_POST
def record_review_view(request, public_id):
    record = get_for_user(MealRecord.objects.select_related("site"), request.user, Action.CHANGE, public_id=public_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_record(
                record, form.cleaned_data["decision"], actor=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("The review is saved."))
        except ValidationError as exc:
            _messages(request, exc)
    return redirect("meals:records")


def _find_elder(user, text: str):
    """An elder of the user's area by meal card number or by full ID number (both matched by blind index)."""
    text = text.strip()
    if not text:
        return None
    elder = services.elder_by_card(text)
    if elder is None:
        from chuncheng.core.cipher import blind_index
        from chuncheng.elders.queries import normalise_id_text

        elder = Elder.objects.filter(id_number_index=blind_index(normalise_id_text(text), purpose="id_number")).first()
    if elder is None or not Elder.objects.for_user(user).filter(pk=elder.pk).exists():
        return None
    return elder


@login_required
@require_http_methods(["GET", "POST"])
def tablet_view(request):
    """Pick the site (GET), find the elder by card or ID number (POST ``q``: never in a URL or a log), confirm the
    slot, date and price (POST ``elder``)."""
    require_permission(request, "meal_record", Action.ADD)
    sites = queries.sites_for(request.user, "meal_record", Action.ADD)
    site = None
    code = request.POST.get("site") or request.GET.get("site")
    if code:
        site = sites.filter(code=code).first()
        if site is None:
            raise Http404
    elder = None
    form = TabletForm(initial={"served_on": today(), "slot": "lunch"})
    if request.method == "POST" and site is not None and "elder" in request.POST:
        form = TabletForm(request.POST)
        if form.is_valid():
            elder = get_for_user(Elder.objects.all(), request.user, public_id=form.cleaned_data["elder"])
            try:
                services.record_meal(elder, site, form.cleaned_data, actor=request.user)
                messages.success(request, _("The meal is recorded."))
                return redirect(f"{request.path}?site={site.code}")
            except ValidationError as exc:
                form_errors(form, exc)
    elif request.method == "POST" and site is not None:
        elder = _find_elder(request.user, request.POST.get("q", ""))
        if elder is None:
            messages.error(request, _("No elder of your area has this card or ID number."))
        else:
            form = TabletForm(initial={"elder": elder.public_id, "served_on": today(), "slot": "lunch"})
    return render(request, "meals/tablet.html", {"sites": sites, "site": site, "elder": elder, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def cards_view(request):
    require_permission(request, "meal_record", Action.ADD)
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        elder = _find_elder(request.user, form.cleaned_data["id_number"])
        if elder is None:
            form.add_error("id_number", _("No elder of your area has this ID number."))
        else:
            try:
                card = services.issue_card(elder, form.cleaned_data["number"], actor=request.user)
                messages.success(request, _("Card %(card)s is issued.") % {"card": card.number_masked})
                return redirect("meals:cards")
            except ValidationError as exc:
                form_errors(form, exc)
    from chuncheng.meals.models import MealCard

    cards = MealCard.objects.for_user(request.user).select_related("elder")[:100]
    return render(request, "meals/cards.html", {"form": form, "cards": cards})


@login_required
@require_http_methods(["GET", "POST"])
def settlements_view(request):
    require_permission(request, "meal_settlement")
    can_settle = permitted(request.user, "meal_settlement", Action.ADD)
    form = SettleForm(request.POST or None, initial={"month": f"{queries.last_month():%Y-%m}"})
    if request.method == "POST":
        if not can_settle:
            raise Http404
        if form.is_valid():
            try:
                month = services.parse_month(form.cleaned_data["month"])
                created = services.settle_month(
                    month, actor=request.user, sites=queries.sites_for(request.user, "meal_settlement", Action.ADD)
                )
                messages.success(request, _("%(n)d sites settled.") % {"n": len(created)})
                return redirect("meals:settlements")
            except ValidationError as exc:
                _messages(request, exc)
    qs = MealSettlement.objects.for_user(request.user).select_related("site").order_by("-month", "site__code")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "meals/settlements.html", {"page": page, "form": form, "can_settle": can_settle})


@login_required
@require_http_methods(["GET", "POST"])
def checks_view(request):
    require_permission(request, "food_check")
    can_add = permitted(request.user, "food_check", Action.ADD)
    sites = list(queries.sites_for(request.user, "food_check", Action.ADD)) if can_add else []
    form = CheckForm(request.POST or None, request.FILES or None, sites=sites)
    if request.method == "POST":
        if not can_add:
            raise Http404
        if form.is_valid():
            site = next(s for s in sites if s.code == form.cleaned_data["site"])
            try:
                services.record_check(site, form.cleaned_data, actor=request.user)
                messages.success(request, _("The check is recorded."))
                return redirect("meals:checks")
            except ValidationError as exc:
                form_errors(form, exc)
    qs = FoodSafetyCheck.objects.for_user(request.user).select_related("site")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "meals/checks.html", {"page": page, "form": form, "can_add": can_add})
