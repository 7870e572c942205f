"""Elders fixtures: plainly fake ID numbers (region prefix 5399, which no real region uses) and a few registered elders
in 五华区 and 官渡区, registered through the service as a city official would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest

from chuncheng.core.validators import id_number_check_char

FAKE_REGION = "539901"
FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")


def fake_id(birth: date, seq: int = 1, *, region: str = FAKE_REGION, female: bool = False) -> str:
    """A valid-looking ID number under the fake region prefix; the sequence's last digit carries the sex."""
    sequence = seq * 2 + (0 if female else 1)
    body = f"{region}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + id_number_check_char(body)


def years_ago(years: int, *, days: int = 0) -> date:
    from datetime import timedelta

    from chuncheng.elders.queries import today

    day = today()
    try:
        born = day.replace(year=day.year - years)
    except ValueError:
        born = date(day.year - years, 2, 28)
    return born - timedelta(days=days)


def full_ids(text: str) -> set[str]:
    return set(FULL_ID.findall(text))


@dataclass
class Registry:
    wuhua: object  # 72, tekun, with phone and address, in the community worker's village
    wuhua_old: object  # 85, dibao, another village of 五华区
    guandu: object  # 70, 官渡区
    ids: dict  # persona name -> full ID number
    wuhua_village: object
    wuhua_other_village: object
    guandu_village: object

    def all_ids(self) -> set[str]:
        return set(self.ids.values())


@pytest.fixture
def villages(org_tree):
    wuhua = org_tree.filter(code__startswith="530102001", level="village").order_by("code")
    guandu = org_tree.filter(code__startswith="530111001", level="village").order_by("code").first()
    return wuhua[0], wuhua[1], guandu


@pytest.fixture
def registry(personas, villages) -> Registry:
    from chuncheng.elders import services

    wuhua_village, other_village, guandu_village = villages
    ids = {
        "wuhua": fake_id(years_ago(72, days=10), 11, female=True),
        "wuhua_old": fake_id(years_ago(85, days=40), 12),
        "guandu": fake_id(years_ago(70, days=5), 13, female=True),
    }
    wuhua = services.register_elder(
        {
            "id_number": ids["wuhua"],
            "name": "王秀英",
            "org_unit": wuhua_village,
            "categories": ["tekun", "living_alone"],
            "capability_level": "mild",
            "phone": "13812345678",
            "address": "云南省昆明市五华区华山西路12号3栋",
        },
        actor=personas.city,
    )
    wuhua_old = services.register_elder(
        {"id_number": ids["wuhua_old"], "name": "李德明", "org_unit": other_village, "categories": ["dibao"]},
        actor=personas.city,
    )
    guandu = services.register_elder(
        {"id_number": ids["guandu"], "name": "张桂兰", "org_unit": guandu_village, "phone": "0871-65123456"},
        actor=personas.city,
    )
    return Registry(wuhua, wuhua_old, guandu, ids, wuhua_village, other_village, guandu_village)


@pytest.fixture
def admit():
    """Open a stay directly (the stays service belongs to the institutions app)."""

    def _admit(elder, institution, *, discharged_on=None):
        from chuncheng.institutions.models import Admission

        return Admission.objects.create(
            elder=elder, institution=institution, admitted_on=date(2025, 1, 1), discharged_on=discharged_on
        )

    return _admit
