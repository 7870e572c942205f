"""API flows of home care: order → accept → assign → check-in → check-out → scan → review, and the error shape."""

from __future__ import annotations

import pytest

from chuncheng.homecare.models import ServiceOrder, Visit
from tests.homecare.conftest import HOME, assigned_order

pytestmark = pytest.mark.django_db

API = "/api/v1/homecare"


@pytest.fixture(autouse=True)
def _echo(settings):
    settings.HOMECARE_ECHO_CODE = True


def test_the_whole_flow_through_the_api(world, personas, login):
    worker = login(personas.community)
    r = worker.post(
        f"{API}/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "bathing",
            "scheduled_on": "2026-11-23",
            "quantity": 1,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    order = r.json()
    assert (order["status"], order["target_group"], order["elder_amount"], order["subsidy_amount"]) == (
        "created",
        "tekun",
        "0.00",
        "80.00",
    )
    oid = order["id"]
    assert worker.post(f"{API}/orders/{oid}/accept/").json()["status"] == "accepted"
    r = worker.post(
        f"{API}/orders/{oid}/assign/", {"caregiver": str(world.carer.public_id)}, content_type="application/json"
    )
    assert r.json()["status"] == "assigned"
    carer = login(world.carer_user)
    r = carer.post(f"{API}/orders/{oid}/check-in/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json")
    assert r.status_code == 201, r.json()
    visit = r.json()
    assert visit["status"] == "open" and len(visit["confirmation_code"]) == 6
    r = carer.post(
        f"{API}/visits/{visit['id']}/check-out/",
        {"lat": HOME[0], "lng": HOME[1], "code": visit["confirmation_code"]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "closed" and body["confirmed"] and body["payable"]
    from chuncheng.homecare import services

    services.scan_anomalies(Visit.objects.get().check_in_at.astimezone().strftime("%Y-%m"))
    body = worker.get(f"{API}/visits/{visit['id']}/").json()
    assert [f["rule"] for f in body["flags"]] == ["too_short"] and not body["payable"]
    supervisor = login(personas.huashan)
    r = supervisor.post(
        f"{API}/visits/{visit['id']}/review/", {"rule": "too_short", "accept": False}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["payable"]
    assert (
        worker.post(
            f"{API}/visits/{visit['id']}/review/",
            {"rule": "too_short", "accept": True},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_refusals_have_the_error_shape_and_write_nothing(world, personas, login):
    carer = login(world.carer_user)
    order = assigned_order(world, personas.community)
    r = carer.post(
        f"{API}/orders/{order.public_id}/check-in/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json"
    )
    vid = r.json()["id"]
    second = assigned_order(world, personas.community, elder=world.plain)
    r = carer.post(
        f"{API}/orders/{second.public_id}/check-in/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["code"] == "open_check_in" and r.json()["errors"][0]["message"]
    r = carer.post(
        f"{API}/visits/{vid}/check-out/",
        {"lat": HOME[0], "lng": HOME[1], "code": "abcdef"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (422, "bad_confirmation_code")
    assert Visit.objects.get(public_id=vid).status == "open"
    r = carer.post(f"{API}/visits/{vid}/check-out/", {"lat": 91, "lng": HOME[1]}, content_type="application/json")
    assert r.status_code == 422
    carer.post(f"{API}/visits/{vid}/check-out/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json")
    r = carer.post(f"{API}/visits/{vid}/check-out/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "no_open_visit")
    r = login(personas.community).post(
        f"{API}/orders/{order.public_id}/cancel/", {"reason": "x"}, content_type="application/json"
    )
    assert (r.status_code, r.json()["code"]) == (422, "bad_transition")


def test_an_official_may_read_but_not_order(world, personas, login):
    r = login(personas.wuhua).post(
        f"{API}/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "meal",
            "scheduled_on": "2026-11-23",
        },
        content_type="application/json",
    )
    assert r.status_code == 403 and ServiceOrder.objects.count() == 0


def test_providers_api_registers_within_the_area(world, personas, login):
    from tests.homecare.conftest import usccs

    data = {"name": "盘龙服务社", "uscc": usccs("530103001", "盘龙"), "org_unit": "530102", "areas": ["530102001"]}
    r = login(personas.wuhua).post(f"{API}/providers/", data, content_type="application/json")
    assert r.status_code == 201, r.json()
    data["uscc"], data["org_unit"] = usccs("530111001", "官渡2"), "530111"
    r = login(personas.wuhua).post(f"{API}/providers/", data, content_type="application/json")
    assert r.status_code == 404
    assert login(personas.wuhua).get(f"{API}/providers/{world.guandu_provider.public_id}/").status_code == 404
    assert login(personas.guandu).get(f"{API}/providers/{world.guandu_provider.public_id}/").status_code == 200
    names = {p["name"] for p in login(personas.guandu).get(f"{API}/providers/").json()["results"]}
    assert names == {"关上居家服务社"}


def test_list_endpoints_have_a_fixed_query_count(world, personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuncheng.homecare import services

    client = login(personas.wuhua)

    def add_visit():
        order = assigned_order(world, personas.community)
        visit, _code = services.check_in(order, *HOME, actor=personas.community)
        services.check_out(visit, *HOME, actor=personas.community)

    def counts():
        found = []
        for url in (f"{API}/visits/", f"{API}/orders/", "/homecare/visits/", "/homecare/orders/"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    add_visit()
    one = counts()
    add_visit()
    add_visit()
    assert counts() == one
    assert max(one) <= 12
