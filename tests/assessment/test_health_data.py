"""The answers are health data: encrypted at rest, bound to their row, never in the audit trail; the scores stay in
clear for statistics."""

from __future__ import annotations

import pytest
from django.db import connection

from chuncheng.assessment import services
from chuncheng.assessment.health import COLUMN, TABLE, open_answers, seal_answers
from chuncheng.assessment.models import Assessment
from chuncheng.core.cipher import CipherError
from chuncheng.core.models import AuditEntry
from tests.assessment.helpers import answers_totalling

pytestmark = pytest.mark.django_db


def _stored(assessment: Assessment) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMN} FROM {TABLE} WHERE id = %s", [assessment.pk])
        return cursor.fetchone()[0]


def test_the_stored_column_holds_no_answer_in_clear(assigned, agencies):
    services.save_answers(assigned, {"B.1.1": 4, "diagnosis_dementia": True}, actor=agencies.a1.user)
    raw = _stored(assigned)
    assert raw and "B.1.1" not in raw and "diagnosis_dementia" not in raw and "true" not in raw
    assert {f.name for f in Assessment._meta.concrete_fields}.isdisjoint({"answers"})
    assigned.refresh_from_db()
    assert open_answers(assigned) == {"B.1.1": 4, "diagnosis_dementia": True}


def test_round_trip_and_scores_stay_in_clear(submitted):
    answers = answers_totalling(50)
    submitted.refresh_from_db()
    assert open_answers(submitted) == answers
    assert submitted.total == 50 and submitted.final_level  # statistics read these without decrypting
    token = seal_answers(submitted.public_id, answers)
    assert token != seal_answers(submitted.public_id, answers)  # a fresh nonce every time
    assert open_answers(Assessment(public_id=submitted.public_id, answers_enc=token)) == answers
    assert open_answers(Assessment(answers_enc="")) == {}


def test_a_ciphertext_moved_to_another_assessment_fails(submitted, registry, personas):
    other = Assessment(public_id=registry.guandu.public_id, answers_enc=submitted.answers_enc)
    with pytest.raises(CipherError):
        open_answers(other)


def test_the_audit_trail_shows_only_the_mark(submitted):
    created = AuditEntry.objects.get(model="assessment.assessment", action="create")
    assert created.changes["answers_enc"] in ([None, ""], [None, "[encrypted]"])
    for entry in AuditEntry.objects.filter(model="assessment.assessment"):
        assert submitted.answers_enc not in str(entry.changes)
