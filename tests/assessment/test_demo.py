"""The demo assessments: built set-based on the small demo city, every stored level is the pure function's result and
the elder's level, deterministic for the seed, and idempotent."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.assessment.health import open_answers
from chuncheng.assessment.models import Assessment, AssessmentAgency, Assessor
from chuncheng.assessment.scoring import load_standard, score
from chuncheng.core.models import AuditEntry, User
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


@pytest.fixture
def demo_city(org_tree):
    from chuncheng.demo import city

    city.build("small", seed=7)


def test_demo_assessments(demo_city):
    from chuncheng.demo.assessments import build_assessments
    from chuncheng.demo.city import COUNTY_WEIGHTS

    with CaptureQueriesContext(connection) as queries:
        count = build_assessments(7, TODAY)
    assert len(queries) < 100  # set-based: no per-elder queries

    counties = len(COUNTY_WEIGHTS)
    assert AssessmentAgency.objects.count() == counties
    assert Assessor.objects.count() == 2 * counties
    accounts = User.objects.filter(assessor_profile__isnull=False)
    assert accounts.count() == 2 * counties
    assert all(u.role == "assessor" and not u.has_usable_password() for u in accounts)
    for agency in AssessmentAgency.objects.prefetch_related("counties"):
        assert [c.code for c in agency.counties.all()] == [agency.org_unit.code]

    # Every resident, plus about 5% of the elders at home.
    assessments = Assessment.objects.select_related("elder")
    assert assessments.count() == count > 0
    residents = set(Admission.objects.filter(discharged_on__isnull=True).values_list("elder_id", flat=True))
    assessed = set(assessments.values_list("elder_id", flat=True))
    assert residents <= assessed
    at_home = Elder.objects.filter(status="active").exclude(pk__in=residents).count()
    assert 0.03 * at_home < len(assessed - residents) < 0.07 * at_home

    months = load_standard().reassessment_months
    for a in assessments:
        result = score(open_answers(a))
        assert a.final_level == result.final_level == a.elder.capability_level
        assert (a.total, a.preliminary_level, a.adjustments, a.dimension_scores) == (
            result.total,
            result.preliminary_level,
            result.adjustments,
            result.dimension_scores,
        )
        assert a.status == "signed_off" and a.signed_on < TODAY < a.valid_until
        assert (a.valid_until.year - a.signed_on.year) * 12 + a.valid_until.month - a.signed_on.month == months
        assert a.requested_at < a.submitted_at
        assert a.agency_id is not None and a.assessor_1.agency_id == a.agency_id == a.assessor_2.agency_id
        assert a.agency.org_unit.code == a.elder.org_unit.code[:6]
    assert any(a.adjustments == ["dementia_or_psychiatric"] for a in assessments)  # some diagnoses raise a level
    entry = AuditEntry.objects.get(model="assessment.assessment", action="bulk_create")
    assert entry.changes["assessments"] == count

    # Idempotent: a second run finds the demo and does nothing.
    assert build_assessments(7, TODAY) == 0
    assert Assessment.objects.count() == count
    assert AuditEntry.objects.filter(model="assessment.assessment", action="bulk_create").count() == 1


def test_answers_for_level_score_to_that_level():
    from chuncheng.demo.assessments import answers_for_level

    rng = random.Random(7)
    for level in ("intact", "mild", "moderate", "severe", "total"):
        for _ in range(200):
            assert score(answers_for_level(rng, level)).final_level == level
    a, b = random.Random(3), random.Random(3)
    assert [answers_for_level(a, "severe") for _ in range(5)] == [answers_for_level(b, "severe") for _ in range(5)]
