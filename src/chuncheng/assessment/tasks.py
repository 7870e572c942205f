"""Background jobs of capability assessment (huey). Task arguments are ids, never personal data (checklist F10).

Every night the routine reassessment of each elder whose signed-off level has expired is requested "automatically,
when due" (channel ``automatic``), under the account named by ``CHUNCHENG_DUE_ASSESSMENT_ACTOR``: a city official,
so the whole city is in scope and the audit trail names who the requests are made for. Without that account the
job requests nothing and says so in the log.
"""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from chuncheng.assessment import services
from chuncheng.core.models import User
from chuncheng.core.roles import Role

logger = logging.getLogger(__name__)


def job_actor() -> User | None:
    """The active city official the job acts as, or ``None`` when none is configured."""
    username = getattr(settings, "DUE_ASSESSMENT_ACTOR", "")
    if not username:
        return None
    return User.objects.filter(username=username, is_active=True, role=Role.CITY_OFFICIAL).first()


def request_due(today: date | None = None) -> int:
    """Request every reassessment that is due; return how many were requested."""
    actor = job_actor()
    if actor is None:
        logger.warning("Due reassessments not requested: CHUNCHENG_DUE_ASSESSMENT_ACTOR names no active city official.")
        return 0
    requested = services.request_due_assessments(actor=actor, today=today)
    logger.info("Requested %d due reassessments.", len(requested))
    return len(requested)


@db_periodic_task(crontab(hour="3", minute="0"))
def nightly_due_assessments():
    return request_due()
