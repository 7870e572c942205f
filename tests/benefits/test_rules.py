"""The pure rules B1–B5 and the personal allowances at and around every threshold (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuncheng.benefits import rules
from tests.benefits.helpers import b1_facts, params

B1 = params("B1_bed_construction", "2019")


def reason(result, code):
    return next(c for c in result.reasons if c.code == code)


def assert_shares_sum(result):
    assert sum(result.shares.values()) == result.amount


# --- B1 -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("occupancy", "eligible"), [("29.9", False), ("29.99", False), ("30", True), ("30.1", True)])
def test_b1_occupancy_threshold(occupancy, eligible):
    result = rules.bed_construction(B1, b1_facts(occupancy=occupancy))
    assert result.eligible is eligible
    assert result.amount == (Decimal("1000000.00") if eligible else Decimal("0.00"))
    c = reason(result, "occupancy")
    assert c.passed is eligible
    if not eligible:
        assert c.sentence == f"入住率 {occupancy}% < 30%"


def test_b1_reason_sentence_reads_like_the_issue():
    result = rules.bed_construction(B1, b1_facts(occupancy=27.5))
    assert reason(result, "occupancy").sentence == "入住率 27.5% < 30%"
    assert reason(result, "occupancy").value == "27.5%"
    assert reason(result, "occupancy").threshold == "≥ 30%"


@pytest.mark.parametrize(("beds", "eligible"), [(9, False), (10, True), (11, True)])
def test_b1_approved_beds_threshold(beds, eligible):
    result = rules.bed_construction(B1, b1_facts(approved_beds=beds))
    assert result.eligible is eligible
    assert result.amount == (Decimal(beds * 10000) if eligible else 0)


@pytest.mark.parametrize(("years", "eligible"), [(4, False), ("4.99", False), (5, True), (6, True)])
def test_b1_lease_years_threshold(years, eligible):
    result = rules.bed_construction(B1, b1_facts(property="leased", lease_years=years, approved_beds=20))
    assert result.eligible is eligible
    assert result.amount == (Decimal("100000.00") if eligible else 0)


@pytest.mark.parametrize(
    ("prop", "nursing", "expected"),
    [
        ("owned", "59.9", "200000.00"),
        ("owned", "60", "240000.00"),
        ("leased", "59.9", "100000.00"),
        ("leased", "60", "120000.00"),
    ],
)
def test_b1_nursing_supplement_threshold(prop, nursing, expected):
    facts = b1_facts(property=prop, lease_years=5, approved_beds=20, nursing_type=True, nursing_occupancy=nursing)
    result = rules.bed_construction(B1, facts)
    assert result.eligible
    assert result.amount == Decimal(expected)
    assert reason(result, "nursing_occupancy").kind == "supplement"
    assert_shares_sum(result)


def test_b1_not_social_force_paid_beds_and_shares():
    assert not rules.bed_construction(B1, b1_facts(kind="public")).eligible
    assert not rules.bed_construction(B1, b1_facts(kind="public_private_operated")).eligible
    result = rules.bed_construction(B1, b1_facts(approved_beds=120, paid_beds=100))
    assert result.amount == Decimal("200000.00")
    assert result.shares == {
        "province": Decimal("100000.00"),
        "city": Decimal("50000.00"),
        "county": Decimal("50000.00"),
    }
    all_paid = rules.bed_construction(B1, b1_facts(approved_beds=100, paid_beds=100))
    assert not all_paid.eligible
    assert all_paid.amount == 0
    assert sum(all_paid.shares.values()) == 0


def test_b7_sanctioned_institution_is_not_eligible():
    result = rules.bed_construction(B1, b1_facts(sanctioned=True, sanction_note="列入失信黑名单"))
    assert not result.eligible
    assert "列入失信黑名单" in reason(result, "not_sanctioned").sentence


# --- B2 and B2' ---------------------------------------------------------------------------------------------------

B2_2018 = params("B2_operating", "2018")
B2_2022 = params("B2_operating", "2022")


@pytest.mark.parametrize(("months", "eligible"), [(5, False), ("5.9", False), (6, True), (7, True)])
def test_b2_2018_months_in_use(months, eligible):
    facts = {"kind": "private_forprofit", "approved_beds": 50, "months_in_use": months, "residents": 10}
    result = rules.operating(B2_2018, facts)
    assert result.eligible is eligible
    assert result.amount == (Decimal("30000.00") if eligible else 0)
    if eligible:
        assert result.shares == {"province": 0, "city": Decimal("15000.00"), "county": Decimal("15000.00")}


def test_b2_2018_needs_residents_and_prorates_months():
    facts = {"kind": "private_forprofit", "approved_beds": 7, "months_in_use": 12, "residents": 0}
    assert not rules.operating(B2_2018, facts).eligible
    result = rules.operating(B2_2018, facts | {"residents": 1, "months": 5})
    assert result.amount == Decimal("1750.00")  # 7 × 600 × 5/12


def test_b2_2022_by_capability_level():
    facts = {
        "kind": "private_nonprofit",
        "residents_by_level": {"intact": 2, "mild": 1, "moderate": 1, "severe": 1, "total": 1},
        "months": 3,
    }
    result = rules.operating(B2_2022, facts)
    assert result.eligible
    assert result.amount == Decimal((2 * 50 + 70 + 100 + 150 + 150) * 3)
    assert [line.code for line in result.breakdown] == [
        "level_intact",
        "level_mild",
        "level_moderate",
        "level_severe",
        "level_total",
    ]
    assert_shares_sum(result)


# --- B3 -----------------------------------------------------------------------------------------------------------

B3_CITY = params("B3_caregiver_post", "2019-city")
B3_GUANDU = params("B3_caregiver_post", "2019-guandu")


def b3(**overrides):
    facts = {
        "employer_kind": "private_nonprofit",
        "certificate_grade": "senior",
        "contract_years": 1,
        "social_insurance": True,
    }
    facts.update(overrides)
    return facts


@pytest.mark.parametrize(("grade", "amount"), [("junior", 50), ("intermediate", 100), ("senior", 150)])
def test_b3_grades(grade, amount):
    assert rules.caregiver_post(B3_CITY, b3(certificate_grade=grade)).amount == amount


@pytest.mark.parametrize(("years", "eligible"), [("0.99", False), (1, True)])
def test_b3_contract_threshold(years, eligible):
    assert rules.caregiver_post(B3_CITY, b3(contract_years=years)).eligible is eligible


def test_b3_needs_insurance_private_employer_and_certificate_outside_guandu():
    assert not rules.caregiver_post(B3_CITY, b3(social_insurance=False)).eligible
    assert not rules.caregiver_post(B3_CITY, b3(employer_kind="public")).eligible
    result = rules.caregiver_post(B3_CITY, b3(certificate_grade="", trained=True, years_in_post=3))
    assert not result.eligible
    assert reason(result, "certificate").sentence == "未持养老护理职业资格证书"


@pytest.mark.parametrize(
    ("years", "amount"), [("0.99", None), (1, 50), ("1.99", 50), (2, 100), ("2.99", 100), (3, 150), (10, 150)]
)
def test_b3_guandu_extension_by_years(years, amount):
    facts = b3(certificate_grade="", trained=True, years_in_post=years, months=2)
    result = rules.caregiver_post(B3_GUANDU, facts)
    assert result.eligible is (amount is not None)
    assert result.amount == (amount * 2 if amount else 0)


def test_b3_guandu_extension_needs_training():
    result = rules.caregiver_post(B3_GUANDU, b3(certificate_grade="", trained=False, years_in_post=3))
    assert not result.eligible


# --- B4 -----------------------------------------------------------------------------------------------------------


def test_b4_graduate_once():
    p = params("B4_graduate", "2022")
    ok = rules.graduate_once(p, {"graduate": True, "employer_is_eldercare": True})
    assert (ok.eligible, ok.amount) == (True, Decimal("600.00"))
    assert not rules.graduate_once(p, {"graduate": False, "employer_is_eldercare": True}).eligible
    assert not rules.graduate_once(p, {"graduate": True, "employer_is_eldercare": False}).eligible
    assert not rules.graduate_once(p, {"graduate": True, "employer_is_eldercare": True, "already_paid": True}).eligible


# --- B5 -----------------------------------------------------------------------------------------------------------

B5C = params("B5_centre_construction", "2019-guandu")
B5O = params("B5_centre_operation", "2019-guandu")


@pytest.mark.parametrize(
    ("area", "project", "amount"),
    [
        ("799.99", "new", None),
        (800, "new", "1600000"),
        (600.5, "new", None),
    ],
)
def test_b5_construction_area_threshold(area, project, amount):
    result = rules.centre_construction(B5C, {"area_m2": area, "project": project})
    assert result.eligible is (amount is not None)


@pytest.mark.parametrize(
    ("area", "project", "amount"),
    [(800, "new", "1200000.00"), ("599.99", "new", None), (800, "renovation", "600000.00"), (500, "new", None)],
)
def test_b5_construction_cap_and_renovation_half(area, project, amount):
    result = rules.centre_construction(B5C, {"area_m2": area, "project": project})
    if amount is None:
        assert not result.eligible
    else:
        assert result.amount == Decimal(amount)
        assert_shares_sum(result)


def test_b5_construction_below_cap_and_rounding():
    result = rules.centre_construction(B5C, {"area_m2": "800.005", "project": "renovation"})
    # 800.005 m² × 2,000 = 1,600,010 → capped 1,200,000 → half
    assert result.amount == Decimal("600000.00")
    small = rules.centre_construction(B5C | {"cap": "10000000"}, {"area_m2": "800.0025", "project": "new"})
    assert small.amount == Decimal("1600005.00")


@pytest.mark.parametrize(
    ("centre", "grade", "amount"),
    [
        ("city", "优", "100000.00"),
        ("city", "良", "80000.00"),
        ("rebranded", "fair", "25000.00"),
        ("private_operated", "good", "19200.00"),
        ("private_operated", "差", None),
    ],
)
def test_b5_operation_by_grade(centre, grade, amount):
    result = rules.centre_operation(B5O, {"centre_type": centre, "grade": grade})
    assert result.eligible is (amount is not None)
    assert result.amount == (Decimal(amount) if amount else 0)


# --- personal allowances -------------------------------------------------------------------------------------------

P1 = params("P1_longevity_allowance", "2023")


@pytest.mark.parametrize(
    ("county", "age", "amount"),
    [
        ("530102", 79, None),
        ("530102", 80, 60),
        ("530102", 89, 60),
        ("530102", 90, 120),
        ("530102", 99, 120),
        ("530102", 100, 500),
        ("530111", 79, None),
        ("530111", 80, 110),
        ("530111", 89, 110),
        ("530111", 90, 200),
        ("530111", 99, 200),
        ("530111", 100, 600),
        ("530181", 80, 100),
        ("530181", 90, 200),
        ("530181", 100, 500),
        ("530129", 100, 500),
    ],
)
def test_longevity_allowance_by_county_and_band(county, age, amount):
    result = rules.age_band(P1, {"county": county, "age": age})
    assert result.eligible is (amount is not None)
    assert result.amount == (Decimal(amount) if amount else 0)


def test_placeholders_are_flagged_unverified():
    p2 = rules.flat_monthly(
        params("P2_service_subsidy_poor", "placeholder"), {"age": 70, "economically_difficult": True}
    )
    assert p2.eligible
    assert p2.warnings and "未核实" in p2.warnings[0]
    p3 = params("P3_disability_care_subsidy", "placeholder")
    assert not rules.by_capability_level(
        p3, {"age": 70, "capability_level": "mild", "economically_difficult": True}
    ).eligible
    assert rules.by_capability_level(
        p3, {"age": 70, "capability_level": "severe", "economically_difficult": True}
    ).eligible
    assert not rules.by_capability_level(
        p3, {"age": 70, "capability_level": "severe", "economically_difficult": False}
    ).eligible


# --- money, shares, bad input -------------------------------------------------------------------------------------


def test_fund_shares_round_half_up_and_sum_exactly():
    shares = rules.fund_shares(Decimal("0.05"), {"province_share_percent": "50", "city_share_of_rest_percent": "50"})
    assert shares == {"province": Decimal("0.03"), "city": Decimal("0.01"), "county": Decimal("0.01")}
    assert sum(shares.values()) == Decimal("0.05")
    assert rules.money(Decimal("2.345")) == Decimal("2.35")
    assert rules.money(Decimal("2.344999")) == Decimal("2.34")


@pytest.mark.parametrize(
    ("facts", "code", "key"),
    [
        ({k: v for k, v in b1_facts().items() if k != "approved_beds"}, "input_missing_key", "approved_beds"),
        (b1_facts(approved_beds=-1), "input_negative", "approved_beds"),
        (b1_facts(paid_beds=-3), "input_negative", "paid_beds"),
        (b1_facts(occupancy=-0.1), "input_negative", "occupancy"),
        (b1_facts(occupancy=101), "input_invalid", "occupancy"),
        (b1_facts(approved_beds="ten"), "input_invalid", "approved_beds"),
        (b1_facts(approved_beds=10.5), "input_invalid", "approved_beds"),
        (b1_facts(property="rented"), "input_invalid", "property"),
        (b1_facts(property="leased"), "input_missing_key", "lease_years"),
        (b1_facts(nursing_type="yes"), "input_invalid", "nursing_type"),
        (b1_facts(nursing_type=True), "input_missing_key", "nursing_occupancy"),
        ([1, 2], "input_invalid", ""),
    ],
)
def test_bad_input_is_refused_with_a_stable_code(facts, code, key):
    with pytest.raises(rules.QuoteError) as caught:
        rules.bed_construction(B1, facts)
    assert caught.value.code == code
    assert caught.value.key == key
    assert caught.value.message  # Chinese, names the key
    if key:
        assert key in caught.value.message
