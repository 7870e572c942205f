"""Scope of home care: a 五华区 user gets 404 for a 官渡区 order or visit, lists hold only the user's area, and
denied writes change nothing. Pages render for the permitted personas."""

from __future__ import annotations

from datetime import datetime

import pytest

from chuncheng.elders.queries import SHANGHAI
from chuncheng.homecare import services
from chuncheng.homecare.models import ServiceOrder, VisitFlag
from tests.homecare.conftest import HOME, assigned_order, make_visit

pytestmark = pytest.mark.django_db

API = "/api/v1/homecare"


@pytest.fixture
def guandu_worker(org_tree):
    from tests.conftest import make_user

    village = org_tree.filter(code__startswith="530111001", level="village").order_by("code").first()
    return make_user("gd_worker", "community_worker", org=village.code)


@pytest.fixture
def orders(world, personas, guandu_worker):
    wuhua = assigned_order(world, personas.community)
    guandu = assigned_order(
        world, guandu_worker, elder=world.guandu_elder, provider=world.guandu_provider, caregiver=world.guandu_carer
    )
    t0 = datetime(2026, 10, 5, 9, tzinfo=SHANGHAI)
    wuhua_visit = make_visit(world, start=t0, minutes=5)
    guandu_visit = make_visit(world, start=t0, minutes=5, elder=world.guandu_elder, caregiver=world.guandu_carer)
    services.scan_anomalies("2026-10")
    return wuhua, guandu, wuhua_visit, guandu_visit


def test_other_area_orders_and_visits_are_404_and_writes_change_nothing(world, personas, login, orders):
    wuhua, guandu, wuhua_visit, guandu_visit = orders
    for user in (personas.wuhua, personas.huashan, personas.community):
        client = login(user)
        assert client.get(f"{API}/orders/{guandu.public_id}/").status_code == 404
        assert client.get(f"{API}/visits/{guandu_visit.public_id}/").status_code == 404
        assert client.get(f"/homecare/orders/{guandu.public_id}/").status_code == 404
        assert client.get(f"{API}/orders/{wuhua.public_id}/").status_code == 200
    worker = login(personas.community)
    for step in ("accept", "cancel"):
        assert (
            worker.post(
                f"{API}/orders/{guandu.public_id}/{step}/", {"reason": "x"}, content_type="application/json"
            ).status_code
            == 404
        )
        assert worker.post(f"/homecare/orders/{guandu.public_id}/{step}/", {"reason": "x"}).status_code == 404
    assert (
        worker.post(
            f"{API}/orders/{guandu.public_id}/assign/",
            {"caregiver": str(world.carer.public_id)},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        worker.post(
            f"{API}/orders/{guandu.public_id}/check-in/",
            {"lat": HOME[0], "lng": HOME[1]},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        worker.post(
            f"{API}/visits/{guandu_visit.public_id}/check-out/",
            {"lat": HOME[0], "lng": HOME[1]},
            content_type="application/json",
        ).status_code
        == 404
    )
    supervisor = login(personas.wuhua)
    assert (
        supervisor.post(
            f"{API}/visits/{guandu_visit.public_id}/review/",
            {"rule": "too_short", "accept": True},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        supervisor.post(
            f"/homecare/visits/{guandu_visit.public_id}/flags/too_short/review/", {"decision": "accept"}
        ).status_code
        == 404
    )
    guandu.refresh_from_db()
    assert guandu.status == "assigned"
    assert set(VisitFlag.objects.filter(visit=guandu_visit).values_list("status", flat=True)) == {"open"}
    # and the permitted supervisor's page review works
    r = supervisor.post(f"/homecare/visits/{wuhua_visit.public_id}/flags/too_short/review/", {"decision": "reject"})
    assert r.status_code == 302
    assert VisitFlag.objects.get(visit=wuhua_visit, rule="too_short").status == "rejected"


def test_lists_hold_only_the_users_area(world, personas, login, orders):
    wuhua, guandu, _wuhua_visit, _guandu_visit = orders
    for user, expected in ((personas.wuhua, wuhua), (personas.guandu, guandu)):
        client = login(user)
        ids = {o["id"] for o in client.get(f"{API}/orders/").json()["results"]}
        assert (
            str(expected.public_id) in ids
            and len(ids)
            == ServiceOrder.objects.filter(elder__org_unit__code__startswith=user.org_unit.code[:6]).count()
        )
        visits = {v["elder"] for v in client.get(f"{API}/visits/").json()["results"]}
        assert visits == {str(expected.elder.public_id)}
        page = client.get("/homecare/orders/")
        assert page.status_code == 200 and expected.elder.name in page.content.decode()
        other = guandu if expected is wuhua else wuhua
        assert other.elder.name not in page.content.decode()
        page = client.get("/homecare/visits/?flagged=1")
        assert page.status_code == 200 and expected.elder.name in page.content.decode()
    city = login(personas.city)
    assert city.get(f"{API}/orders/").json()["count"] == ServiceOrder.objects.count() == 4
    assert login(personas.operator).get(f"{API}/orders/").json()["count"] == 0
    assert login(personas.sysadmin).get(f"{API}/visits/").json()["count"] == 0


def test_pages_create_and_move_orders(world, personas, login):
    worker = login(personas.community)
    r = worker.post(
        "/homecare/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "meal",
            "quantity": 1,
            "scheduled_on": "2026-11-24",
        },
    )
    assert r.status_code == 302
    order = ServiceOrder.objects.get()
    assert worker.post(f"/homecare/orders/{order.public_id}/accept/").status_code == 302
    worker.post(f"/homecare/orders/{order.public_id}/assign/", {"caregiver": str(world.carer.public_id)})
    order.refresh_from_db()
    assert order.status == "assigned" and order.caregiver_id == world.carer.pk
    page = worker.get(f"/homecare/orders/{order.public_id}/")
    assert page.status_code == 200 and world.elder.name in page.content.decode()
    r = worker.post(
        "/homecare/orders/",
        {
            "elder": str(world.guandu_elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "meal",
            "quantity": 1,
            "scheduled_on": "2026-11-24",
        },
    )
    assert r.status_code == 422 and ServiceOrder.objects.count() == 1


def test_provider_page_lists_and_registers(world, personas, login):
    from tests.homecare.conftest import usccs

    client = login(personas.wuhua)
    page = client.get("/homecare/providers/")
    assert page.status_code == 200 and "华山居家服务社" in page.content.decode()
    assert "关上居家服务社" not in page.content.decode()
    r = client.post(
        "/homecare/providers/",
        {"name": "新服务社", "uscc": usccs("530102001", "新"), "org_unit": "530102", "areas": "530102001, 530102002"},
    )
    assert r.status_code == 302
    assert login(personas.community).post("/homecare/providers/", {"name": "x"}).status_code == 404


def test_the_caregiver_page_lists_todays_orders(world, personas, login):
    order = assigned_order(world, personas.community)
    page = login(world.carer_user).get("/homecare/today/")
    body = page.content.decode()
    assert page.status_code == 200 and world.elder.name in body and f"orders/{order.public_id}/check-in/" in body
    assert "<script>" not in body and "chuncheng/homecare.js" in body
    other = login(personas.community).get("/homecare/today/")
    assert other.status_code == 200 and world.elder.name not in other.content.decode()
    assert login(personas.operator).get("/homecare/today/").status_code == 404
