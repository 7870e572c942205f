"""Background jobs of the core (huey). Task arguments are ids, never personal data (security-checklist F10)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chuncheng.core import audit
from chuncheng.core.models import AuditAction, User

DORMANT_AFTER = timedelta(days=90)


def deactivate_dormant_accounts(now=None) -> int:
    """Disable accounts unused for 90 days (22239 §8.1.4.2, checklist B1). Returns how many were disabled."""
    now = now or timezone.now()
    cutoff = now - DORMANT_AFTER
    dormant = User.objects.filter(is_active=True, last_login__lt=cutoff) | User.objects.filter(
        is_active=True, last_login__isnull=True, date_joined__lt=cutoff
    )
    usernames = list(dormant.values_list("username", flat=True))
    count = User.objects.filter(username__in=usernames).update(is_active=False)
    if count:
        audit.record_bulk(
            None,
            AuditAction.BULK_UPDATE,
            User,
            count,
            {"is_active": [True, False], "reason": "dormant_90_days", "usernames": usernames[:100]},
        )
    return count


@db_periodic_task(crontab(hour="2", minute="15"))
def nightly_account_review():
    return deactivate_dormant_accounts()
