"""Pages of the core: login and its gates, home, the org tree, and the three administrators' pages."""

from __future__ import annotations

import base64
import io
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from chuncheng.core import accounts, audit, orgunits
from chuncheng.core.auth import bad_credentials_message
from chuncheng.core.forms import LoginForm, OtpForm, PasswordChangeForm, RoleForm, UserCreateForm, org_unit_by_code
from chuncheng.core.middleware import start_session_clock
from chuncheng.core.models import AccessLog, AuditEntry, OrgUnit, SecurityEvent, SecurityEventKind, User
from chuncheng.core.roles import ADMIN_ROLES, Action, capable
from chuncheng.core.scope import get_for_user, permitted


def _throttled(request) -> bool:
    """Per-address login rate: a second layer over the per-username lock-out (parallel bursts, checklist A2)."""
    key = f"login-rate:{request.META.get('REMOTE_ADDR', '')}:{int(timezone.now().timestamp() // 60)}"
    count = cache.get_or_set(key, 0, 70)
    cache.incr(key)
    return count >= settings.LOGIN_RATE_PER_MINUTE


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.GET.get("expired"):
        error = _("Your session has expired; please log in again.")
    if request.method == "POST":
        if _throttled(request):
            error, status = _("Too many requests; please wait and try again."), 429
        elif form.is_valid():
            user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
            if user is not None and user.is_active:
                login(request, user)
                start_session_clock(request)
                return redirect(_safe_next(request) or "core:home")
            error, status = bad_credentials_message(), 200
        else:
            error = bad_credentials_message()
    return render(request, "core/login.html", {"form": form, "error": error}, status=status)


