"""Family-bed services: setup with the policy's default plan, every refusal (nothing written), adaptation, status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.models import AuditEntry
from chuncheng.familybeds import rules, services
from chuncheng.familybeds.models import HomeAdaptation, HomeCareBed
from tests.familybeds.conftest import setup

pytestmark = pytest.mark.django_db


def _code(exc: ValidationError) -> str:
    errors = [e for errs in exc.error_dict.values() for e in errs] if hasattr(exc, "error_dict") else exc.error_list
    return errors[0].code


def _refused(code: str, call) -> None:
    beds, adaptations, audits = HomeCareBed.objects.count(), HomeAdaptation.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as info:
        call()
    assert _code(info.value) == code
    assert (HomeCareBed.objects.count(), HomeAdaptation.objects.count(), AuditEntry.objects.count()) == (
        beds,
        adaptations,
        audits,
    )


def test_policy_file_has_sources_and_defaults():
    assert rules.eligible_levels() == ["moderate", "severe", "total"]
    assert rules.subsidy_cap() == Decimal("3000.00")
    assert sum(e["visits_per_month"] for e in rules.default_plan()) == 5
    assert "grab_bar" in rules.adaptation_items()


def test_setup_with_the_default_plan_is_audited(beds_world, personas):
    bed = setup(beds_world.elder, personas.community, beds_world.provider)
    assert (bed.status, bed.planned_visits, bed.capability_level, bed.contractor) == (
        "active",
        5,
        "severe",
        beds_world.provider,
    )
    assert AuditEntry.objects.filter(model="familybeds.homecarebed", object_id=str(bed.public_id)).count() == 1
    other = setup(
        beds_world.guandu_elder,
        personas.guandu,
        personas.guandu_home,
        plan=[{"kind": "cleaning", "visits_per_month": 4}],
    )
    assert (other.institution, other.planned_visits) == (personas.guandu_home, 4)


def test_refused_below_the_required_level(beds_world, personas):
    _refused("level_not_eligible", lambda: setup(beds_world.plain, personas.huashan, beds_world.provider))


def test_refused_for_a_deceased_elder(beds_world, personas):
    from chuncheng.elders import services as elder_services

    elder_services.record_death(beds_world.elder, date(2026, 8, 1), actor=personas.city)
    beds_world.elder.refresh_from_db()
    _refused("elder_deceased", lambda: setup(beds_world.elder, personas.wuhua, beds_world.provider))


def test_refused_during_an_open_institution_stay(beds_world, personas):
    from chuncheng.institutions.models import Admission

    Admission.objects.create(elder=beds_world.elder, institution=personas.wuhua_home, admitted_on=date(2026, 1, 5))
    _refused("in_institution", lambda: setup(beds_world.elder, personas.wuhua, beds_world.provider))


def test_refused_a_second_active_bed(beds_world, personas):
    setup(beds_world.elder, personas.community, beds_world.provider)
    _refused("bed_exists", lambda: setup(beds_world.elder, personas.community, personas.wuhua_home))


def test_refused_without_exactly_one_contractor_or_with_a_bad_plan(beds_world, personas):
    elder = beds_world.elder
    _refused(
        "no_contractor",
        lambda: services.setup_bed(elder, start_date=date(2026, 9, 1), actor=personas.community),
    )
    _refused(
        "no_contractor",
        lambda: services.setup_bed(
            elder,
            provider=beds_world.provider,
            institution=personas.wuhua_home,
            start_date=date(2026, 9, 1),
            actor=personas.community,
        ),
    )
    bad = [{"kind": "juggling", "visits_per_month": 2}]
    _refused("bad_plan", lambda: setup(elder, personas.community, beds_world.provider, plan=bad))
    bad = [{"kind": "cleaning", "visits_per_month": 40}]
    _refused("bad_plan", lambda: setup(elder, personas.community, beds_world.provider, plan=bad))


def test_refused_a_provider_not_serving_the_area(beds_world, personas):
    _refused("area_not_served", lambda: setup(beds_world.elder, personas.community, beds_world.guandu_provider))


def test_refused_outside_the_users_area_or_role(beds_world, personas):
    _refused("permission_denied", lambda: setup(beds_world.guandu_elder, personas.wuhua, beds_world.provider))
    _refused("permission_denied", lambda: setup(beds_world.elder, personas.operator, beds_world.provider))


def test_adaptation_subsidy_is_capped_by_policy(beds_world, personas):
    bed = setup(beds_world.elder, personas.community, beds_world.provider)
    _refused(
        "subsidy_over_cap",
        lambda: services.record_adaptation(
            bed, items=["grab_bar"], cost="5000", subsidy="3000.01", actor=personas.community
        ),
    )
    _refused(
        "subsidy_over_cost",
        lambda: services.record_adaptation(
            bed, items=["grab_bar"], cost="800", subsidy="900", actor=personas.community
        ),
    )
    _refused(
        "bad_item",
        lambda: services.record_adaptation(bed, items=["jacuzzi"], cost="800", subsidy="100", actor=personas.community),
    )
    adaptation = services.record_adaptation(
        bed,
        items=["grab_bar", "anti_slip_floor"],
        cost="4200.50",
        subsidy="3000",
        completed_on=date(2026, 9, 20),
        actor=personas.community,
    )
    assert (adaptation.cost, adaptation.subsidy) == (Decimal("4200.50"), Decimal("3000"))
    services.record_adaptation(bed, items=["grab_bar"], cost="1000", subsidy="500", actor=personas.community)
    assert HomeAdaptation.objects.get(bed=bed).items == ["grab_bar"]
    assert AuditEntry.objects.filter(model="familybeds.homeadaptation").count() == 2


def test_status_changes_and_a_new_bed_after_closing(beds_world, personas):
    bed = setup(beds_world.elder, personas.community, beds_world.provider)
    bed = services.change_status(bed, "suspended", actor=personas.community)
    assert bed.status == "suspended"
    bed = services.change_status(bed, "active", actor=personas.community)
    bed = services.change_status(bed, "closed", on=date(2026, 10, 31), actor=personas.community)
    assert (bed.status, bed.end_date) == ("closed", date(2026, 10, 31))
    _refused("bad_status", lambda: services.change_status(bed, "active", actor=personas.community))
    again = setup(beds_world.elder, personas.community, beds_world.provider, start=date(2026, 11, 1))
    assert again.status == "active" and HomeCareBed.objects.filter(elder=beds_world.elder).count() == 2
