"""Welfare fixtures: the Kunming pack loaded, and a handful of elders built by hand in 五华区 and 官渡区."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.elders.conftest import fake_id, villages, years_ago  # noqa: F401  (villages is a fixture)


@dataclass
class People:
    lonely_poor: object  # 72, tekun + lonely → econ_lonely; community worker's village
    alone_old: object  # 85, dibao + living alone → econ_alone_advanced_age; other 五华 village
    disabled: object  # 70, dibao_edge + severe capability → econ_disabled
    plain: object  # 66, no category → nothing special
    fp_special: object  # 90, family-planning special family, not local hukou
    guandu: object  # 81, tekun + lonely in 官渡区
    village: object
    other_village: object
    guandu_village: object


def register(actor, name, years, seq, org, categories=(), capability="", hukou_local=True):
    from chuncheng.elders import services

    return services.register_elder(
        {
            "id_number": fake_id(years_ago(years, days=20), seq),
            "name": name,
            "org_unit": org,
            "categories": list(categories),
            "capability_level": capability,
            "hukou_local": hukou_local,
        },
        actor=actor,
    )


@pytest.fixture
def pack(db):
    from chuncheng.welfare import services

    return services.load_policy_pack()


@pytest.fixture
def people(personas, villages, pack) -> People:  # noqa: F811
    village, other, guandu_village = villages
    city = personas.city
    return People(
        lonely_poor=register(city, "赵一", 72, 21, village, ["tekun", "lonely"], "mild"),
        alone_old=register(city, "钱二", 85, 22, other, ["dibao", "living_alone"], "intact"),
        disabled=register(city, "孙三", 70, 23, village, ["dibao_edge"], "severe"),
        plain=register(city, "李四", 66, 24, village),
        fp_special=register(city, "周五", 90, 25, other, ["family_planning_special"], hukou_local=False),
        guandu=register(city, "吴六", 81, 26, guandu_village, ["tekun", "lonely"], "total"),
        village=village,
        other_village=other,
        guandu_village=guandu_village,
    )
