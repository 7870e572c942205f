"""Request context, idle timeout, the first-login gates, and the security headers."""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from chuncheng.core import context
from chuncheng.core.accounts import password_expired
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.roles import ADMIN_ROLES

# Requests that poll in the background (HTMX refreshes, the big screen) send this header and do not count as
# activity, so a screen left open does not keep a session alive (security-checklist A3).
POLL_HEADER = "HTTP_X_CHUNCHENG_POLL"
_LAST_SEEN = "_last_seen"
_STARTED = "_started"


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = context.set_current(context.RequestContext(request_id=request.request_id, ip=_client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def start_session_clock(request) -> None:
    """Called right after login(): the idle and absolute clocks start at login, not at the next request."""
    now = time.time()
    request.session[_LAST_SEEN] = now
    request.session[_STARTED] = now


class SessionIdleTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_TIMEOUT or older than SESSION_COOKIE_AGE (absolute).

    Polling requests do not refresh the idle clock. Django's own expiry date moves with every save of the session,
    so the absolute lifetime is kept here from the login time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and _uses_session(request):
            now = time.time()
            last = request.session.get(_LAST_SEEN)
            started = request.session.get(_STARTED)
            idle = last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = started is not None and now - started > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                from chuncheng.core.audit import security_event

                security_event(
                    SecurityEventKind.SESSION_TIMEOUT,
                    user=user,
                    path=request.path,
                    reason="idle" if idle else "absolute",
                )
                logout(request)
                if _is_api(request):
                    return JsonResponse(
                        {"code": "session_expired", "message": _("Your session has expired; please log in again.")},
                        status=401,
                    )
                return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?expired=1")
            if request.META.get(POLL_HEADER) != "1" or last is None:
                request.session[_LAST_SEEN] = now
            if started is None:
                request.session[_STARTED] = now
        return self.get_response(request)


def _uses_session(request) -> bool:
    # Token-authenticated API calls carry no session cookie; DRF authenticates them later.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class AccountGateMiddleware:
    """Before anything else: a created account changes its password, an administrator enrols/verifies TOTP."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/logout/", "/accounts/otp/")
    # Only the forced change comes before the second factor; any other password change needs a verified admin.
    PASSWORD_PREFIX = "/accounts/password/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and _uses_session(request)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            if user.must_change_password or password_expired(user):
                if request.path.startswith(self.PASSWORD_PREFIX):
                    return self.get_response(request)
                return self._gate(
                    request,
                    "core:password_change",
                    "password_change_required",
                    _("You must change your password before continuing."),
                )
            if user.role in ADMIN_ROLES and not user.is_verified():
                return self._gate(
                    request,
                    "core:otp",
                    "otp_required",
                    _("Administrators must verify their second factor (TOTP) first."),
                )
        return self.get_response(request)

    @staticmethod
    def _gate(request, url_name: str, code: str, message: str):
        if _is_api(request):
            return JsonResponse({"code": code, "message": message}, status=403)
        return HttpResponseRedirect(reverse(url_name))


class SecurityHeadersMiddleware:
    """CSP without unsafe-inline (every script and style is a vendored or own static file), and related headers."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/docs/"):
            # The vendored Swagger UI page needs its own inline bootstrap script.
            response.setdefault(
                "Content-Security-Policy",
                self.CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        else:
            response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response
