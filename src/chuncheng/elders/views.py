"""Elder pages: list with filters and export, ID search (posted), detail with history and the logged ID reveal,
register, edit, death, moving away, contacts. No personal data in URLs: records are named by UUID, and an ID number
is only ever posted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuncheng.assessment import queries as assessment_queries
from chuncheng.core import audit
from chuncheng.core.masking import mask_address
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import form_errors, history_for, require_permission
from chuncheng.elders import queries, services
from chuncheng.elders.choices import CapabilityLevel, Category, ElderStatus
from chuncheng.elders.exports import export_response
from chuncheng.elders.forms import ContactForm, DateForm, ElderForm, IdSearchForm, RevealForm
from chuncheng.elders.models import Elder, ElderContact
from chuncheng.welfare import queries as welfare_queries

PER_PAGE = 50
# What the detail page shows of a person (written to the access log on every view).
DETAIL_FIELDS = [
    "name",
    "sex",
    "age",
    "id_number_masked",
    "phone_masked",
    "address_masked",
    "org_unit",
    "categories",
    "capability_level",
    "status",
    "contacts",
    "stays",
]


def _elder(request, public_id, action: str = Action.VIEW) -> Elder:
    return get_for_user(Elder.objects.select_related("org_unit"), request.user, action, public_id=public_id)


def _id_in_url(request) -> HttpResponseRedirect | None:
    """An ID number typed into the name box arrives in the query string: answer with a redirect to the same list
    without it (so the page, its pager and export links never carry it on), and a pointer to the ID search."""
    if not queries.looks_like_id_number(request.GET.get("q", "")):
        return None
    params = request.GET.copy()
    params.pop("q")
    messages.warning(request, _("Search by ID number with the ID number search box: it is not kept in the URL."))
    return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)


def _list_params(request):
    """The list filters of the query string, without the page number (for pager and export links)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params


def _list_context(request, page, params, **extra):
    return {
        "page": page,
        "rows": page.object_list if page is not None else [],
        "searched": page is None,
        "params": params.urlencode(),
        "categories": Category.choices,
        "levels": CapabilityLevel.choices,
        "statuses": [*ElderStatus.choices, (queries.STATUS_ALL, _("All statuses"))],
        "search_form": IdSearchForm(),
        "can_add": permitted(request.user, "elder", Action.ADD) and not request.user.institution_id,
        "can_export": permitted(request.user, "elder", Action.EXPORT),
        **extra,
    }


@login_required
def list_view(request):
    require_permission(request, "elder")
    if redirect_to := _id_in_url(request):
        return redirect_to
    params = _list_params(request)
    qs = queries.elder_list(request.user, params)
    page = queries.CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "elders/list.html", _list_context(request, page, params))


@login_required
@require_POST
def search_view(request):
    """Search by full ID number, in any status. The results are this POST's response; nothing is kept."""
    require_permission(request, "elder")
    form = IdSearchForm(request.POST)
    results = []
    if form.is_valid():
        criteria = {"q": form.cleaned_data["id_number"], "status": queries.STATUS_ALL}
        results = list(queries.elder_list(request.user, criteria)[:10])
    # The form is not echoed back: the number must not sit in the page either.
    return render(request, "elders/list.html", _list_context(request, None, request.GET.copy(), rows=results))


@login_required
def export_view(request):
    require_permission(request, "elder", Action.EXPORT)
    if redirect_to := _id_in_url(request):
        return redirect_to
    params = _list_params(request)
    qs = queries.elder_list(request.user, params, Action.EXPORT)
    audit.security_event(
        SecurityEventKind.EXPORT,
        user=request.user,
        path=request.path,
        data_kind="elders",
        rows=qs.count(),
        unmasked=False,
    )
    return export_response(qs, request.GET.get("format", "csv"))


def _coarse(value):
    """A coordinate to about a kilometre (two decimals): enough to place a change, not a home."""
    try:
        return f"{float(value):.2f}…"
    except (TypeError, ValueError):
        return value


def _contact_text(state):
    """A contact's recorded state as one readable line ("name: 王强, relation: child, …")."""
    if not isinstance(state, dict):
        return state
    return ", ".join(f"{key}: {value}" for key, value in state.items() if key != "public_id")


# How the history shows values the detail page masks (the audit log itself keeps them, for the audit administrator).
HISTORY_MASKS = {"address": mask_address, "lat": _coarse, "lng": _coarse, "contact": _contact_text}


def masked_history(elder: Elder) -> list[dict]:
    rows = []
    for entry in history_for("elders.elder", str(elder.public_id)):
        changes = {
            field: [HISTORY_MASKS[field](v) if v not in (None, "") else v for v in pair]
            if field in HISTORY_MASKS
            else pair
            for field, pair in entry.changes.items()
        }
        rows.append(
            {
                "at": entry.at,
                "actor_username": entry.actor_username,
                "action": entry.get_action_display(),
                "changes": changes,
            }
        )
    return rows


