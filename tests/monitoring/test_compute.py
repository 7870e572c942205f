"""Every computed indicator on hand-built data; the expected numbers are worked out by hand in each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chuncheng.monitoring import compute
from chuncheng.monitoring.choices import ValueStatus
from tests.monitoring.conftest import DAY, make_elder, make_facility, make_staff

pytestmark = pytest.mark.django_db

CITY = compute.Area("530100", "city", DAY)
WUHUA = compute.Area("530102", "county", DAY)
HUASHAN = compute.Area("530102001", "township", DAY)


def values(key, area):
    r = compute.compute(key, area)
    return (r.numerator, r.denominator, r.value, r.status)


def D(x):
    return Decimal(x).quantize(Decimal("0.0001"))


def test_bed_indicators(wuhua):
    # In operation on 2025-06-30: 甲院 (100 beds, 60 nursing, 20 safety-net, 30 puhui, government-operated) and
    # 乙院 (50, 10, 5, 5). 丙院 has exited, 丁院 opens in 2026. Approved beds 150.
    assert values("nursing_bed_share", WUHUA) == (D(70), D(150), D("46.6667"), "ok")  # 70/150
    assert values("safety_net_bed_share", WUHUA) == (D(25), D(150), D("16.6667"), "ok")  # 25/150
    assert values("safety_net_and_puhui_bed_share", WUHUA) == (D(60), D(150), D(40), "ok")  # (25+35)/150
    assert values("government_operated_bed_share", WUHUA) == (D(100), D(150), D("66.6667"), "ok")
    assert values("beds_per_1000_elders_private", WUHUA) == (D(50), D(150), D("33.3333"), "ok")
    # 60+ of 2025 (not 2024's 9,000): 150 × 1000 / 10,000 = 15
    assert values("beds_per_1000_elders", WUHUA) == (D(150), D(10_000), D(15), "ok")
    # A township has no population row: no denominator, never a guess.
    assert values("beds_per_1000_elders", HUASHAN)[2:] == (None, ValueStatus.NO_DENOMINATOR)
    # 华山街道 alone: 甲院 only.
    assert values("nursing_bed_share", HUASHAN) == (D(60), D(100), D(60), "ok")
    # The city has no population row of its own and no other county rows: the sum of county rows = 10,000.
    assert values("beds_per_1000_elders", CITY) == (D(150), D(10_000), D(15), "ok")
    # Before 乙院 opened (2021-01-01): 甲院 only; population falls back to no figure (none before 2024).
    early = compute.Area("530102", "county", date(2021, 1, 1))
    assert values("nursing_bed_share", early) == (D(60), D(100), D(60), "ok")
    assert values("beds_per_1000_elders", early)[3] == ValueStatus.NO_DENOMINATOR


def test_medical_integration(wuhua):
    _a, b = wuhua
    # 甲院 has an internal medical service, 乙院 neither that nor an agreement: 1 of 2.
    assert values("medical_integration_coverage", WUHUA) == (D(1), D(2), D(50), "ok")
    b.medical_agreement = True
    b.save()
    assert values("medical_integration_coverage", WUHUA) == (D(2), D(2), D(100), "ok")
    # Counties with a medical-integrated institution: 五华区 only, of 14 → 1/14 = 7.1429%.
    assert values("medical_integrated_per_county", CITY) == (D(1), D(14), D("7.1429"), "ok")
    assert values("medical_integrated_per_county", WUHUA) == (D(1), D(1), D(100), "ok")
    # A township reads its county.
    assert values("medical_integrated_per_county", HUASHAN) == (D(1), D(1), D(100), "ok")


def test_staff_indicators(wuhua):
    a, b = wuhua
    make_staff("530102001", "social_worker", institution=a)
    make_staff("530102002", "social_worker", institution=b, hired_on=date(2024, 1, 1))
    make_staff("530102003", "social_worker")  # a community facility's worker: counts per elder, not per bed
    make_staff("530102001", "social_worker", institution=a, left_on=date(2025, 1, 1))  # gone
    make_staff("530102001", "social_worker", institution=a, hired_on=date(2025, 7, 1))  # not yet
    make_staff("530111001", "social_worker")  # 官渡区
    # 3 in post per 10,000 elders → 0.3 per 1,000; 2 institutional per 150 beds → 1.3333 per 100.
    assert values("social_workers_per_1000_elders", WUHUA) == (D(3), D(10_000), D("0.3"), "ok")
    assert values("social_workers_per_100_beds", WUHUA) == (D(2), D(150), D("1.3333"), "ok")
    make_staff("530102001", "caregiver", institution=a, trained=True)
    make_staff("530102001", "caregiver", institution=a, trained=True, hired_on=date(2023, 3, 1))
    make_staff("530102002", "caregiver", institution=b, trained=False)
    make_staff("530102002", "caregiver", institution=b, trained=True, hired_on=date(2026, 1, 1))
    make_staff("530111001", "caregiver", trained=True)
    assert values("caregivers_trained", WUHUA) == (D(2), None, D(2), "ok")
    assert values("caregivers_trained", CITY) == (D(3), None, D(3), "ok")


def test_facility_coverage(org_tree):
    make_facility("530102001", "street_center", opened_on=date(2019, 1, 1))
    make_facility("530102002", "street_center")
    make_facility("530102002", "street_center")  # a second one in the same street counts once
    make_facility("530102003", "street_center", status="closed")
    make_facility("530102004", "street_center", opened_on=date(2025, 7, 1))  # not yet open
    # 2 of 五华区's 11 streets: 18.1818%.
    assert values("street_center_coverage", WUHUA) == (D(2), D(11), D("18.1818"), "ok")
    assert values("street_center_coverage", HUASHAN) == (D(1), D(1), D(100), "ok")
    make_facility("530102001001", "day_care")
    make_facility("530102001002", "community_center")
    make_facility("530102001003", "canteen")  # not day care, but a community facility
    # Day care: 2 of 101 communities (1.9802%); any facility: 3 of 101 (2.9703%).
    assert values("day_care_coverage", WUHUA) == (D(2), D(101), D("1.9802"), "ok")
    assert values("community_facility_coverage", WUHUA) == (D(3), D(101), D("2.9703"), "ok")
    # 五华区 has no rural village: no denominator.
    assert values("rural_homecare_center_coverage", WUHUA)[3] == ValueStatus.NO_DENOMINATOR


def test_rural_homecare_and_regional_centres(org_tree):
    from chuncheng.core.models import OrgUnit

    rural = list(OrgUnit.objects.filter(code__startswith="530181", level="village", urban=False).order_by("code")[:3])
    total = OrgUnit.objects.filter(code__startswith="530181", level="village", urban=False).count()
    make_facility(rural[0].code, "rural_center")
    make_facility(rural[1].code, "mutual_aid_station")
    make_facility(rural[1].code, "rural_center")
    anning = compute.Area("530181", "county", DAY)
    r = compute.compute("rural_homecare_center_coverage", anning)
    assert (r.numerator, r.denominator) == (D(2), D(total))
    # Rural regional centres: a county counts with two or more.
    make_facility(rural[0].code[:9], "rural_regional_center")
    assert values("rural_regional_centers_per_county", anning) == (D(0), D(1), D(0), "ok")
    make_facility(rural[2].code[:9], "rural_regional_center")
    assert values("rural_regional_centers_per_county", anning) == (D(1), D(1), D(100), "ok")
    assert values("rural_regional_centers_per_county", CITY) == (D(1), D(14), D("7.1429"), "ok")


def test_canteens_and_senior_universities(org_tree):
    make_facility("530102001", "canteen", opened_on=date(2019, 5, 1))
    make_facility("530102002", "canteen", opened_on=date(2025, 3, 1))
    make_facility("530102003", "canteen", opened_on=date(2025, 6, 30))
    make_facility("530102004", "canteen", opened_on=date(2025, 9, 1))  # after the date
    make_facility("530102005", "canteen", status="closed")
    assert values("canteens_stock", WUHUA) == (D(3), None, D(3), "ok")
    assert values("new_canteens_per_year", WUHUA) == (D(2), None, D(2), "ok")
    make_facility("530102", "senior_university")  # the county's own
    make_facility("530102001", "senior_university")  # a street branch
    make_facility("530102001001", "senior_university")  # a community learning point
    assert values("senior_university_per_county", CITY) == (D(1), D(14), D("7.1429"), "ok")
    assert values("senior_university_branch_townships", WUHUA) == (D(1), D(11), D("9.0909"), "ok")
    assert values("senior_learning_point_villages", WUHUA) == (D(1), D(101), D("0.9901"), "ok")


def test_tekun_disabled_concentrated(wuhua):
    from chuncheng.institutions.models import Admission

    a, _b = wuhua
    in_home = make_elder("530102001001", tekun=True, capability="severe")
    left = make_elder("530102001001", tekun=True, capability="total")
    at_home = make_elder("530102001002", tekun=True, capability="severe")
    mild = make_elder("530102001002", tekun=True, capability="mild")  # not disabled: outside both
    make_elder("530102001002", capability="total")  # not 特困
    make_elder("530102001002", tekun=True, capability="total", status="deceased", died_on=date(2025, 1, 1))
    Admission.objects.create(elder=in_home, institution=a, admitted_on=date(2025, 1, 1))
    Admission.objects.create(elder=left, institution=a, admitted_on=date(2024, 1, 1), discharged_on=date(2025, 5, 1))
    Admission.objects.create(elder=mild, institution=a, admitted_on=date(2025, 1, 1))
    assert at_home.pk
    # Disabled 特困 alive on the date: in_home, left, at_home = 3; in a home on the date: 1 → 33.3333%.
    assert values("tekun_disabled_concentrated", WUHUA) == (D(1), D(3), D("33.3333"), "ok")
    # On 2025-04-30 ``left`` was still in the home: 2 of 3.
    assert values("tekun_disabled_concentrated", compute.Area("530102", "county", date(2025, 4, 30)))[:2] == (
        D(2),
        D(3),
    )


def test_visit_rate_reuses_welfare(people, personas):
    from chuncheng.welfare import services
    from chuncheng.welfare.models import WelfareVisit

    services.recompute_all()

    def visit(elder, day):
        WelfareVisit.objects.create(
            elder=elder, visited_on=day, visitor=personas.community, visitor_name="x", mode="phone", condition="good"
        )

    # Special-difficulty elders (welfare fixtures): 4 in 五华区 华山街道, 1 in 官渡区. Two 五华 elders and the 官渡
    # one are visited in October 2026; the indicator on 2026-11-15 reads the last full month, October.
    visit(people.lonely_poor, date(2026, 10, 3))
    visit(people.alone_old, date(2026, 10, 31))
    visit(people.guandu, date(2026, 10, 1))
    visit(people.disabled, date(2026, 11, 2))  # November is not complete on the 15th
    day = date(2026, 11, 15)
    assert values("special_difficulty_monthly_visit_rate", compute.Area("530102", "county", day)) == (
        D(2),
        D(4),
        D(50),
        "ok",
    )
    assert values("special_difficulty_monthly_visit_rate", compute.Area("530100", "city", day))[:3] == (
        D(3),
        D(5),
        D(60),
    )
    assert values("special_difficulty_monthly_visit_rate", compute.Area("530102001", "township", day))[2] == D(50)
    # On the month's last day that month itself is complete: November, 1 of 4 in 五华区.
    assert values("special_difficulty_monthly_visit_rate", compute.Area("530102", "county", date(2026, 11, 30)))[
        :2
    ] == (D(1), D(4))


def test_established_indicators(people, personas):
    # The welfare pack publishes the city-default list: established everywhere once in force.
    assert values("basic_service_list", WUHUA)[2] == D(1)
    assert values("basic_service_list", compute.Area("530102", "county", date(2000, 1, 1)))[2] == D(0)
    assert values("capability_assessment_system", WUHUA)[2] == D(0)  # no signed assessment yet


def test_no_data_source_is_a_status_never_a_value(org_tree):
    for key in ("elder_volunteer_share", "childcare_slots_per_1000", "tekun_willing_concentrated"):
        assert values(key, CITY) == (None, None, None, ValueStatus.NO_DATA_SOURCE)
    # A reported indicator is not computed: it awaits the department's figure.
    assert values("life_expectancy", CITY) == (None, None, None, ValueStatus.AWAITING_REPORT)


def test_every_computed_indicator_of_the_catalogue_is_in_the_registry():
    import json

    from chuncheng.monitoring.services import PACK

    doc = json.loads(PACK.read_text(encoding="utf-8"))
    computed = {i["key"] for i in doc["indicators"] if i["source_kind"] == "computed"}
    assert computed - set(compute.REGISTRY) == set()
    assert set(compute.REGISTRY) - computed == set()
