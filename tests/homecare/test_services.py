"""Service rules of home care: catalogue, pricing, order transitions, check-in/out and every refusal."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.models import AuditEntry
from chuncheng.homecare import rules, services
from chuncheng.homecare.choices import ErrorCode, OrderStatus, VisitStatus
from chuncheng.homecare.models import CatalogueItem, CatalogueVersion, HomecareSetting, ServiceOrder, Visit
from tests.homecare.conftest import HOME, assigned_order

pytestmark = pytest.mark.django_db


def code_of(exc: pytest.ExceptionInfo) -> str:
    return (
        exc.value.error_list[0].code
        if not hasattr(exc.value, "error_dict")
        else next(iter(exc.value.error_dict.values()))[0].code
    )


# ---- pure rules -------------------------------------------------------------------------------------------------


def test_target_group_takes_the_first_that_applies():
    assert rules.target_group(["lonely", "dibao", "tekun"]) == "tekun"
    assert rules.target_group(["dibao_edge", "dibao"]) == "dibao"
    assert rules.target_group(["dibao_edge"]) == "dibao_edge"
    assert rules.target_group(["living_alone"]) == "general"


def test_quote_subsidises_the_rest_up_to_market():
    q = rules.quote(Decimal("40.00"), Decimal("10.00"), 2)
    assert (q.market_amount, q.elder_amount, q.subsidy_amount) == (Decimal("80.00"), Decimal("20.00"), Decimal("60.00"))
    q = rules.quote(Decimal("40.00"), Decimal("50.00"), 1)  # never above market, never a negative subsidy
    assert (q.elder_amount, q.subsidy_amount) == (Decimal("40.00"), Decimal("0.00"))


def test_distance_is_haversine():
    assert rules.distance_m(*HOME, *HOME) == 0
    one_milli_degree = rules.distance_m(HOME[0], HOME[1], HOME[0] + 0.001, HOME[1])
    assert 110 < one_milli_degree < 112


def test_code_hash_binds_code_and_visit():
    stored = rules.code_hash("v1", "123456")
    assert rules.code_matches("v1", "123456", stored)
    assert not rules.code_matches("v1", "123457", stored)
    assert not rules.code_matches("v2", "123456", stored)
    assert "123456" not in stored


# ---- catalogue --------------------------------------------------------------------------------------------------


def test_catalogue_loads_once_with_settings_and_open_marks(catalogue):
    assert catalogue == {"version": 1, "items": 6}
    assert services.load_catalogue() == {"version": 1, "items": 0}
    assert CatalogueItem.objects.count() == 6
    assert all(item.is_open for item in CatalogueItem.objects.all())
    assert services.setting("check_in_radius_m") == 200
    assert HomecareSetting.objects.get(key="max_travel_speed_kmh").value == 60


def test_a_new_version_closes_the_one_in_force(catalogue, tmp_path):
    doc = json.loads(services.CATALOGUE.read_text(encoding="utf-8"))
    doc["version"], doc["effective_from"] = 2, "2027-01-01"
    doc["items"][1]["market_price"] = "50.00"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    services.load_catalogue(path=path)
    assert CatalogueVersion.objects.get(version=1).effective_to == date(2026, 12, 31)
    assert services.item_in_force("cleaning", date(2026, 12, 31)).market_price == Decimal("40.00")
    assert services.item_in_force("cleaning", date(2027, 1, 1)).market_price == Decimal("50.00")
    assert services.item_in_force("cleaning", date(2025, 12, 31)) is None


def test_a_bad_catalogue_is_refused_and_writes_nothing(db, tmp_path):
    doc = json.loads(services.CATALOGUE.read_text(encoding="utf-8"))
    doc["items"][0]["kind"] = "massage"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        services.load_catalogue(path=path)
    assert code_of(exc) == ErrorCode.BAD_CATALOGUE
    assert CatalogueVersion.objects.count() == 0


# ---- providers ---------------------------------------------------------------------------------------------------


def test_provider_uscc_is_validated(world, personas):
    from chuncheng.core.models import OrgUnit

    with pytest.raises(ValidationError) as exc:
        services.register_provider(
            {
                "name": "x",
                "uscc": "91530102MA6K000000",
                "org_unit": OrgUnit.objects.get(code="530102"),
                "areas": ["530102"],
            },
            actor=personas.wuhua,
        )
    assert "uscc" in exc.value.error_dict


def test_a_county_official_registers_providers_only_in_their_county(world, personas):
    from chuncheng.core.models import OrgUnit

    with pytest.raises(ValidationError) as exc:
        services.register_provider(
            {
                "name": "x",
                "uscc": "52530111000000000X",
                "org_unit": OrgUnit.objects.get(code="530111"),
                "areas": ["530111"],
            },
            actor=personas.wuhua,
        )
    assert code_of(exc) == ErrorCode.BAD_AREA


def test_community_workers_cannot_register_providers(world, personas):
    with pytest.raises(ValidationError) as exc:
        services.register_provider({"name": "x"}, actor=personas.community)
    assert code_of(exc) == ErrorCode.PERMISSION_DENIED


# ---- orders -----------------------------------------------------------------------------------------------------


def test_order_is_priced_for_the_elders_group(world, personas):
    order = services.create_order(
        world.elder, world.provider, "cleaning", date(2026, 11, 24), quantity=2, actor=personas.community
    )
    assert (order.target_group, order.market_amount, order.elder_amount, order.subsidy_amount) == (
        "tekun",
        Decimal("80.00"),
        Decimal("0.00"),
        Decimal("80.00"),
    )
    plain = services.create_order(world.plain, world.provider, "bathing", date(2026, 11, 24), actor=personas.huashan)
    # The catalogue would subsidise 80 − 70 = 10, but a general elder's monthly allowance is 0: the elder pays 80.
    assert (plain.target_group, plain.elder_amount, plain.subsidy_amount) == (
        "general",
        Decimal("80.00"),
        Decimal("0.00"),
    )
    assert AuditEntry.objects.filter(model="homecare.serviceorder", object_id=str(order.public_id)).count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("deceased", ErrorCode.ELDER_DECEASED),
        ("moved", ErrorCode.ELDER_NOT_ACTIVE),
        ("inactive", ErrorCode.PROVIDER_INACTIVE),
        ("not_served", ErrorCode.AREA_NOT_SERVED),
        ("no_price", ErrorCode.NO_PRICE),
    ],
)
def test_order_refusals_write_nothing(world, personas, change, code):
    from chuncheng.elders.models import Elder

    elder, provider, day = world.elder, world.provider, date(2026, 11, 24)
    if change == "deceased":
        Elder.objects.filter(pk=elder.pk).update(status="deceased", died_on=date(2026, 11, 1))
        elder.refresh_from_db()
    elif change == "moved":
        Elder.objects.filter(pk=elder.pk).update(status="moved_away", moved_on=date(2026, 11, 1))
        elder.refresh_from_db()
    elif change == "inactive":
        provider.active = False
        provider.save()
    elif change == "not_served":
        provider = world.guandu_provider
    else:
        day = date(2025, 12, 31)
    with pytest.raises(ValidationError) as exc:
        services.create_order(elder, provider, "cleaning", day, actor=personas.huashan)
    assert code_of(exc) == code
    assert ServiceOrder.objects.count() == 0


def test_officials_cannot_create_orders(world, personas):
    with pytest.raises(ValidationError) as exc:
        services.create_order(world.elder, world.provider, "cleaning", date(2026, 11, 24), actor=personas.wuhua)
    assert code_of(exc) == ErrorCode.PERMISSION_DENIED


def test_transitions_are_explicit_and_audited(world, personas):
    actor = personas.community
    order = services.create_order(world.elder, world.provider, "cleaning", date(2026, 11, 24), actor=actor)
    with pytest.raises(ValidationError) as exc:  # created → assigned skips acceptance
        services.assign_order(order, world.carer, actor=actor)
    assert code_of(exc) == ErrorCode.BAD_TRANSITION
    services.accept_order(order, actor=actor)
    with pytest.raises(ValidationError) as exc:
        services.accept_order(order, actor=actor)
    assert code_of(exc) == ErrorCode.BAD_TRANSITION
    with pytest.raises(ValidationError) as exc:
        services.assign_order(order, world.guandu_carer, actor=actor)
    assert code_of(exc) == ErrorCode.CAREGIVER_NOT_OF_PROVIDER
    services.assign_order(order, world.carer, actor=actor)
    services.assign_order(order, world.carer2, actor=actor)  # reassigned before the visit
    order.refresh_from_db()
    assert (order.status, order.caregiver_id) == (OrderStatus.ASSIGNED, world.carer2.pk)
    services.cancel_order(order, "家属取消", actor=actor)
    with pytest.raises(ValidationError) as exc:
        services.cancel_order(order, "again", actor=actor)
    assert code_of(exc) == ErrorCode.BAD_TRANSITION
    updates = AuditEntry.objects.filter(model="homecare.serviceorder", object_id=str(order.public_id))
    assert updates.count() == 5  # create, accept, assign, reassign, cancel


# ---- check-in and check-out ---------------------------------------------------------------------------------------


def test_check_in_and_out_record_the_six_points_and_the_confirmation(world, personas):
    order = assigned_order(world, personas.community)
    visit, code = services.check_in(order, HOME[0] + 0.0005, HOME[1], actor=world.carer_user)
    assert len(code) == 6 and code not in visit.code_hash
    assert (visit.status, visit.kind, visit.elder_id, visit.caregiver_id) == (
        "open",
        "cleaning",
        world.elder.pk,
        world.carer.pk,
    )
    assert 50 < visit.check_in_distance_m < 60 and not visit.no_reference_location
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_SERVICE
    visit = services.check_out(visit, *HOME, code, actor=world.carer_user)
    assert visit.status == VisitStatus.CLOSED and visit.confirmed and visit.duration_s >= 0
    assert visit.check_out_distance_m == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert Visit.objects.payable().filter(pk=visit.pk).exists()


def test_check_out_without_code_is_recorded_but_not_payable(world, personas):
    visit, _code = services.check_in(assigned_order(world, personas.community), *HOME, actor=personas.community)
    visit = services.check_out(visit, *HOME, "", actor=personas.community)
    assert visit.status == VisitStatus.CLOSED and not visit.confirmed
    assert not Visit.objects.payable().filter(pk=visit.pk).exists()


def test_wrong_code_is_refused_and_nothing_written(world, personas):
    visit, code = services.check_in(assigned_order(world, personas.community), *HOME, actor=world.carer_user)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as exc:
        services.check_out(visit, *HOME, wrong, actor=world.carer_user)
    assert code_of(exc) == ErrorCode.BAD_CODE
    visit.refresh_from_db()
    assert visit.status == VisitStatus.OPEN and visit.check_out_at is None


def test_check_out_twice_or_before_check_in_is_refused(world, personas):
    visit, code = services.check_in(assigned_order(world, personas.community), *HOME, actor=world.carer_user)
    services.check_out(visit, *HOME, code, actor=world.carer_user)
    with pytest.raises(ValidationError) as exc:
        services.check_out(visit, *HOME, code, actor=world.carer_user)
    assert code_of(exc) == ErrorCode.NO_OPEN_VISIT
    fresh = Visit.objects.get(pk=visit.pk)
    with pytest.raises(ValidationError) as exc:  # a clock before the check-in
        fresh.status = "open"
        Visit.objects.filter(pk=visit.pk).update(status="open", check_out_at=None, check_out_epoch=None)
        services.check_out(fresh, *HOME, code, actor=world.carer_user, now=fresh.check_in_at - timedelta(minutes=1))
    assert code_of(exc) == ErrorCode.NO_OPEN_VISIT


def test_a_second_open_check_in_is_refused(world, personas):
    services.check_in(assigned_order(world, personas.community), *HOME, actor=world.carer_user)
    second = assigned_order(world, personas.community, elder=world.plain)
    with pytest.raises(ValidationError) as exc:
        services.check_in(second, *HOME, actor=world.carer_user)
    assert code_of(exc) == ErrorCode.OPEN_CHECK_IN
    second.refresh_from_db()
    assert second.status == OrderStatus.ASSIGNED and Visit.objects.count() == 1


def test_check_in_for_a_deceased_elder_is_refused(world, personas):
    from chuncheng.elders.models import Elder

    order = assigned_order(world, personas.community)
    Elder.objects.filter(pk=world.elder.pk).update(status="deceased", died_on=date(2026, 11, 1))
    with pytest.raises(ValidationError) as exc:
        services.check_in(order, *HOME, actor=world.carer_user)
    assert code_of(exc) == ErrorCode.ELDER_DECEASED
    assert Visit.objects.count() == 0


def test_check_in_by_another_caregiver_or_of_an_unassigned_order_is_refused(world, personas):
    order = assigned_order(world, personas.community, caregiver=world.carer2)
    with pytest.raises(ValidationError) as exc:
        services.check_in(order, *HOME, actor=world.carer_user)
    assert code_of(exc) == ErrorCode.NOT_ASSIGNED_CAREGIVER
    created = services.create_order(world.elder, world.provider, "meal", date(2026, 11, 24), actor=personas.community)
    with pytest.raises(ValidationError) as exc:
        services.check_in(created, *HOME, actor=personas.community)
    assert code_of(exc) == ErrorCode.BAD_TRANSITION
    with pytest.raises(ValidationError) as exc:
        services.check_in(order, 95, 200, actor=personas.community)
    assert code_of(exc) == ErrorCode.BAD_LOCATION
    assert Visit.objects.count() == 0


def test_no_reference_location_when_the_elder_has_no_coordinates(world, personas):
    visit, _ = services.check_in(
        assigned_order(world, personas.community, elder=world.plain), *HOME, actor=world.carer_user
    )
    assert visit.no_reference_location and visit.check_in_distance_m is None


def test_officials_cannot_check_in(world, personas):
    order = assigned_order(world, personas.community)
    with pytest.raises(ValidationError) as exc:
        services.check_in(order, *HOME, actor=personas.wuhua)
    assert code_of(exc) == ErrorCode.PERMISSION_DENIED
