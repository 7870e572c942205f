"""The demo's time bank and alarms: made through the services, balanced, and with a month of response times."""

from __future__ import annotations

from datetime import date

import pytest

from chuncheng.alarms.models import Alarm
from chuncheng.demo import city
from chuncheng.demo.community import build_alarms, build_timebank
from chuncheng.timebank import queries as timebank_queries
from chuncheng.timebank.models import VolunteerService

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def test_demo_time_bank_and_alarms(org_tree):
    city.build("small", seed=2021, today=TODAY)
    confirmed = build_timebank(TODAY)
    assert confirmed == VolunteerService.objects.filter(status="confirmed").count() > 0
    assert VolunteerService.objects.filter(status="recorded").count() == 1
    assert all(not offending for offending in timebank_queries.ledger_check().values())  # double entry holds
    received = build_alarms(TODAY)
    assert received == Alarm.objects.count() == 24
    assert Alarm.objects.filter(status="closed").count() == 21
    for alarm in Alarm.objects.filter(status="closed"):
        assert alarm.received_at < alarm.acknowledged_at < alarm.closed_at
    assert (build_timebank(TODAY), build_alarms(TODAY)) == (0, 0)  # idempotent
