"""Background jobs of the benefits module (huey). Arguments are ids only.

huey runs a task at most once, so a batch's state lives in ``PaymentBatch``; a run that died (worker killed, machine
restarted) is resumed by the next ``run_batch`` — the next click, CLI call, or the periodic reaper below.
"""

from __future__ import annotations

import contextlib

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from chuncheng.benefits import batches
from chuncheng.benefits.rules import QuoteError


def run_batch_now(batch_id: int, user_id: int | None = None) -> None:
    from chuncheng.core.models import User

    actor = User.objects.filter(pk=user_id).first() if user_id else None
    # A refusal (running elsewhere, locked) is visible on the batch page.
    with contextlib.suppress(QuoteError):
        batches.run_batch(batch_id, actor=actor)


@db_task()
def run_batch_task(batch_id: int, user_id: int | None = None) -> None:
    run_batch_now(batch_id, user_id)


@db_periodic_task(crontab(minute="*/10"))
def resume_stale_batches() -> None:
    for batch_id in batches.stale_batches():
        run_batch_now(batch_id)