def _safe_next(request) -> str | None:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@require_POST
def logout_view(request):
    logout(request)  # flushes the server-side session (checklist D7)
    return redirect("core:login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", _("The current password is wrong."))
        else:
            try:
                accounts.change_password(request.user, form.cleaned_data["new_password"])
            except ValidationError as exc:
                form.add_error("new_password", exc)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your password has been changed."))
                return redirect("core:home")
    return render(request, "core/password_change.html", {"form": form, "forced": request.user.must_change_password})


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_view(request):
    """Administrators enrol a TOTP device at first login, then verify it at every login."""
    user = request.user
    if user.role not in ADMIN_ROLES:
        raise Http404
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="TOTP", confirmed=False
        )
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.security_event(SecurityEventKind.OTP_ENROLLED, user=user)
            otp_login(request, device)
            return redirect("core:home")
        audit.security_event(SecurityEventKind.OTP_FAILED, user=user)
        form.add_error("token", _("The code is wrong or has already been used."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "core/otp.html", context)


@login_required
def home_view(request):
    return render(
        request,
        "core/home.html",
        {
            "scope_unit": request.user.org_unit,
            "institution": request.user.institution,
            "provider": request.user.provider,
        },
    )


def _parse_day(raw: str | None) -> date:
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return timezone.localdate()


@login_required
def orgunit_list_view(request):
    """The tree from the top of the user's area; with ?q= a search by name or code inside it."""
    units = OrgUnit.objects.for_user(request.user)
    query = request.GET.get("q", "").strip()
    day = _parse_day(request.GET.get("date"))
    if query:
        results = units.filter(Q(name__icontains=query) | Q(code__startswith=query)).select_related("parent")[:200]
        return render(request, "core/orgunit_search.html", {"results": results, "q": query, "day": day})
    top = units.order_by("code").first()
    if top is None:
        raise Http404
    return redirect("core:orgunit_detail", code=top.code)


@login_required
def orgunit_detail_view(request, code: str):
    units = OrgUnit.objects.for_user(request.user)
    unit = get_for_user(OrgUnit.objects.select_related("parent"), request.user, code=code)
    day = _parse_day(request.GET.get("date"))
    children = orgunits.tree_on(day, unit, units)
    visible_ancestors = [a for a in orgunits.ancestors(unit) if units.filter(pk=a.pk).exists()]
    return render(
        request,
        "core/orgunit_detail.html",
        {
            "unit": unit,
            "children": children,
            "day": day,
            "ancestors": visible_ancestors,
            "successors": unit.successors.all(),
            "predecessors": unit.predecessors.all(),
            "today": timezone.localdate(),
        },
    )


# ---- the three administrators ---------------------------------------------------------------------------------


def _require_capability(request, capability: str) -> None:
    if not request.user.is_authenticated or not capable(request.user.role, capability):
        audit.security_event(
            SecurityEventKind.ACCESS_DENIED,
            user=request.user if request.user.is_authenticated else None,
            path=request.path,
        )
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def user_list_view(request):
    if not (capable(request.user.role, "manage_accounts") or capable(request.user.role, "assign_roles")):
        _require_capability(request, "manage_accounts")
    form = UserCreateForm(request.POST or None)
    created_password = None
    if request.method == "POST":
        _require_capability(request, "manage_accounts")
        if form.is_valid():
            from chuncheng.institutions.models import Institution

            data = form.cleaned_data
            institution = (
                Institution.objects.filter(uscc=data["institution_uscc"].strip().upper()).first()
                if data["institution_uscc"]
                else None
            )
            try:
                user, created_password = accounts.create_user(
                    data["username"],
                    data["role"],
                    org_unit=org_unit_by_code(data["org_unit"]),
                    institution=institution,
                    provider=_provider_by_uscc(data["provider_uscc"]),
                    name=data["name"],
                    actor=request.user,
                )
                messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            except ValidationError as exc:
                form_errors(form, exc)
    page = Paginator(
        User.objects.select_related("org_unit", "institution", "provider").order_by("username"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "core/users.html", {"form": form, "page": page, "created_password": created_password})


def _provider_by_uscc(code: str):
    """The home-service provider of a credit code typed on the account forms; a code that names none is refused."""
    code = (code or "").strip().upper()
    if not code:
        return None
    from chuncheng.homecare.models import Provider

    provider = Provider.objects.filter(uscc=code).first()
    if provider is None:
        raise ValidationError(
            {"provider_uscc": ValidationError(_("No service provider has this credit code."), code="provider_unknown")}
        )
    return provider


def form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@require_http_methods(["GET", "POST"])
def user_role_view(request, public_id):
    _require_capability(request, "assign_roles")
    try:
        target = User.objects.get(public_id=public_id)
    except (User.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    form = RoleForm(
        request.POST or None,
        initial={
            "role": target.role,
            "org_unit": target.org_unit.code if target.org_unit else "",
            "provider_uscc": target.provider.uscc if target.provider_id else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        from chuncheng.institutions.models import Institution

        data = form.cleaned_data
        institution = (
            Institution.objects.filter(uscc=data["institution_uscc"].strip().upper()).first()
            if data["institution_uscc"]
            else None
        )
        try:
            accounts.assign_role(
                target,
                data["role"],
                org_unit=org_unit_by_code(data["org_unit"]),
                institution=institution,
                provider=_provider_by_uscc(data["provider_uscc"]),
                actor=request.user,
            )
            messages.success(request, _("Role changed."))
            return redirect("core:users")
        except ValidationError as exc:
            form_errors(form, exc)
    return render(request, "core/user_role.html", {"form": form, "target": target})


@login_required
@require_POST
def user_unlock_view(request, public_id):
    _require_capability(request, "unlock_accounts")
    try:
        target = User.objects.get(public_id=public_id)
    except (User.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    accounts.unlock(target.username, actor=request.user)
    messages.success(request, _("Lock-out lifted."))
    return redirect("core:users")


@login_required
def audit_view(request):
    """The audit administrator's search over changes, security events and reads of personal data."""
    _require_capability(request, "search_audit")
    tab = request.GET.get("tab", "changes")
    q = request.GET.get("q", "").strip()
    if tab == "security":
        rows = SecurityEvent.objects.all()
        if q:
            rows = rows.filter(Q(username__icontains=q) | Q(kind__icontains=q) | Q(path__icontains=q))
    elif tab == "access":
        rows = AccessLog.objects.select_related("user")
        if q:
            rows = rows.filter(Q(user__username__icontains=q) | Q(model__icontains=q) | Q(object_id=q))
    else:
        tab = "changes"
        rows = AuditEntry.objects.all()
        if q:
            rows = rows.filter(
                Q(actor_username__icontains=q) | Q(model__icontains=q) | Q(object_id=q) | Q(object_repr__icontains=q)
            )
    for key in ("since", "until"):
        raw = request.GET.get(key)
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                continue
            rows = rows.filter(at__date__gte=day) if key == "since" else rows.filter(at__date__lte=day)
    audit.security_event(SecurityEventKind.AUDIT_SEARCH, user=request.user, tab=tab, q=q[:50])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "tab": tab, "q": q})


@login_required
def security_events_view(request):
    _require_capability(request, "view_security_events")
    page = Paginator(SecurityEvent.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "core/security_events.html", {"page": page})


def history_for(model_label: str, object_id: str):
    """The audit history of one record, newest first (every detail page shows it)."""
    return AuditEntry.objects.filter(model=model_label, object_id=object_id).order_by("-at", "-id")[:100]


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def require_permission(request, resource: str, action: str = Action.VIEW) -> None:
    if not permitted(request.user, resource, action):
        audit.security_event(SecurityEventKind.ACCESS_DENIED, user=request.user, path=request.path, action=action)
        raise Http404
