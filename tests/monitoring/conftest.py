"""Monitoring fixtures: hand-built records in 五华区 (11 streets, all urban; 101 communities) on 2025-06-30."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.conftest import make_institution
from tests.welfare.conftest import pack, people, villages  # noqa: F401  (fixtures)

DAY = date(2025, 6, 30)
_seq = itertools.count(1)


def make_staff(unit_code: str, role: str, *, institution=None, trained=False, hired_on=None, left_on=None):
    from chuncheng.core.models import OrgUnit
    from chuncheng.institutions.models import Staff

    facility = None if institution is not None else make_facility(unit_code, "community_center")
    n = next(_seq)
    return Staff.objects.create(
        institution=institution,
        facility=facility,
        org_unit=OrgUnit.objects.get(code=unit_code),
        id_number_enc="x",
        id_number_index=f"staff-{n}",
        id_number_masked="5399**********0000",
        name=f"员工{n}",
        role=role,
        trained=trained,
        hired_on=hired_on,
        left_on=left_on,
    )


def make_facility(unit_code: str, kind: str, *, opened_on=None, status="active"):
    from chuncheng.core.models import OrgUnit
    from chuncheng.institutions.models import Facility

    n = next(_seq)
    return Facility.objects.create(
        code=f"T{n:05d}",
        name=f"设施{n}",
        kind=kind,
        org_unit=OrgUnit.objects.get(code=unit_code),
        opened_on=opened_on,
        status=status,
    )


def make_elder(unit_code: str, *, tekun=False, capability="", status="active", died_on=None):
    from chuncheng.core.models import OrgUnit
    from chuncheng.elders.models import Elder

    n = next(_seq)
    return Elder.objects.create(
        id_number_enc="x",
        id_number_index=f"elder-{n}",
        id_number_masked="5399**********0000",
        name=f"老人{n}",
        sex="female",
        birth_date=date(1940, 1, 1),
        org_unit=OrgUnit.objects.get(code=unit_code),
        tekun=tekun,
        capability_level=capability,
        status=status,
        died_on=died_on,
    )


@pytest.fixture
def catalogue(db):
    from chuncheng.monitoring import services

    return services.load_catalogue()


@pytest.fixture
def wuhua(org_tree):
    """Institutions of 五华区 as of 2025-06-30 (see each line for why it counts or not)."""
    from chuncheng.core.models import OrgUnit, Population

    a = make_institution(
        "530102001",
        "甲院",
        kind="public",
        government_operated=True,
        approved_beds=100,
        nursing_beds=60,
        safety_net_beds=20,
        puhui_beds=30,
        internal_medical=True,
        opened_on=date(2020, 1, 1),
    )
    b = make_institution(
        "530102002",
        "乙院",
        approved_beds=50,
        nursing_beds=10,
        safety_net_beds=5,
        puhui_beds=5,
        opened_on=date(2021, 6, 1),
    )
    make_institution("530102001", "丙院已退出", approved_beds=50, nursing_beds=30, status="exited")
    make_institution("530102003", "丁院未开业", approved_beds=1000, nursing_beds=1000, opened_on=date(2026, 1, 1))
    county = OrgUnit.objects.get(code="530102")
    Population.objects.create(org_unit=county, year=2025, population_total=50_000, population_60plus=10_000)
    Population.objects.create(org_unit=county, year=2024, population_total=50_000, population_60plus=9_000)
    return a, b
