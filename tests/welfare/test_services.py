"""Policy pack, set-based recompute (idempotent), reasons, list publishing, visits and follow-up tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.models import AuditEntry, OrgUnit
from chuncheng.elders import services as elder_services
from chuncheng.elders.queries import today
from chuncheng.welfare import queries, services
from chuncheng.welfare.models import (
    BasicServiceItem,
    BasicServiceList,
    FollowUpTask,
    ServiceEntitlement,
    SpecialDifficultyFlag,
    SpecialDifficultyRule,
    WelfareVisit,
)

pytestmark = pytest.mark.django_db


def flags():
    return set(SpecialDifficultyFlag.objects.values_list("elder__name", "rule__code"))


def entitlements():
    return set(ServiceEntitlement.objects.values_list("elder__name", "item__code"))


def test_the_pack_marks_what_the_documents_leave_open(pack):
    assert pack == {"rules": 6, "items": 8}
    assert BasicServiceItem.objects.filter(is_open=False).count() == 0  # the national list is UNVERIFIED
    assert all("UNVERIFIED" in s for s in BasicServiceItem.objects.values_list("source", flat=True))
    assert SpecialDifficultyRule.objects.filter(open_note__contains="OPEN").count() == 5
    # loading again changes nothing
    assert services.load_policy_pack() == {"rules": 6, "items": 0}
    assert BasicServiceList.objects.count() == 1


def test_recompute_flags_and_entitlements_and_is_idempotent(people):
    first = services.recompute_all()
    assert flags() == {
        ("赵一", "econ_lonely"),
        ("钱二", "econ_alone_advanced_age"),
        ("孙三", "econ_disabled"),
        ("周五", "family_planning_special"),
        ("吴六", "econ_lonely"),
        ("吴六", "econ_disabled"),
    }
    assert first["special_difficulty"]["added"] == 6
    got = entitlements()
    assert ("钱二", "advanced_age_allowance") in got
    assert ("周五", "advanced_age_allowance") not in got  # not local household registration
    assert ("赵一", "tekun_support") in got and ("吴六", "concentrated_care") in got
    assert ("李四", "capability_assessment") in got and ("李四", "welfare_visit") not in got
    assert {n for n, c in got if c == "welfare_visit"} == {"赵一", "钱二", "孙三", "周五", "吴六"}
    before_flags, before_ent = flags(), entitlements()
    since = dict(SpecialDifficultyFlag.objects.values_list("pk", "since"))
    again = services.recompute_all(day=today() + timedelta(days=3))
    assert again["special_difficulty"] == {"added": 0, "removed": 0, "day": str(today() + timedelta(days=3))}
    assert again["entitlements"]["added"] == again["entitlements"]["removed"] == 0
    assert flags() == before_flags and entitlements() == before_ent
    assert dict(SpecialDifficultyFlag.objects.values_list("pk", "since")) == since  # the first day seen stays
    assert AuditEntry.objects.filter(model="welfare.specialdifficultyflag", object_id="*").count() == 2


def test_a_change_is_picked_up_and_a_death_removes_entitlements(people, personas):
    services.recompute_all()
    elder_services.update_elder(people.plain, {"categories": ["tekun", "lonely"]}, actor=personas.city)
    elder_services.record_death(people.alone_old, today(), actor=personas.city)
    services.recompute_all()
    assert ("李四", "econ_lonely") in flags()
    assert ("钱二", "econ_alone_advanced_age") in flags()  # kept for past months' visit rates
    assert not ServiceEntitlement.objects.filter(elder=people.alone_old).exists()


def test_reasons_show_each_condition(people):
    services.recompute_all()
    reasons = {r.code: r for r in queries.special_difficulty_reasons(people.alone_old)}
    alone = reasons["econ_alone_advanced_age"]
    assert alone.passed is True and alone.stored is True
    leaves = [(c.label, c.seen, c.passed) for c in alone.checks if c.expected]
    assert ("Age", "85", True) in leaves or ("年龄", "85", True) in leaves
    assert reasons["econ_lonely"].passed is False
    lst, items = queries.entitlement_reasons(people.fp_special)
    assert lst.county is None
    allowance = next(r for r in items if r.code == "advanced_age_allowance")
    assert allowance.passed is False and allowance.stored is False
    assert [c.passed for c in allowance.checks] == [False, True, False]
    for reason in items:  # Python and the stored (SQL) result agree
        assert reason.passed == reason.stored


def test_a_county_list_overrides_the_city_default(people, personas):
    services.recompute_all()
    wuhua = OrgUnit.objects.get(code="530102")
    draft = services.draft_list(wuhua, today(), actor=personas.wuhua)
    assert draft.version == 1 and draft.published_at is None and draft.items.count() == 8
    draft.items.filter(code="advanced_age_allowance").update(condition={"age_gte": 70})
    with pytest.raises(ValidationError) as exc:
        services.publish_list(draft, actor=personas.guandu)
    assert exc.value.code == "list_out_of_scope"
    with pytest.raises(ValidationError):
        services.draft_list(None, today(), actor=personas.wuhua)  # a county official cannot change the city list
    services.publish_list(draft, actor=personas.wuhua)
    allowance = {n for n, c in entitlements() if c == "advanced_age_allowance"}
    assert allowance == {"赵一", "钱二", "孙三", "周五", "吴六"}  # 五华 at 70+; 官渡 keeps the city rule (81)
    with pytest.raises(ValidationError) as exc:
        services.publish_list(draft, actor=personas.wuhua)
    assert exc.value.code == "list_already_published"


def test_a_list_effective_later_is_not_yet_in_force(people, personas):
    services.recompute_all()
    wuhua = OrgUnit.objects.get(code="530102")
    draft = services.draft_list(wuhua, today() + timedelta(days=10), actor=personas.city)
    draft.items.filter(code="tekun_support").delete()
    services.publish_list(draft, actor=personas.city)
    assert ("赵一", "tekun_support") in entitlements()
    services.recompute_entitlements(day=today() + timedelta(days=10))
    assert ("赵一", "tekun_support") not in entitlements()


# ---- visits ---------------------------------------------------------------------------------------------------


def visit_data(**extra):
    return {"visited_on": today(), "mode": "in_person", "condition": "good", **extra}


def test_a_visit_with_a_risk_opens_a_follow_up_task(people, personas):
    visit = services.record_visit(
        people.lonely_poor, visit_data(risks="  燃气灶漏气 ", needs="助餐"), actor=personas.community
    )
    assert visit.visitor == personas.community and visit.visitor_name == "community"
    task = FollowUpTask.objects.get()
    assert task.elder == people.lonely_poor and task.description == "燃气灶漏气"
    assert task.due_on == today() + timedelta(days=7)
    services.record_visit(people.lonely_poor, visit_data(visitor_name="志愿者 小李"), actor=personas.community)
    assert FollowUpTask.objects.count() == 1
    services.close_task(task, "已联系燃气公司维修", actor=personas.huashan)
    task.refresh_from_db()
    assert task.status == "done"
    with pytest.raises(ValidationError) as exc:
        services.close_task(task, "again", actor=personas.huashan)
    assert exc.value.code == "task_closed"
    assert AuditEntry.objects.filter(model="welfare.welfarevisit").count() == 2


@pytest.mark.parametrize(
    ("who", "change", "code"),
    [
        ("lonely_poor", {"visited_on": today() + timedelta(days=1)}, "visit_in_future"),
        ("guandu", {}, "permission_denied"),  # another county's elder
    ],
)
def test_visit_refusals(people, personas, who, change, code):
    with pytest.raises(ValidationError) as exc:
        services.record_visit(getattr(people, who), visit_data(**change), actor=personas.community)
    err = exc.value
    codes = {e.code for errs in err.error_dict.values() for e in errs} if hasattr(err, "error_dict") else {err.code}
    assert code in codes
    assert WelfareVisit.objects.count() == 0


def test_no_visit_for_a_deceased_elder(people, personas):
    elder_services.record_death(people.lonely_poor, today() - timedelta(days=2), actor=personas.city)
    with pytest.raises(ValidationError) as exc:
        services.record_visit(people.lonely_poor, visit_data(), actor=personas.community)
    assert exc.value.code == "elder_not_active"
    assert WelfareVisit.objects.count() == 0


def test_officials_cannot_record_visits(people, personas):
    with pytest.raises(ValidationError) as exc:
        services.record_visit(people.lonely_poor, visit_data(), actor=personas.wuhua)
    assert exc.value.code == "permission_denied"