def _detail_context(request, elder: Elder, **extra):
    can_change = Elder.objects.for_user(request.user, Action.CHANGE).filter(pk=elder.pk).exists()
    assessment = assessment_queries.elder_summary(request.user, elder)
    return {
        "elder": elder,
        "age": queries.age(elder.birth_date),
        "advanced_age": queries.is_advanced_age(elder.birth_date),
        "category_labels": [Category(c).label for c in elder.categories],
        "contacts": list(elder.contacts.order_by("-is_guardian", "name")),
        # Stays come through the reverse relation's scoped queryset, so this app imports nothing from institutions.
        "stays": elder.admissions.for_user(request.user).select_related("institution").order_by("-admitted_on"),
        "history": masked_history(elder),
        "can_change": can_change,
        "can_change_status": can_change and elder.status == ElderStatus.ACTIVE,
        "reveal_form": RevealForm(),
        # The capability level's validity and report, and "what is this person entitled to under the list, and why".
        "assessment": assessment,
        "can_request_assessment": assessment is not None
        and assessment["open"] is None
        and elder.status == ElderStatus.ACTIVE
        and permitted(request.user, "assessment", Action.ADD),
        "welfare": welfare_queries.elder_section(request.user, elder),
        **extra,
    }


@login_required
def detail_view(request, public_id):
    elder = _elder(request, public_id)
    audit.access(request.user, elder, fields=DETAIL_FIELDS, purpose="view")
    return render(request, "elders/detail.html", _detail_context(request, elder))


@login_required
@require_POST
def reveal_view(request, public_id):
    """Show the full ID number once, in this POST's response (never stored in the session or a URL)."""
    elder = _elder(request, public_id)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = services.reveal_id_number(elder, actor=request.user, purpose=form.cleaned_data["purpose"])
        except ValidationError as exc:
            form_errors(form, exc)
    audit.access(request.user, elder, fields=DETAIL_FIELDS, purpose="view")
    return render(
        request,
        "elders/detail.html",
        _detail_context(request, elder, revealed=revealed, reveal_form=form if revealed is None else RevealForm()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_view(request):
    require_permission(request, "elder", Action.ADD)
    form = ElderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            elder = services.register_elder(form.service_data(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Elder registered."))
            return redirect("elders:detail", public_id=elder.public_id)
    return render(request, "elders/form.html", {"form": form, "title": _("Register an elder")})


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request, public_id):
    elder = _elder(request, public_id, Action.CHANGE)
    form = ElderForm(request.POST or None, elder=elder)
    if request.method == "GET":
        # The edit form shows the full address (the detail page masks it).
        audit.access(request.user, elder, fields=["address"], purpose="edit")
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            services.update_elder(
                elder, data, actor=request.user, allow_under_60=bool(form.cleaned_data.get("allow_under_60"))
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("elders:detail", public_id=elder.public_id)
    return render(request, "elders/form.html", {"form": form, "elder": elder, "title": elder.name})


def _status_view(request, public_id, *, service, label, title, done):
    elder = _elder(request, public_id, Action.CHANGE)
    form = DateForm(request.POST or None, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            service(elder, form.cleaned_data["day"], actor=request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({"day": [e for errors in exc.error_dict.values() for e in errors]})
            form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("elders:detail", public_id=elder.public_id)
    return render(request, "elders/form.html", {"form": form, "elder": elder, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def death_view(request, public_id):
    return _status_view(
        request,
        public_id,
        service=services.record_death,
        label=_("date of death"),
        title=_("Record a death"),
        done=_("The death is recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def move_view(request, public_id):
    return _status_view(
        request,
        public_id,
        service=services.record_move_away,
        label=_("date moved away"),
        title=_("Record moving away"),
        done=_("The move is recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_add_view(request, public_id):
    elder = _elder(request, public_id, Action.CHANGE)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contact(elder, form.service_data(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect("elders:detail", public_id=elder.public_id)
    return render(request, "elders/form.html", {"form": form, "elder": elder, "title": _("Add a contact")})


def _contact(request, public_id, contact_id) -> ElderContact:
    """A contact of an elder the user may change (the elder is fetched through the scope, the contact from it)."""
    elder = _elder(request, public_id, Action.CHANGE)
    contact = elder.contacts.filter(public_id=contact_id).first()
    if contact is None:
        raise Http404
    contact.elder = elder
    return contact


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit_view(request, public_id, contact_id):
    contact = _contact(request, public_id, contact_id)
    form = ContactForm(request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(contact, form.service_data(), actor=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("elders:detail", public_id=public_id)
    return render(request, "elders/form.html", {"form": form, "elder": contact.elder, "title": _("Edit a contact")})


@login_required
@require_POST
def contact_remove_view(request, public_id, contact_id):
    contact = _contact(request, public_id, contact_id)
    services.remove_contact(contact, actor=request.user)
    messages.success(request, _("Contact removed."))
    return redirect("elders:detail", public_id=public_id)
