"""System checks that refuse an unsafe production start (security-checklist B1, F5, F9)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def production_safety(app_configs, **kwargs):
    errors = []
    if not settings.PRODUCTION:
        return errors
    if settings.DEBUG:
        errors.append(Error("DEBUG must be off in production", id="chuncheng.E001"))
    if not settings.REDIS_URL:
        errors.append(Error("production needs REDIS_URL (shared rate limits and the job queue)", id="chuncheng.E002"))
    try:
        from chuncheng.core.models import User

        if User.objects.filter(is_superuser=True).exists():
            errors.append(
                Error("a superuser exists; production uses the three administrator roles", id="chuncheng.E003")
            )
    except Exception:
        pass
    return errors
