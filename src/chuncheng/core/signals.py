"""Security events for Django's auth signals (the services log the rest themselves)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.security_event(SecurityEventKind.LOGIN_OK, user=user, path=getattr(request, "path", ""))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.security_event(SecurityEventKind.LOGOUT, user=user, path=getattr(request, "path", ""))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.security_event(
        SecurityEventKind.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        path=getattr(request, "path", "") if request is not None else "",
    )
