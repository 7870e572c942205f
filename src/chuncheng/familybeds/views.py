"""Family-bed pages: the list with a month's compliance and the active-bed count per area, the create form, and the
detail (plan, adaptation with its form, status changes, compliance over the last six months)."""

from __future__ import annotations

from datetime import date

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
from chuncheng.familybeds import queries, rules, services
from chuncheng.familybeds.forms import AdaptationForm, BedForm
from chuncheng.familybeds.models import HomeCareBed
from chuncheng.homecare.choices import ServiceKind
from chuncheng.homecare.models import Provider
from chuncheng.institutions.models import Institution

PER_PAGE = 50


def _month(request) -> str:
    month = request.GET.get("month") or today().strftime("%Y-%m")
    try:
        rules.month_range(month)
    except ValueError:
        return today().strftime("%Y-%m")
    return month


def _months_back(day: date, n: int) -> list[str]:
    out, year, month = [], day.year, day.month
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


@login_required
def beds_view(request):
    require_permission(request, "familybed")
    month = _month(request)
    beds = queries.beds_for(request.user, request.GET)
    page = Paginator(queries.with_compliance(beds, month), PER_PAGE).get_page(request.GET.get("page"))
    for bed in page:
        bed.rate, bed.compliance = rules.compliance(bed.planned_visits, bed.verified)
    level = "township" if request.GET.get("level") == "township" else "county"
    return render(
        request,
        "familybeds/list.html",
        {
            "page": page,
            "month": month,
            "counts": queries.active_counts(HomeCareBed.objects.for_user(request.user), today(), level),
            "level": level,
            "can_add": permitted(request.user, "familybed", Action.ADD),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    require_permission(request, "familybed", Action.ADD)
    form = BedForm(request.POST or None, initial={"start_date": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        elder = Elder.objects.for_user(request.user).filter(public_id=data["elder"]).first()
        institution = Institution.objects.filter(public_id=data["institution"]).first() if data["institution"] else None
        provider = Provider.objects.filter(public_id=data["provider"]).first() if data["provider"] else None
        try:
            if elder is None:
                raise ValidationError({"elder": ValidationError(_("Elder not found."))})
            bed = services.setup_bed(
                elder,
                institution=institution,
                provider=provider,
                start_date=data["start_date"],
                end_date=data["end_date"],
                plan=form.plan(),
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The family care bed is set up."))
            return redirect("familybeds:detail", public_id=bed.public_id)
    return render(request, "familybeds/create.html", {"form": form}, status=422 if form.errors else 200)


def _bed(request, public_id, act=Action.VIEW) -> HomeCareBed:
    qs = HomeCareBed.objects.select_related("elder__org_unit", "institution", "provider")
    return get_for_user(qs, request.user, act, public_id=public_id)


@login_required
def bed_view(request, public_id, form=None):
    require_permission(request, "familybed")
    bed = _bed(request, public_id)
    adaptation = getattr(bed, "adaptation", None)
    items = rules.adaptation_items()
    if form is None:
        initial = (
            {"items": adaptation.items, "cost": adaptation.cost, "subsidy": adaptation.subsidy} if adaptation else {}
        )
        if adaptation:
            initial["completed_on"] = adaptation.completed_on
        form = AdaptationForm(initial=initial)
    return render(
        request,
        "familybeds/detail.html",
        {
            "bed": bed,
            "adaptation": adaptation,
            "adaptation_items": [items.get(code, code) for code in adaptation.items] if adaptation else [],
            "plan": [(ServiceKind(e["kind"]).label, e["visits_per_month"]) for e in bed.plan],
            "history": queries.compliance_history(bed, _months_back(today(), 6)),
            "form": form,
            "cap": rules.subsidy_cap(),
            "can_change": permitted(request.user, "familybed", Action.CHANGE),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def adaptation_view(request, public_id):
    require_permission(request, "familybed", Action.CHANGE)
    bed = _bed(request, public_id, Action.CHANGE)
    form = AdaptationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_adaptation(
                bed,
                items=data["items"],
                cost=data["cost"],
                subsidy=data["subsidy"],
                completed_on=data["completed_on"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The home adaptation is recorded."))
            return redirect("familybeds:detail", public_id=bed.public_id)
    return bed_view(request, public_id, form=form)


@login_required
@require_POST
def status_view(request, public_id):
    require_permission(request, "familybed", Action.CHANGE)
    bed = _bed(request, public_id, Action.CHANGE)
    try:
        services.change_status(bed, request.POST.get("status", ""), on=today(), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ValueError as exc:
        raise Http404 from exc
    else:
        messages.success(request, _("The bed is updated."))
    return redirect("familybeds:detail", public_id=bed.public_id)
