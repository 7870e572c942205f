"""Background job of monitoring (huey): the nightly snapshot of every computed indicator for every area."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chuncheng.monitoring import services


def snapshot_today() -> dict[str, object]:
    """Idempotent: the day's snapshots are replaced, so a retry or a second run leaves the same rows."""
    if services.current_catalogue() is None:
        services.load_catalogue()
    return services.take_snapshot(timezone.localdate())


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_indicator_snapshot():
    return snapshot_today()
