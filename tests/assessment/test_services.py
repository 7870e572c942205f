"""The assessment services: the process from request to sign-off, and each refusal with its stable code."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chuncheng.assessment import services
from chuncheng.assessment.health import open_answers
from chuncheng.assessment.models import Assessment
from chuncheng.core.models import AuditEntry
from tests.assessment.helpers import answers_totalling

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def _refused(code: str, func, *args, **kwargs):
    with pytest.raises(ValidationError) as exc:
        func(*args, **kwargs)
    assert code in _codes(exc.value), _codes(exc.value)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert services.add_months(date(2025, 3, 15), 12) == date(2026, 3, 15)
    assert services.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert services.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_the_whole_process_sets_the_elders_level_and_validity(personas, registry, agencies, submitted):
    assert submitted.status == "submitted"
    assert (submitted.total, submitted.preliminary_level, submitted.final_level) == (50, "moderate", "moderate")
    assert sum(submitted.dimension_scores.values()) == 50
    signed = services.review(submitted, actor=personas.wuhua, approve=True, today=date(2026, 3, 31))
    assert signed.status == "signed_off"
    assert (signed.signed_on, signed.valid_until) == (date(2026, 3, 31), date(2027, 3, 31))
    registry.wuhua.refresh_from_db()
    assert registry.wuhua.capability_level == "moderate"
    elder_audit = (
        AuditEntry.objects.filter(model="elders.elder", object_id=str(registry.wuhua.public_id)).order_by("id").last()
    )
    assert elder_audit.changes["capability_level"] == ["mild", "moderate"]
    # the answers (health data) never go into the audit trail, only which indicators changed
    answer_audit = AuditEntry.objects.filter(model="assessment.assessment", action="update").order_by("id").first()
    assert answer_audit.changes["answers"][1][:2] == ["B.1.1", "B.1.2"]
    assert "50" not in str(answer_audit.changes)


def test_partial_saves_merge_and_a_later_save_completes(assigned, agencies):
    answers = answers_totalling(80)
    first = {k: v for k, v in answers.items() if k.startswith("B.1")}
    services.save_answers(assigned, first, actor=agencies.a1.user)
    _refused("answer_missing", services.submit, assigned, actor=agencies.a1.user)
    rest = {k: v for k, v in answers.items() if k not in first}
    services.save_answers(assigned, rest, actor=agencies.a2.user)
    assert services.submit(assigned, actor=agencies.a1.user).total == 80


def test_an_option_that_does_not_exist_is_refused_and_nothing_saved(assigned, agencies):
    _refused("option_unknown", services.save_answers, assigned, {"B.2.4": 4}, actor=agencies.a1.user)
    assigned.refresh_from_db()
    assert open_answers(assigned) == {}


def test_assessors_outside_the_agency_are_refused(personas, registry, agencies):
    assessment = services.request_assessment(registry.wuhua, actor=personas.community)
    _refused(
        "assessor_not_in_agency",
        services.assign,
        assessment,
        agencies.wuhua,
        [agencies.a1, agencies.g1],
        actor=personas.wuhua,
    )
    _refused("assessors_required", services.assign, assessment, agencies.wuhua, [agencies.a1], actor=personas.wuhua)
    _refused(
        "assessors_not_distinct",
        services.assign,
        assessment,
        agencies.wuhua,
        [agencies.a1, agencies.a1],
        actor=personas.wuhua,
    )
    _refused(
        "agency_not_serving_area",
        services.assign,
        assessment,
        agencies.guandu,
        [agencies.g1, agencies.g2],
        actor=personas.city,
    )
    assessment.refresh_from_db()
    assert (assessment.status, assessment.agency_id) == ("requested", None)


def test_only_the_two_assessors_fill_it_in(assigned, agencies, personas):
    _refused("not_an_assigned_assessor", services.save_answers, assigned, {"B.1.1": 4}, actor=agencies.a3.user)
    _refused("permission_denied", services.save_answers, assigned, {"B.1.1": 4}, actor=personas.wuhua)
    # an assessor of another county does not even see it
    _refused("permission_denied", services.save_answers, assigned, {"B.1.1": 4}, actor=agencies.g1.user)


def test_a_review_by_one_of_the_assessors_is_refused(submitted, agencies, registry):
    for assessor in (agencies.a1, agencies.a2):
        _refused("reviewer_is_assessor", services.review, submitted, actor=assessor.user, approve=True)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    registry.wuhua.refresh_from_db()
    assert registry.wuhua.capability_level == "mild"


def test_a_colleague_of_the_agency_may_review_another_agencys_may_not(submitted, agencies):
    _refused("permission_denied", services.review, submitted, actor=agencies.g1.user, approve=True)
    signed = services.review(submitted, actor=agencies.a3.user, approve=True)
    assert signed.status == "signed_off"


def test_a_returned_assessment_goes_back_to_the_assessors(submitted, personas, agencies):
    returned = services.review(submitted, actor=personas.wuhua, approve=False, note="B.1.6 请复核")
    assert returned.status == "in_progress"
    services.save_answers(returned, {"B.1.6": 4}, actor=agencies.a1.user)
    assert services.submit(returned, actor=agencies.a1.user).status == "submitted"


def test_request_rules(personas, registry, assigned):
    _refused("assessment_open", services.request_assessment, registry.wuhua, actor=personas.wuhua)
    _refused("elder_out_of_scope", services.request_assessment, registry.guandu, actor=personas.wuhua)
    _refused("permission_denied", services.request_assessment, registry.guandu, actor=personas.operator)
    assert Assessment.objects.count() == 1


def test_scores_cannot_be_typed_in(assigned, agencies):
    _refused("option_unknown", services.save_answers, assigned, {"B.1.1": 4, "B.1.2": 99}, actor=agencies.a1.user)
    with pytest.raises(ValidationError) as exc:
        services.save_answers(assigned, {"total": 90}, actor=agencies.a1.user)
    assert _codes(exc.value) == {"indicator_unknown"}


def test_due_assessments_are_requested_automatically(personas, registry, submitted):
    signed = services.review(submitted, actor=personas.wuhua, approve=True, today=date(2025, 1, 10))
    assert services.request_due_assessments(actor=personas.wuhua, today=date(2026, 1, 9)) == []
    created = services.request_due_assessments(actor=personas.wuhua, today=signed.valid_until)
    assert [(a.elder_id, a.reason, a.channel) for a in created] == [(registry.wuhua.pk, "routine", "automatic")]
    assert services.request_due_assessments(actor=personas.wuhua, today=signed.valid_until) == []


def test_register_refusals(personas, org_tree, agencies):
    wuhua = org_tree.get(code="530102")
    _refused("agency_county_required", services.register_agency, "X", wuhua, [], actor=personas.wuhua)
    _refused("permission_denied", services.register_agency, "X", wuhua, [wuhua], actor=personas.community)
    _refused(
        "assessor_user_role",
        services.register_assessor,
        agencies.wuhua,
        {"name": "x", "qualification": "nurse", "certificate_no": "C-9"},
        actor=personas.wuhua,
        user=personas.huashan,
    )
    _refused(
        "permission_denied",
        services.register_assessor,
        agencies.guandu,
        {"name": "x", "qualification": "nurse", "certificate_no": "C-9"},
        actor=personas.wuhua,
    )
