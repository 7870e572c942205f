"""Applications (B1, B5): the chain level by level, return and resubmit, rejection, the frozen amount and its ledger
entry, the audit trail, and every refusal with its code — each leaving the database as it was."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from chuncheng.benefits import applications
from chuncheng.benefits.applications import ApplicationError
from chuncheng.benefits.models import (
    Application,
    ApplicationAttachment,
    ApplicationDecision,
    LedgerEntry,
    PolicyVersion,
    Programme,
)
from chuncheng.benefits.policy import check_pack, read_pack
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.models import AuditEntry, OrgUnit
from chuncheng.institutions.models import Facility
from tests.benefits.helpers import b1_facts
from tests.conftest import make_institution, make_user

pytestmark = pytest.mark.django_db
B1 = "B1_bed_construction"
B5C = "B5_centre_construction"
B5O = "B5_centre_operation"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attachments go to a throwaway media folder (the var dir's ``media`` in production)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def people(personas):
    """Reviewers besides the personas: a second township worker of 华山街道, one of 护国街道 (same county, another
    township), and a city official who is not the applicant."""
    personas.huashan2 = make_user("huashan2", "township_worker", org="530102001")
    personas.huguo = make_user("huguo", "township_worker", org="530102002")
    return personas


def b1_draft(p, actor=None, **facts):
    return applications.create_draft(
        Programme.objects.get(code=B1), p.wuhua_home, b1_facts(**facts), actor=actor or p.operator
    )


def submitted(p, **facts):
    application = b1_draft(p, **facts)
    return applications.submit(application, actor=p.operator)


def state(application):
    """Everything a refused act must leave as it was."""
    return (
        Application.objects.values().get(pk=application.pk),
        ApplicationDecision.objects.count(),
        LedgerEntry.objects.count(),
        AuditEntry.objects.count(),
        ApplicationAttachment.objects.count(),
    )


def refused(code, act, application):
    before = state(application)
    with pytest.raises(ApplicationError) as info:
        act()
    assert info.value.code == code
    assert info.value.message and not info.value.message.isascii()  # a Chinese message
    assert state(application) == before
    return info.value


# ---- the chain --------------------------------------------------------------------------------------------------


def test_b1_is_decided_level_by_level_then_frozen_with_one_ledger_entry(policy, people):
    p = people
    application = submitted(p)
    assert (application.status, application.levels, application.awaiting_level) == (
        "submitted",
        ["township", "county", "city"],
        "township",
    )
    assert application.applied_on == timezone.localdate() and application.round == 1
    application = applications.decide(application, "approve", actor=p.huashan)
    assert (application.status, application.step, application.awaiting_level) == ("submitted", 1, "county")
    application = applications.decide(application, "approve", actor=p.wuhua)
    assert application.awaiting_level == "city"
    assert LedgerEntry.objects.count() == 0
    application = applications.decide(application, "approve", actor=p.city)
    application.refresh_from_db()
    assert application.status == "approved" and application.awaiting_level == ""
    assert application.amount == Decimal("1000000.00")
    assert (application.province_share, application.city_share, application.county_share) == (
        Decimal("500000.00"),
        Decimal("250000.00"),
        Decimal("250000.00"),
    )
    assert application.policy_version.label == "2019"
    assert [line["item"] for line in application.breakdown] == ["per_bed"]
    assert any(r["condition"] == "occupancy" and r["passed"] for r in application.reasons)
    entry = LedgerEntry.objects.get()
    assert entry == application.ledger_entry
    assert (entry.kind, entry.amount, entry.batch_id, entry.entitlement_id) == (
        "application",
        Decimal("1000000.00"),
        None,
        None,
    )
    assert (entry.beneficiary_kind, entry.beneficiary_id, entry.org_unit_id) == (
        "institution",
        p.wuhua_home.pk,
        p.wuhua_home.org_unit_id,
    )
    assert entry.period == timezone.localdate().replace(day=1) and entry.created_by == p.city
    assert entry.province_share + entry.city_share + entry.county_share == entry.amount
    decisions = list(application.decisions.values_list("level", "action", "decided_by__username"))
    assert decisions == [
        ("township", "approve", "huashan"),
        ("county", "approve", "wuhua"),
        ("city", "approve", "city"),
    ]


def test_everything_is_in_the_audit_log(policy, people):
    p = people
    application = submitted(p)
    for actor in (p.huashan, p.wuhua, p.city):
        application = applications.decide(application, "approve", actor=actor)
    trail = AuditEntry.objects.filter(model="benefits.application", object_id=str(application.public_id))
    assert list(trail.order_by("id").values_list("action", "actor_username")) == [
        ("create", "operator"),
        ("state", "operator"),
        ("state", "huashan"),
        ("state", "wuhua"),
        ("state", "city"),
    ]
    final = trail.order_by("id").last().changes
    assert final["status"] == ["submitted", "approved"]
    assert final["amount"] == [None, "1000000.00"]
    assert AuditEntry.objects.filter(model="benefits.applicationdecision", action="create").count() == 3
    assert AuditEntry.objects.filter(model="benefits.ledgerentry", action="create", actor_username="city").count() == 1
    assert all(e.org_code == p.wuhua_home.org_unit.code for e in trail)


def test_return_for_correction_and_resubmit_restarts_the_chain(policy, people):
    p = people
    application = submitted(p, occupancy=45)
    applied_on = application.applied_on
    application = applications.decide(application, "approve", actor=p.huashan)
    application = applications.decide(application, "return", actor=p.wuhua, reason="入住率证明缺失，请补充")
    assert (application.status, application.step, application.awaiting_level) == ("returned", 0, "")
    application = applications.update_draft(application, actor=p.operator, facts=b1_facts(approved_beds=80))
    application = applications.submit(application, actor=p.operator)
    assert (application.status, application.round, application.awaiting_level) == ("submitted", 2, "township")
    assert application.applied_on == applied_on  # the application date stays the first submission's
    for actor in (p.huashan, p.wuhua, p.city):
        application = applications.decide(application, "approve", actor=actor)
    assert application.status == "approved" and application.amount == Decimal("800000.00")
    history = list(application.decisions.values_list("round", "step", "action", "reason"))
    assert history == [
        (1, 0, "approve", ""),
        (1, 1, "return", "入住率证明缺失，请补充"),
        (2, 0, "approve", ""),
        (2, 1, "approve", ""),
        (2, 2, "approve", ""),
    ]


def test_rejection_ends_the_application_with_its_reason(policy, people):
    p = people
    application = applications.decide(submitted(p), "reject", actor=p.huashan, reason="不属于社会力量兴办")
    assert (application.status, application.awaiting_level) == ("rejected", "")
    assert application.decided_at is not None and application.amount is None
    assert application.decisions.get().reason == "不属于社会力量兴办"
    assert LedgerEntry.objects.count() == 0
    again = b1_draft(p)  # no longer open: a new application may be made
    assert again.status == "draft"


def test_the_amount_is_quoted_under_the_version_in_force_on_the_application_date(policy, people):
    p = people
    application = b1_draft(p)
    application = applications.submit(application, actor=p.operator, today=date(2024, 6, 1))
    old = PolicyVersion.objects.get(programme__code=B1, label="2019")
    old.effective_to = date(2024, 12, 31)
    old.save()
    parameters = {**old.parameters, "owned_per_bed": {"value": "20000", "source": "test"}}
    PolicyVersion.objects.create(
        programme=old.programme, label="2025-test", effective_from=date(2025, 1, 1), parameters=parameters, source="t"
    )
    for actor in (p.huashan, p.wuhua, p.city):
        application = applications.decide(application, "approve", actor=actor)
    assert application.policy_version.label == "2019"
    assert application.amount == Decimal("1000000.00")
    old.parameters = {**old.parameters, "owned_per_bed": {"value": "1", "source": "test"}}
    old.save()
    application.refresh_from_db()
    assert application.amount == Decimal("1000000.00")  # frozen: later changes of the policy do not move it
    assert applications.preview(application)["amount"] == "1000000.00"


def test_a_b1_bed_is_paid_once(policy, people):
    p = people
    application = submitted(p, approved_beds=100)
    for actor in (p.huashan, p.wuhua, p.city):
        applications.decide(application, "approve", actor=actor)
    second = b1_draft(p, approved_beds=120, paid_beds=0)
    refused("paid_beds_understated", lambda: applications.submit(second, actor=p.operator), second)
    assert applications.registry_facts(Programme.objects.get(code=B1), p.wuhua_home)["paid_beds"] == 100
    applications.update_draft(second, actor=p.operator, facts=b1_facts(approved_beds=120, paid_beds=100))
    second = applications.submit(second, actor=p.operator)
    for actor in (p.huashan, p.wuhua, p.city):
        second = applications.decide(second, "approve", actor=actor)
    assert second.amount == Decimal("200000.00")  # only the 20 new beds


def test_a_sanction_found_at_the_last_level_refuses_the_approval_and_writes_nothing(policy, people):
    from chuncheng.benefits import sanctions

    p = people
    application = submitted(p, sanctioned=True)  # the applicant's claim is not what counts
    for actor in (p.huashan, p.wuhua):
        application = applications.decide(application, "approve", actor=actor)

    def provider(institution, on):
        return institution.pk == p.wuhua_home.pk, "列入失信黑名单（测试）"

    sanctions.register_provider(provider)
    try:
        error = refused(
            "application_not_eligible", lambda: applications.decide(application, "approve", actor=p.city), application
        )
        assert "黑名单" in error.message
        assert applications.preview(application)["eligible"] is False
    finally:
        sanctions.unregister_provider(provider)
    application = applications.decide(application, "reject", actor=p.city, reason="已列入失信黑名单")
    assert application.status == "rejected" and LedgerEntry.objects.count() == 0


def test_b5_in_guandu_is_decided_by_township_then_district(policy, personas):
    guandu_township = make_user("guanshang", "township_worker", org="530111001")
    maker = make_user("guanshang-maker", "township_worker", org="530111001")
    centre = Facility.objects.create(
        code="GD-C-1",
        name="关上社区居家养老服务中心",
        kind="community_center",
        org_unit=OrgUnit.objects.get(code="530111001"),
        operator="public",
        area_m2=Decimal("900"),
    )
    programme = Programme.objects.get(code=B5C)
    facts = applications.registry_facts(programme, centre)
    assert facts == {"area_m2": 900.0, "project": "new"}
    application = applications.create_draft(programme, centre, facts, actor=maker)
    application = applications.submit(application, actor=maker)
    assert application.levels == ["township", "county"]
    refused("approver_is_maker", lambda: applications.decide(application, "approve", actor=maker), application)
    application = applications.decide(application, "approve", actor=guandu_township)
    application = applications.decide(application, "approve", actor=personas.guandu)
    assert application.status == "approved" and application.amount == Decimal("1200000.00")
    assert (application.province_share, application.city_share, application.county_share) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1200000.00"),
    )
    entry = application.ledger_entry
    assert (entry.beneficiary_kind, entry.beneficiary_id) == ("facility", centre.pk)
    # the operating subsidy of a centre 五华区 has no version in force: refused at submission with its code
    wuhua_centre = Facility.objects.create(
        code="WH-C-1", name="华山社区中心", kind="community_center", org_unit=OrgUnit.objects.get(code="530102001")
    )
    draft = applications.create_draft(B5O, wuhua_centre, {"centre_type": "city", "grade": "优"}, actor=personas.huashan)
    refused("policy_not_in_force", lambda: applications.submit(draft, actor=personas.huashan), draft)


def test_an_applicant_filed_under_a_county_skips_the_township_step(policy, personas):
    home = make_institution("530102", "五华区直属养老院")
    operator = make_user("op-county", "institution_operator", institution=home)
    application = applications.create_draft(B1, home, b1_facts(), actor=operator)
    application = applications.submit(application, actor=operator)
    assert application.levels == ["county", "city"] and application.awaiting_level == "county"


# ---- refusals -------------------------------------------------------------------------------------------------


def test_nobody_decides_their_own_work(policy, people):
    p = people
    on_behalf = applications.submit(b1_draft(p, actor=p.huashan), actor=p.huashan)  # the township prepared it
    refused("approver_is_maker", lambda: applications.decide(on_behalf, "approve", actor=p.huashan), on_behalf)
    applications.decide(on_behalf, "approve", actor=p.huashan2)  # another township worker may
    home = make_institution("530102001", "华山第二养老院")
    operator = make_user("operator2", "institution_operator", institution=home)
    own = applications.submit(applications.create_draft(B1, home, b1_facts(), actor=operator), actor=operator)
    refused("approver_is_maker", lambda: applications.decide(own, "approve", actor=operator), own)


def test_uploading_an_attachment_makes_a_maker(policy, people):
    p = people
    application = b1_draft(p)
    applications.attach(application, "证明.pdf", io.BytesIO(PDF), actor=p.huashan)
    application = applications.submit(application, actor=p.operator)
    refused("approver_is_maker", lambda: applications.decide(application, "approve", actor=p.huashan), application)


def test_nobody_decides_two_levels_of_one_application(policy, people):
    p = people
    application = applications.decide(submitted(p), "approve", actor=p.huashan)
    p.huashan.role, p.huashan.org_unit = "county_official", OrgUnit.objects.get(code="530102")  # moved up
    p.huashan.save()
    refused(
        "approver_decided_earlier",
        lambda: applications.decide(application, "approve", actor=p.huashan),
        application,
    )


def test_the_reviewer_must_be_at_the_level_awaited_and_hold_the_applicant(policy, people):
    p = people
    application = submitted(p)
    error = refused(
        "approver_wrong_level", lambda: applications.decide(application, "approve", actor=p.wuhua), application
    )
    assert "街道" in error.message
    refused("approver_wrong_level", lambda: applications.decide(application, "approve", actor=p.city), application)
    refused(
        "approver_wrong_level",
        lambda: applications.decide(application, "reject", actor=p.community, reason="x"),
        application,
    )
    refused("approver_out_of_scope", lambda: applications.decide(application, "approve", actor=p.huguo), application)
    application = applications.decide(application, "approve", actor=p.huashan)
    refused("approver_out_of_scope", lambda: applications.decide(application, "approve", actor=p.guandu), application)
    refused("permission_denied", lambda: applications.decide(application, "approve", actor=p.sysadmin), application)


def test_only_an_application_awaiting_a_decision_can_be_decided(policy, people):
    p = people
    draft = b1_draft(p)
    refused("application_not_awaiting", lambda: applications.decide(draft, "approve", actor=p.huashan), draft)
    done = applications.decide(submitted_other(p), "reject", actor=p.huashan, reason="材料不全")
    refused("application_not_awaiting", lambda: applications.decide(done, "approve", actor=p.huashan2), done)


def submitted_other(p):
    home = make_institution("530102001", "华山第三养老院")
    operator = make_user("operator3", "institution_operator", institution=home)
    return applications.submit(applications.create_draft(B1, home, b1_facts(), actor=operator), actor=operator)


def test_reject_and_return_need_a_reason(policy, people):
    p = people
    application = submitted(p)
    refused("reason_required", lambda: applications.decide(application, "reject", actor=p.huashan), application)
    refused(
        "reason_required",
        lambda: applications.decide(application, "return", actor=p.huashan, reason="   "),
        application,
    )
    refused("input_invalid", lambda: applications.decide(application, "edit", actor=p.huashan), application)
    with pytest.raises(DatabaseError), transaction.atomic():  # the database says the same
        ApplicationDecision.objects.create(
            application=application,
            round=1,
            step=0,
            level="township",
            action="reject",
            reason="",
            decided_by=p.huashan,
            decided_at=timezone.now(),
        )


def test_facts_that_fail_the_quote_are_refused_at_submission(policy, people):
    p = people
    draft = b1_draft(p)
    cases = [
        ({"kind": "private_nonprofit"}, "input_missing_key"),
        (b1_facts(approved_beds=-5), "input_negative"),
        (b1_facts(occupancy="lots"), "input_invalid"),
        (b1_facts(occupancy=29.9), "application_not_eligible"),
        (b1_facts(kind="public"), "application_not_eligible"),
    ]
    for facts, code in cases:
        Application.objects.filter(pk=draft.pk).update(facts=facts)
        error = refused(code, lambda: applications.submit(draft, actor=p.operator), draft)
        if code == "application_not_eligible" and facts.get("occupancy") == 29.9:
            assert "入住率 29.9% < 30%" in error.message


def test_an_approver_cannot_edit_what_they_decide(policy, people):
    p = people
    application = submitted(p)
    refused(
        "application_not_editable",
        lambda: applications.update_draft(application, actor=p.operator, facts=b1_facts(approved_beds=500)),
        application,
    )
    refused(
        "application_not_editable",
        lambda: applications.update_draft(application, actor=p.wuhua, facts=b1_facts(approved_beds=500)),
        application,
    )
    refused(
        "application_not_editable",
        lambda: applications.attach(application, "a.pdf", io.BytesIO(PDF), actor=p.operator),
        application,
    )
    refused("application_not_editable", lambda: applications.submit(application, actor=p.operator), application)


def test_who_may_apply(policy, people):
    p = people
    programme = Programme.objects.get(code=B1)
    counts = (Application.objects.count(), AuditEntry.objects.count())
    for actor, target in [(p.guandu, p.wuhua_home), (p.operator, p.guandu_home), (p.huguo, p.wuhua_home)]:
        with pytest.raises(ApplicationError) as info:
            applications.create_draft(programme, target, b1_facts(), actor=actor)
        assert info.value.code == "applicant_out_of_scope"
    with pytest.raises(ApplicationError) as info:
        applications.create_draft("B2_operating", p.wuhua_home, {}, actor=p.operator)
    assert info.value.code == "application_not_needed"
    with pytest.raises(ApplicationError) as info:
        applications.create_draft(B5C, p.wuhua_home, {}, actor=p.operator)
    assert info.value.code == "beneficiary_kind_mismatch"
    with pytest.raises(ApplicationError) as info:
        applications.create_draft(programme, p.wuhua_home, ["not", "an", "object"], actor=p.operator)
    assert info.value.code == "input_invalid"
    assert (Application.objects.count(), AuditEntry.objects.count()) == counts
    b1_draft(p)
    with pytest.raises(ApplicationError) as info:
        b1_draft(p, actor=p.huashan)
    assert info.value.code == "application_open"
    assert Application.objects.count() == counts[0] + 1


# ---- attachments --------------------------------------------------------------------------------------------


def test_an_attachment_is_stored_under_a_neutral_name_with_its_digest(policy, people, media):
    import hashlib

    p = people
    application = b1_draft(p)
    attachment = applications.attach(application, "王秀英-入住证明.pdf", io.BytesIO(PDF), actor=p.operator)
    assert (attachment.name, attachment.size, attachment.content_type) == (
        "王秀英-入住证明.pdf",
        len(PDF),
        "application/pdf",
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.file.name == f"benefits/applications/{application.public_id}/{attachment.public_id}.pdf"
    assert (media / attachment.file.name).read_bytes() == PDF
    audit = AuditEntry.objects.get(model="benefits.applicationattachment")
    assert audit.changes["sha256"] == [None, attachment.sha256]
    png = applications.attach(application, "photo.PNG", io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 20), actor=p.operator)
    assert png.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("scan.pdf", b"MZ\x90\x00 not a pdf", "file_not_pdf"),
        ("photo.jpg", b"%PDF-1.4 a pdf named jpg", "file_not_image"),
        ("photo.png", b"GIF89a", "file_not_image"),
        ("table.xlsx", b"a,b\n1,2\n", "file_not_xlsx"),
        ("table.csv", b"PK\x03\x04zip", "file_not_csv"),
        ("tool.exe", b"MZ", "file_type"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_attachments_must_be_what_their_extension_claims(policy, people, media, name, content, code):
    application = b1_draft(people)
    refused(
        code, lambda: applications.attach(application, name, io.BytesIO(content), actor=people.operator), application
    )
    assert not any(media.rglob("*.*"))


def test_an_attachment_too_large_is_refused(policy, people, media, monkeypatch):
    application = b1_draft(people)
    monkeypatch.setattr(applications, "MAX_ATTACHMENT_BYTES", 1024)
    big = io.BytesIO(PDF + b"0" * 2000)
    error = refused(
        "file_too_large", lambda: applications.attach(application, "big.pdf", big, actor=people.operator), application
    )
    assert error.key == "file"
    assert not any(media.rglob("*.*"))


# ---- the database keeps the history ------------------------------------------------------------------------


def test_decisions_are_append_only(policy, people):
    p = people
    applications.decide(submitted(p), "approve", actor=p.huashan)
    decision = ApplicationDecision.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ApplicationDecision.objects.filter(pk=decision.pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ApplicationDecision.objects.filter(pk=decision.pk).delete()
    assert ApplicationDecision.objects.get().reason == ""


def test_awaiting_lists_what_the_user_may_decide_now(policy, people):
    p = people
    application = submitted(p)
    assert list(applications.awaiting(p.huashan)) == [application]
    assert list(applications.awaiting(p.wuhua)) == []
    assert list(applications.awaiting(p.huguo)) == []
    assert list(applications.awaiting(p.operator)) == []
    applications.decide(application, "approve", actor=p.huashan)
    assert list(applications.awaiting(p.huashan)) == []
    assert list(applications.awaiting(p.wuhua)) == [application]
    assert list(applications.awaiting(p.guandu)) == []


# ---- policy data ----------------------------------------------------------------------------------------------


def test_the_approval_chain_is_policy_data(policy):
    levels = dict(Programme.objects.values_list("code", "approval_levels"))
    assert levels[B1] == ["township", "county", "city"]
    assert levels[B5C] == levels[B5O] == ["township", "county"]
    assert levels["B2_operating"] == [] and levels["P1_longevity_allowance"] == []
    pack = read_pack()
    b1 = next(s for s in pack if s["code"] == B1)
    for bad in (
        {"value": ["city", "county"], "source": "x"},
        {"value": ["township", "township"], "source": "x"},
        {"value": ["province"], "source": "x"},
        {"value": ["township"]},
        ["township", "county"],
    ):
        b1["approval_levels"] = bad
        with pytest.raises(QuoteError) as info:
            check_pack(pack)
        assert info.value.code == "input_invalid"
