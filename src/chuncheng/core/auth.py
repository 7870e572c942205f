"""Login, lock-out and token rules shared by the login page and the API token endpoint."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind


# One message for every failure, whether or not the account exists (security-checklist A2).
def bad_credentials_message() -> str:
    return _("Wrong username or password.")


def locked_message() -> str:
    return _("Too many failed attempts. Login is locked for 15 minutes.")


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs) -> HttpResponse:
    """Called by django-axes when a locked-out username tries again (AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username", "") if isinstance(credentials, dict) else ""
    audit.security_event(SecurityEventKind.LOCKOUT, username=username, path=request.path)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "account_locked", "message": locked_message()}, status=403)
    html = render_to_string("core/login.html", {"error": locked_message(), "locked": True}, request=request)
    return HttpResponse(html, status=403)
