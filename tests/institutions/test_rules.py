"""The registry's pure rules, without a database."""

from __future__ import annotations

from datetime import date

from chuncheng.institutions.rules import (
    admission_date_errors,
    discharge_date_errors,
    institution_bed_errors,
    occupancy,
    staff_date_errors,
)

TODAY = date(2026, 6, 1)


def codes(errors):
    return [(e.field, e.code) for e in errors]


def test_bed_rules_accept_a_consistent_institution():
    assert institution_bed_errors(approved_beds=100, nursing_beds=100, safety_net_beds=40, puhui_beds=60) == []
    assert institution_bed_errors(approved_beds=10, nursing_beds=0, property="leased", lease_years=5) == []


def test_bed_rules_name_the_field_of_each_broken_rule():
    errors = institution_bed_errors(
        approved_beds=10, nursing_beds=11, safety_net_beds=6, puhui_beds=5, property="leased", lease_years=None
    )
    assert codes(errors) == [
        ("nursing_beds", "institution_nursing_le_approved"),
        ("puhui_beds", "institution_safety_net_puhui_le_approved"),
        ("lease_years", "institution_lease_years_if_leased"),
    ]


def test_occupancy_is_none_without_beds():
    assert occupancy(3, 4) == 0.75
    assert occupancy(1, 3) == 0.3333
    assert occupancy(0, 10) == 0.0
    assert occupancy(0, 0) is None


def test_admission_dates():
    birth = date(1950, 1, 1)
    assert admission_date_errors(date(2020, 1, 1), birth_date=birth, today=TODAY) == []
    assert codes(admission_date_errors(date(1949, 12, 31), birth_date=birth, today=TODAY)) == [
        ("admitted_on", "admission_before_birth")
    ]
    assert codes(admission_date_errors(date(2026, 6, 2), birth_date=birth, today=TODAY)) == [
        ("admitted_on", "admission_date_future")
    ]


def test_discharge_dates():
    assert discharge_date_errors(date(2026, 1, 1), admitted_on=date(2026, 1, 1), today=TODAY) == []
    assert codes(discharge_date_errors(date(2025, 12, 31), admitted_on=date(2026, 1, 1), today=TODAY)) == [
        ("discharged_on", "admission_discharge_before_admission")
    ]
    assert codes(discharge_date_errors(date(2026, 6, 2), admitted_on=date(2026, 1, 1), today=TODAY)) == [
        ("discharged_on", "discharge_date_future")
    ]


def test_staff_dates():
    assert staff_date_errors(hired_on=None, left_on=date(2020, 1, 1), contract_start=None, contract_end=None) == []
    errors = staff_date_errors(
        hired_on=date(2020, 1, 2),
        left_on=date(2020, 1, 1),
        contract_start=date(2020, 1, 2),
        contract_end=date(2020, 1, 1),
    )
    assert codes(errors) == [
        ("left_on", "staff_leave_before_hire"),
        ("contract_end", "staff_contract_end_before_start"),
    ]
