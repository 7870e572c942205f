"""Background jobs of home care (huey): the schedule scan every 15 minutes.

The scan is idempotent (``ON CONFLICT DO NOTHING``), so a run that overlaps or repeats another adds nothing twice.
Yesterday is scanned too, so that missed visits of the day that just ended are raised after midnight."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def scan_recent_schedules() -> dict[str, dict[str, int]]:
    from chuncheng.elders.queries import today
    from chuncheng.homecare import services

    day = today()
    return {str(d): services.scan_schedule(d) for d in (day - timedelta(days=1), day)}


@db_periodic_task(crontab(minute="*/15"))
def scan_schedule_task() -> None:
    scan_recent_schedules()
