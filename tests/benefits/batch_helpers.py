"""Elders in bulk for batch tests (dummy encrypted fields: these rows are never decrypted)."""

from __future__ import annotations

from datetime import date

from chuncheng.core.models import OrgUnit
from chuncheng.elders.models import Elder

PERIOD = date(2023, 6, 1)


def add_elders(org_unit: OrgUnit, births: list[date], tag: str) -> list[Elder]:
    elders = [
        Elder(
            id_number_enc="x",
            id_number_index=f"{tag}-{i}",
            id_number_masked="5399**********123X",
            name=f"测试{tag}{i}",
            sex="female" if i % 2 else "male",
            birth_date=born,
            org_unit=org_unit,
        )
        for i, born in enumerate(births)
    ]
    return Elder.objects.bulk_create(elders)


def city_mix(wuhua: OrgUnit, guandu: OrgUnit) -> None:
    """Ages on 2023-06-01 across every band boundary, in 五华 (60/120/500) and 官渡 (110/200/600)."""
    births = [
        date(1943, 6, 2),  # 79 (one day short of 80)
        date(1943, 6, 1),  # 80 exactly
        date(1938, 1, 1),  # 85
        date(1933, 6, 2),  # 89
        date(1933, 6, 1),  # 90
        date(1924, 6, 1),  # 99
        date(1923, 6, 1),  # 100
        date(1950, 1, 1),  # 73
    ]
    add_elders(wuhua, births, "wh")
    add_elders(guandu, births, "gd")
