"""Registry fixtures: elders written directly as the registry stores them (encrypted ID, blind index, masked copy;
plainly fake ID numbers under region 539901), facilities, and a small 五华区/官渡区 world built on the personas."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from chuncheng.core.validators import id_number_check_char

FAKE_REGION = "539901"


def fake_id(birth: date, seq: int = 1, *, female: bool = False) -> str:
    sequence = seq * 2 + (0 if female else 1)
    body = f"{FAKE_REGION}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + id_number_check_char(body)


def days_ago(n: int) -> date:
    from django.utils import timezone

    return timezone.localdate() - timedelta(days=n)


def make_elder(name: str, org_code: str, *, birth: date = date(1950, 3, 1), seq: int = 1, **extra):
    """An elder row as the registry keeps it (the elders app owns the service; these tests need only the row)."""
    from chuncheng.core.cipher import blind_index, get_cipher
    from chuncheng.core.masking import mask_id_number
    from chuncheng.core.models import OrgUnit
    from chuncheng.elders.models import Elder

    id_number = fake_id(birth, seq)
    public_id = uuid.uuid4()
    elder = Elder.objects.create(
        public_id=public_id,
        id_number_enc=get_cipher().encrypt(id_number, table="elders_elder", column="id_number_enc", row=str(public_id)),
        id_number_index=blind_index(id_number, purpose="id_number"),
        id_number_masked=mask_id_number(id_number),
        name=name,
        sex="male",
        birth_date=birth,
        org_unit=OrgUnit.objects.get(code=org_code),
        **extra,
    )
    elder.id_number = id_number  # the clear value, for tests to type
    return elder


def make_facility(code: str, name: str, org_code: str, **extra):
    from chuncheng.core.models import OrgUnit
    from chuncheng.institutions.models import Facility

    defaults = {"kind": "day_care", "operator": "public", "beds": 10}
    defaults.update(extra)
    return Facility.objects.create(code=code, name=name, org_unit=OrgUnit.objects.get(code=org_code), **defaults)


def village_of(township: str) -> str:
    from chuncheng.core.models import OrgUnit

    return OrgUnit.objects.filter(code__startswith=township, level="village").order_by("code").first().code


@dataclass
class World:
    """Two elders per district, a facility per district, a resident and a caregiver in each district's home."""

    wuhua_elder: object
    wuhua_elder2: object
    guandu_elder: object
    guandu_elder2: object
    wuhua_facility: object
    guandu_facility: object
    wuhua_stay: object
    guandu_stay: object
    wuhua_staff: object
    guandu_staff: object
    facility_staff: object


@pytest.fixture
def world(personas) -> World:
    from chuncheng.institutions import services

    wuhua_village = village_of("530102001")
    guandu_village = village_of("530111001")
    wuhua_elder = make_elder("王秀英", wuhua_village, seq=11)
    wuhua_elder2 = make_elder("李建国", wuhua_village, seq=12, birth=date(1940, 5, 6))
    guandu_elder = make_elder("张桂兰", guandu_village, seq=13)
    guandu_elder2 = make_elder("赵德明", guandu_village, seq=14)
    wuhua_facility = make_facility("SS-WH-1", "华山日间照料中心", "530102001")
    guandu_facility = make_facility("SS-GD-1", "关上老年幸福食堂", "530111001", kind="canteen")
    city = personas.city
    wuhua_stay = services.admit(
        wuhua_elder, personas.wuhua_home, bed_kind="nursing", admitted_on=days_ago(100), actor=city
    )
    guandu_stay = services.admit(
        guandu_elder, personas.guandu_home, bed_kind="general", admitted_on=days_ago(50), actor=city
    )
    wuhua_staff = services.hire_staff(
        personas.wuhua_home,
        {"id_number": fake_id(date(1980, 1, 2), 21), "name": "周护理", "role": "caregiver", "skill_grade": "junior"},
        actor=city,
    )
    guandu_staff = services.hire_staff(
        personas.guandu_home,
        {"id_number": fake_id(date(1981, 1, 2), 22), "name": "吴社工", "role": "social_worker"},
        actor=city,
    )
    facility_staff = services.hire_staff(
        wuhua_facility,
        {"id_number": fake_id(date(1982, 1, 2), 23), "name": "郑助餐", "role": "other"},
        actor=city,
    )
    return World(
        wuhua_elder,
        wuhua_elder2,
        guandu_elder,
        guandu_elder2,
        wuhua_facility,
        guandu_facility,
        wuhua_stay,
        guandu_stay,
        wuhua_staff,
        guandu_staff,
        facility_staff,
    )
