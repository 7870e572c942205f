"""Time bank fixtures: elders in 五华区 and 官渡区, a volunteer in each county (one of them an elder)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.elders.conftest import fake_id, villages, years_ago  # noqa: F401  (villages is a fixture)


@dataclass
class Bank:
    village: object
    guandu_village: object
    elder_self: object  # a 五华 elder who volunteers
    mother: object  # a 五华 elder, the volunteer's registered relative
    stranger: object  # a 五华 elder, no relation
    guandu_elder: object
    volunteer: object  # 五华, linked to elder_self
    young: object  # 五华, not an elder
    guandu_volunteer: object


def register_elder(actor, name, years, seq, org):
    from chuncheng.elders import services

    return services.register_elder(
        {"id_number": fake_id(years_ago(years, days=30), seq), "name": name, "org_unit": org}, actor=actor
    )


@pytest.fixture
def bank(personas, villages) -> Bank:  # noqa: F811
    from chuncheng.timebank import services

    village, _other, guandu_village = villages
    city = personas.city
    elder_self = register_elder(city, "张老", 66, 31, village)
    mother = register_elder(city, "王母", 88, 32, village)
    stranger = register_elder(city, "陌生", 75, 33, village)
    guandu_elder = register_elder(city, "官老", 70, 34, guandu_village)
    volunteer = services.register_volunteer("张老", village, elder=elder_self, actor=personas.community)
    young = services.register_volunteer("小李", village, actor=personas.community)
    guandu_volunteer = services.register_volunteer("官渡志愿者", guandu_village, actor=_guandu_worker(guandu_village))
    services.register_relative(young, mother, "parent", actor=personas.community)
    return Bank(village, guandu_village, elder_self, mother, stranger, guandu_elder, volunteer, young, guandu_volunteer)


def _guandu_worker(village):
    from tests.conftest import make_user

    return make_user("guandu_worker", "community_worker", org=village.code)


def deposit(volunteer, hours, actor, description="陪伴聊天"):
    from chuncheng.elders.queries import today
    from chuncheng.timebank import services

    service = services.record_service(
        volunteer, {"served_on": today(), "hours": hours, "description": description}, actor=actor
    )
    return services.confirm_service(service, actor=actor)
