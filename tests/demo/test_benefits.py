"""The demo's benefits: a year of batches (maker–checker, the latest awaiting review) and a year of applications."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from chuncheng.benefits.models import Application, ApplicationDecision, Entitlement, LedgerEntry, PaymentBatch
from chuncheng.benefits.policy import load_policy
from chuncheng.demo import city
from chuncheng.demo.benefits import build_applications, build_batches, months_before

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


@pytest.fixture
def demo_city(org_tree):
    load_policy()
    city.build("small", seed=2021, today=TODAY)


def test_months_before_crosses_the_year():
    assert months_before(date(2026, 2, 17), 3) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_a_year_of_batches_approved_by_another_account_the_latest_awaiting_review(demo_city):
    counts = build_batches(TODAY, ["P1_longevity_allowance"])
    batches = list(PaymentBatch.objects.order_by("period"))
    assert counts["batches"] == 12 and [b.period for b in batches] == months_before(TODAY, 12)
    assert [b.status for b in batches] == ["locked"] * 11 + ["computed"]
    assert all(b.approved_by_id and b.approved_by_id != b.run_by_id for b in batches[:-1])
    # The ledger holds the approved months, to the cent; the month under review has entitlements but no ledger.
    approved = Entitlement.objects.exclude(batch=batches[-1]).filter(status="payable").aggregate(s=Sum("amount"))["s"]
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == approved
    assert not LedgerEntry.objects.filter(batch=batches[-1]).exists()
    assert build_batches(TODAY, ["P1_longevity_allowance"])["batches"] == 0  # idempotent


def test_a_year_of_applications_decided_level_by_level(demo_city):
    made = build_applications(TODAY, limit=6)
    assert made == 6
    apps = list(Application.objects.order_by("applied_on"))
    assert [a.applied_on for a in apps] == [d.replace(day=10) for d in months_before(TODAY, 6)]
    statuses = [a.status for a in apps]
    assert statuses == ["approved", "approved", "rejected", "approved", "approved", "submitted"]
    returned = ApplicationDecision.objects.filter(application=apps[1]).values_list("action", flat=True)
    assert list(returned) == ["return", "approve", "approve"]
    # Nobody decided their own application; every approved one is frozen with its version and in the ledger.
    for a in apps:
        assert not ApplicationDecision.objects.filter(application=a, decided_by=a.created_by).exists()
    for a in apps:
        if a.status == "approved":
            assert a.amount > 0 and a.policy_version_id
            assert LedgerEntry.objects.get(kind="application", beneficiary_id=a.facility_id).amount == a.amount
    assert build_applications(TODAY) == 0  # idempotent
