"""The nightly job requests the reassessments that are due, as the configured city official."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
import time_machine

from chuncheng.assessment import services
from chuncheng.assessment.models import Assessment
from chuncheng.assessment.tasks import nightly_due_assessments

pytestmark = pytest.mark.django_db


def test_the_periodic_task_requests_due_reassessments(personas, registry, submitted, settings):
    signed = services.review(submitted, actor=personas.wuhua, approve=True, today=date(2025, 1, 10))
    settings.DUE_ASSESSMENT_ACTOR = personas.city.username
    noon = dt.datetime.combine(signed.valid_until, dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(noon - dt.timedelta(days=1), tick=False):
        assert nightly_due_assessments.call_local() == 0
    with time_machine.travel(noon, tick=False):
        assert nightly_due_assessments.call_local() == 1
        assert nightly_due_assessments.call_local() == 0  # the open request is not requested twice
    new = Assessment.objects.get(elder=registry.wuhua, status="requested")
    assert (new.reason, new.channel, new.requested_by_id) == ("routine", "automatic", personas.city.pk)


def test_without_a_configured_actor_the_task_requests_nothing(personas, registry, submitted, settings):
    services.review(submitted, actor=personas.wuhua, approve=True, today=date(2020, 1, 10))
    settings.DUE_ASSESSMENT_ACTOR = ""
    assert nightly_due_assessments.call_local() == 0
    settings.DUE_ASSESSMENT_ACTOR = personas.community.username  # not a city official
    assert nightly_due_assessments.call_local() == 0
    assert not Assessment.objects.filter(status="requested").exists()
