"""The demo's home services: verified visits through the module's services, anomalies only where planted."""

from __future__ import annotations

from datetime import date

import pytest

from chuncheng.demo import city
from chuncheng.demo.homecare import build_homecare
from chuncheng.homecare import services
from chuncheng.homecare.models import Provider, Visit, VisitFlag

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


def test_demo_visits_are_verified_and_flagged_only_where_planted(org_tree):
    city.build("small", seed=2021, today=TODAY)
    services.load_catalogue()
    made = build_homecare(TODAY)
    assert made == {"providers": 2, "visits": Visit.objects.count(), "settlements": 2}
    assert made["visits"] == 2 * 2 * 4 * 8
    rules = set(VisitFlag.objects.values_list("rule", flat=True))
    assert rules == {"too_short", "out_of_place", "unconfirmed"}
    flagged = VisitFlag.objects.values("visit").distinct().count()
    assert 0 < flagged < made["visits"] // 4  # a realistic few
    assert Provider.objects.count() == 2
    assert build_homecare(TODAY) == {"providers": 0, "visits": 0, "settlements": 0}  # idempotent


def test_demo_provider_accounts_come_once_the_providers_exist(org_tree):
    from chuncheng.core.models import User
    from chuncheng.demo.users import create_demo_users
    from chuncheng.homecare.models import Caregiver, ProviderSettlement

    city.build("small", seed=2021, today=TODAY)
    services.load_catalogue()
    before = {name for name, _role, _pw in create_demo_users(None)}
    assert not {"provider", "caregiver"} & before  # no demo provider yet: skipped, made by a later run
    build_homecare(TODAY)
    made = {name for name, _role, _pw in create_demo_users(None)}
    assert made == {"provider", "caregiver"}
    provider = Provider.objects.order_by("pk").first()
    assert User.objects.get(username="provider").provider_id == provider.pk
    carer = User.objects.get(username="caregiver")
    assert (carer.role, carer.provider_id) == ("caregiver", provider.pk)
    assert Caregiver.objects.get(user=carer).provider_id == provider.pk
    settled = ProviderSettlement.objects.all()
    assert settled.count() == 2 and {s.status for s in settled} == {"approved"}
    assert {str(s.month) for s in settled} == {"2026-09-01"}
