"""Home-care fixtures: the catalogue loaded, a provider of 五华区 and one of 官渡区, caregivers from the staff registry
(one linked to a login), elders with and without home coordinates, and helpers to build visits for the rule tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from tests.conftest import make_user
from tests.elders.conftest import fake_id, villages, years_ago  # noqa: F401  (villages is a fixture)

HOME = (25.040000, 102.710000)  # 华山 area, Kunming


@dataclass
class World:
    provider: object  # 五华区, serves 530102
    guandu_provider: object  # 官渡区, serves 530111
    carer: object  # caregiver of provider, linked to the login ``carer_user`` (a caregiver-role account)
    carer2: object  # second caregiver of provider, no login
    guandu_carer: object
    carer_user: object
    elder: object  # tekun, home coordinates set, community worker's village
    plain: object  # no category, no coordinates, other 五华 village
    guandu_elder: object
    village: object


def usccs(code: str, name: str) -> str:
    """A valid USCC (GB 32100 check character) for a test organisation."""
    import hashlib

    from chuncheng.core.validators import uscc_check_char

    digest = hashlib.sha1(name.encode()).hexdigest().upper()[:9]
    for bad, good in (("I", "1"), ("O", "0"), ("S", "5"), ("V", "7"), ("Z", "2")):
        digest = digest.replace(bad, good)
    body = "52" + code[:6] + digest
    return body + uscc_check_char(body)


def register(actor, name, years, seq, org, categories=()):
    from chuncheng.elders import services

    return services.register_elder(
        {
            "id_number": fake_id(years_ago(years, days=20), seq),
            "name": name,
            "org_unit": org,
            "categories": list(categories),
        },
        actor=actor,
    )


def hire(employer, name, seq, actor):
    from chuncheng.institutions import services

    return services.hire_staff(
        employer, {"id_number": fake_id(date(1980, 1, 2), seq), "name": name, "role": "caregiver"}, actor=actor
    )


@pytest.fixture
def catalogue(db):
    from chuncheng.homecare import services

    return services.load_catalogue()


@pytest.fixture
def world(personas, villages, catalogue) -> World:  # noqa: F811
    from chuncheng.core.models import OrgUnit
    from chuncheng.elders.models import Elder
    from chuncheng.homecare import services

    village, other, guandu_village = villages
    city = personas.city
    wuhua_org = OrgUnit.objects.get(code="530102")
    guandu_org = OrgUnit.objects.get(code="530111")
    provider = services.register_provider(
        {
            "name": "华山居家服务社",
            "uscc": usccs("530102001", "华山居家服务社证照"),
            "org_unit": wuhua_org,
            "areas": ["530102"],
        },
        actor=city,
    )
    guandu_provider = services.register_provider(
        {
            "name": "关上居家服务社",
            "uscc": usccs("530111001", "关上居家服务社证照"),
            "org_unit": guandu_org,
            "areas": ["530111"],
        },
        actor=city,
    )
    carer_user = make_user("carer", "caregiver", provider=provider)
    carer = services.add_caregiver(provider, hire(personas.wuhua_home, "周护理", 31, city), user=carer_user, actor=city)
    carer2 = services.add_caregiver(provider, hire(personas.wuhua_home, "郑护理", 32, city), actor=city)
    guandu_carer = services.add_caregiver(guandu_provider, hire(personas.guandu_home, "吴护理", 33, city), actor=city)
    elder = register(city, "赵一", 75, 41, village, ["tekun"])
    Elder.objects.filter(pk=elder.pk).update(lat=HOME[0], lng=HOME[1])
    elder.refresh_from_db()
    plain = register(city, "李四", 66, 42, other)
    guandu_elder = register(city, "吴六", 81, 43, guandu_village, ["dibao"])
    Elder.objects.filter(pk=guandu_elder.pk).update(lat=HOME[0] + 0.02, lng=HOME[1] + 0.05)
    guandu_elder.refresh_from_db()
    return World(
        provider, guandu_provider, carer, carer2, guandu_carer, carer_user, elder, plain, guandu_elder, village
    )


def assigned_order(world, actor, *, elder=None, caregiver=None, provider=None, kind="cleaning", day=None):
    """An order moved through created → accepted → assigned by the services."""
    from chuncheng.elders.queries import today
    from chuncheng.homecare import services

    order = services.create_order(elder or world.elder, provider or world.provider, kind, day or today(), actor=actor)
    services.accept_order(order, actor=actor)
    return services.assign_order(order, caregiver or world.carer, actor=actor)


def make_visit(
    world,
    *,
    start: datetime,
    minutes: float,
    caregiver=None,
    elder=None,
    kind="cleaning",
    lat=None,
    lng=None,
    distance=None,
    confirmed=True,
    no_reference=False,
    closed=True,
):
    """A visit written straight to the table (rule tests need exact times and places)."""
    from chuncheng.elders.queries import SHANGHAI
    from chuncheng.homecare.models import CatalogueItem, ServiceOrder, Visit

    elder = elder or world.elder
    caregiver = caregiver or world.carer
    item = CatalogueItem.objects.get(kind=kind, version__version=1)
    order = ServiceOrder.objects.create(
        elder=elder,
        provider=caregiver.provider,
        item=item,
        kind=kind,
        target_group="general",
        market_amount=item.market_price,
        elder_amount=0,
        subsidy_amount=item.market_price,
        scheduled_on=start.astimezone(SHANGHAI).date(),
        status="completed" if closed else "in_service",
        caregiver=caregiver,
    )
    end = start + timedelta(minutes=minutes)
    lat = HOME[0] if lat is None else lat
    lng = HOME[1] if lng is None else lng
    return Visit.objects.create(
        order=order,
        elder=elder,
        caregiver=caregiver,
        kind=kind,
        visit_date=start.astimezone(SHANGHAI).date(),
        status="closed" if closed else "open",
        check_in_at=start,
        check_in_epoch=int(start.timestamp()),
        check_in_lat=lat,
        check_in_lng=lng,
        check_in_distance_m=distance,
        check_out_at=end if closed else None,
        check_out_epoch=int(end.timestamp()) if closed else None,
        check_out_lat=lat if closed else None,
        check_out_lng=lng if closed else None,
        check_out_distance_m=distance if closed else None,
        duration_s=int(end.timestamp()) - int(start.timestamp()) if closed else None,
        no_reference_location=no_reference,
        code_hash="x",
        confirmed=confirmed,
    )
