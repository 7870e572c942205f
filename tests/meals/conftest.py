"""Meal fixtures: two sites in 五华区 and one in 官渡区 (registry facilities), elders with meal cards, and a month
that has ended (March 2025) under the placeholder policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.elders.conftest import fake_id, villages, years_ago  # noqa: F401  (villages is a fixture)

MONTH = date(2025, 3, 1)


@dataclass
class World:
    canteen: object  # 五华区 canteen in the community worker's village
    point: object  # 五华区 meal point
    guandu_site: object  # 官渡区 canteen
    poor: object  # 五华区, tekun, card C-0001
    plain: object  # 五华区, 66, no category, card C-0002
    old: object  # 五华区, 85, card is the ID number
    guandu: object  # 官渡区 elder, card G-0001
    old_id: str


def site(code, name, kind, org):
    from chuncheng.core.models import OrgUnit
    from chuncheng.institutions.models import Facility

    return Facility.objects.create(code=code, name=name, kind=kind, org_unit=OrgUnit.objects.get(code=org))


def register(actor, name, years, seq, org, categories=()):
    from chuncheng.elders import services

    number = fake_id(years_ago(years, days=20), seq)
    elder = services.register_elder(
        {"id_number": number, "name": name, "org_unit": org, "categories": list(categories)}, actor=actor
    )
    return elder, number


@pytest.fixture
def world(personas, villages) -> World:  # noqa: F811
    from chuncheng.meals import services

    village, _other, guandu_village = villages
    city = personas.city
    poor, _ = register(city, "赵一", 72, 31, village, ["tekun"])
    plain, _ = register(city, "李四", 66, 32, village)
    old, old_id = register(city, "钱二", 85, 33, village)
    guandu, _ = register(city, "吴六", 75, 34, guandu_village)
    services.issue_card(poor, "C-0001", actor=city, issued_on=date(2025, 1, 1))
    services.issue_card(plain, "C-0002", actor=city, issued_on=date(2025, 1, 1))
    services.issue_card(old, old_id, actor=city, issued_on=date(2025, 1, 1))
    services.issue_card(guandu, "G-0001", actor=city, issued_on=date(2025, 1, 1))
    return World(
        canteen=site("MC-WH-1", "华山幸福食堂", "canteen", village.code),
        point=site("MP-WH-2", "华山助餐点", "meal_point", "530102001"),
        guandu_site=site("MC-GD-1", "关上幸福食堂", "canteen", "530111001"),
        poor=poor,
        plain=plain,
        old=old,
        guandu=guandu,
        old_id=old_id,
    )


def meal(elder, site_, day, slot="lunch", price="10", **extra):
    """A record written directly (test setup, not the action under test), priced like the service prices it."""
    from decimal import Decimal

    from chuncheng.meals import services
    from chuncheng.meals.models import MealRecord

    group, subsidy = services.price_meal(elder, slot, day, Decimal(price))
    return MealRecord.objects.create(
        elder=elder,
        site=site_,
        served_on=day,
        slot=slot,
        price=Decimal(price),
        subsidy=subsidy,
        subsidy_group=group,
        source="tablet",
        **extra,
    )
