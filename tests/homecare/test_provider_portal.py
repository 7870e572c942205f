"""Provider accounts: a provider operator sees only its own provider's orders, visits, flags, alerts and settlements
(provider B's are 404 / absent), takes the provider's steps (accept, decline, assign) but creates and cancels nothing;
a caregiver sees only the orders and visits assigned to its own caregiver record; nothing else of the platform (the
elders registry, institutions) is visible to them; the menu shows them only their portal; /homecare/ lands by role."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chuncheng.core.roles import permitted_modules
from chuncheng.elders.queries import SHANGHAI, today
from chuncheng.homecare import services
from chuncheng.homecare.models import ScheduleAlert, ServiceOrder
from tests.conftest import make_user
from tests.homecare.conftest import HOME, assigned_order, make_visit

pytestmark = pytest.mark.django_db

API = "/api/v1/homecare"


@pytest.fixture
def two(world, personas, org_tree):
    village = org_tree.filter(code__startswith="530111001", level="village").order_by("code").first()
    gd_worker = make_user("gd_worker", "community_worker", org=village.code)
    a = assigned_order(world, personas.community)
    b = assigned_order(
        world, gd_worker, elder=world.guandu_elder, provider=world.guandu_provider, caregiver=world.guandu_carer
    )
    t0 = datetime(2026, 10, 5, 9, tzinfo=SHANGHAI)
    va = make_visit(world, start=t0, minutes=5)
    vb = make_visit(world, start=t0, minutes=5, elder=world.guandu_elder, caregiver=world.guandu_carer)
    services.scan_anomalies("2026-10")
    yesterday = today() - timedelta(days=1)
    late_a = services.create_order(world.elder, world.provider, "cleaning", yesterday, actor=personas.community)
    late_b = services.create_order(world.guandu_elder, world.guandu_provider, "cleaning", yesterday, actor=gd_worker)
    services.scan_schedule(yesterday)
    return {
        "a": a,
        "b": b,
        "va": va,
        "vb": vb,
        "alert_a": ScheduleAlert.objects.get(order=late_a, kind="missed"),
        "alert_b": ScheduleAlert.objects.get(order=late_b, kind="missed"),
        "op_a": make_user("op_a", "provider_operator", provider=world.provider),
        "op_b": make_user("op_b", "provider_operator", provider=world.guandu_provider),
        "gd_worker": gd_worker,
    }


def ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def test_a_provider_operator_sees_nothing_of_another_provider(world, login, two):
    op = login(two["op_a"])
    assert ids(op.get(f"{API}/orders/")) == {str(two["a"].public_id), str(two["va"].order.public_id)} | {
        str(two["alert_a"].order.public_id)
    }
    assert op.get(f"{API}/orders/{two['b'].public_id}/").status_code == 404
    assert op.get(f"/homecare/orders/{two['b'].public_id}/").status_code == 404
    assert op.get(f"/homecare/orders/{two['a'].public_id}/").status_code == 200
    assert ids(op.get(f"{API}/visits/")) == {str(two["va"].public_id)}
    assert op.get(f"{API}/visits/{two['vb'].public_id}/").status_code == 404
    assert ids(op.get(f"{API}/alerts/")) == {str(two["alert_a"].public_id)}
    assert op.get(f"{API}/alerts/{two['alert_b'].public_id}/").status_code == 404
    assert [p["id"] for p in op.get(f"{API}/providers/").json()["results"]] == [str(world.provider.public_id)]
    assert op.get(f"{API}/providers/{world.guandu_provider.public_id}/").status_code == 404
    for path in ("/homecare/provider/", "/homecare/provider/schedule/", "/homecare/provider/flags/"):
        page = op.get(path).content.decode()
        assert world.guandu_elder.name not in page, path
    assert world.elder.name in op.get("/homecare/provider/flags/").content.decode()
    schedule = op.get(f"/homecare/provider/schedule/?date={today() - timedelta(days=1)}").content.decode()
    assert world.elder.name in schedule and "badge" in schedule  # the missed alert
    assert world.elder.name in op.get("/homecare/provider/?status=assigned").content.decode()
    assert world.elder.name not in op.get("/homecare/provider/?status=cancelled").content.decode()
    # Alerts are read, not acknowledged, by the provider.
    assert op.post(f"{API}/alerts/{two['alert_a'].public_id}/acknowledge/").status_code == 404


def test_provider_accounts_see_nothing_else_of_the_platform(world, login, two):
    for user in (two["op_a"], world.carer_user):
        client = login(user)
        for path in ("/elders/", "/institutions/", "/homecare/alerts/", "/homecare/settlements/"):
            if user is two["op_a"] and path in ("/homecare/alerts/", "/homecare/settlements/"):
                continue  # its own alerts and settlements (tested above and in test_settlements)
            assert client.get(path).status_code == 404, (user.role, path)
        assert client.get(f"/elders/{world.elder.public_id}/").status_code == 404
        r = client.get("/api/v1/elders/")
        assert r.status_code == 404 or r.json()["results"] == []
        assert client.get(f"/api/v1/elders/{world.elder.public_id}/").status_code == 404
        r = client.get("/api/v1/institutions/")
        assert r.status_code == 404 or r.json()["results"] == []
        assert client.get("/org/530102/").status_code == 404


def test_the_menu_holds_only_the_portal_and_homecare_lands_by_role(world, personas, login, two):
    def urls(role):
        return {url for _group, links in permitted_modules(role) for url, _label in links}

    assert urls("provider_operator") == {
        "homecare:provider_home",
        "homecare:provider_schedule",
        "homecare:provider_flags",
        "homecare:provider_settlements",
    }
    assert urls("caregiver") == {"homecare:today"}
    assert "homecare:provider_home" not in urls("county_official")
    assert {"homecare:orders", "homecare:settlements"} <= urls("county_official")
    assert login(two["op_a"]).get("/homecare/").url == "/homecare/provider/"
    assert login(world.carer_user).get("/homecare/").url == "/homecare/today/"
    assert login(personas.community).get("/homecare/").url == "/homecare/orders/"
    assert login(personas.sysadmin).get("/homecare/").status_code == 404
    assert login(personas.wuhua).get("/homecare/provider/").status_code == 404  # the portal is for providers
    assert login(world.carer_user).get("/homecare/provider/").status_code == 404
    home = login(two["op_a"]).get("/").content.decode()
    assert world.provider.name in home


def test_the_operator_accepts_declines_and_assigns_but_creates_and_cancels_nothing(world, personas, login, two):
    op = login(two["op_a"])
    fresh = services.create_order(world.elder, world.provider, "bathing", today(), actor=personas.community)
    other = services.create_order(world.guandu_elder, world.guandu_provider, "bathing", today(), actor=two["gd_worker"])
    assert op.post(f"{API}/orders/{other.public_id}/accept/").status_code == 404
    other.refresh_from_db()
    assert other.status == "created"
    assert op.post(f"{API}/orders/{fresh.public_id}/accept/").json()["status"] == "accepted"
    r = op.post(
        f"{API}/orders/{fresh.public_id}/assign/",
        {"caregiver": str(world.guandu_carer.public_id)},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (422, "caregiver_not_of_provider")
    r = op.post(
        f"{API}/orders/{fresh.public_id}/assign/",
        {"caregiver": str(world.carer2.public_id)},
        content_type="application/json",
    )
    assert r.json()["status"] == "assigned" and r.json()["caregiver"] == str(world.carer2.public_id)
    r = op.post(f"{API}/orders/{fresh.public_id}/cancel/", {"reason": "x"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "provider_account_not_allowed")
    r = op.post(f"{API}/orders/{fresh.public_id}/decline/", {"reason": "x"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "order_not_created")
    second = services.create_order(world.elder, world.provider, "shopping", today(), actor=personas.community)
    assert op.post(f"/homecare/orders/{second.public_id}/decline/", {"reason": "人手不足"}).status_code == 302
    second.refresh_from_db()
    assert second.status == "cancelled" and "人手不足" in second.cancel_reason
    count = ServiceOrder.objects.count()
    r = op.post(
        f"{API}/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "meal",
            "scheduled_on": str(today()),
        },
        content_type="application/json",
    )
    assert r.status_code in (404, 422)
    assert op.post("/homecare/orders/", {"elder": str(world.elder.public_id)}).status_code == 404
    assert ServiceOrder.objects.count() == count
    from django.core.exceptions import ValidationError

    for actor, expected in ((two["op_a"], "permission_denied"), (world.carer_user, "provider_account_not_allowed")):
        with pytest.raises(ValidationError) as exc:
            services.create_order(world.elder, world.provider, "meal", today(), actor=actor)
        assert exc.value.error_list[0].code == expected
    assert ServiceOrder.objects.count() == count


def test_a_caregiver_sees_only_its_own_orders_and_visits(world, personas, login, two, settings):
    settings.HOMECARE_ECHO_CODE = True
    mine = two["a"]  # assigned to world.carer (linked to carer_user)
    theirs = assigned_order(world, personas.community, elder=world.plain, caregiver=world.carer2)
    carer = login(world.carer_user)
    listed = ids(carer.get(f"{API}/orders/"))
    assert str(mine.public_id) in listed and str(theirs.public_id) not in listed
    assert str(two["b"].public_id) not in listed
    assert carer.get(f"{API}/orders/{theirs.public_id}/").status_code == 404
    r = carer.post(
        f"{API}/orders/{theirs.public_id}/check-in/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json"
    )
    assert r.status_code == 404
    assert ids(carer.get(f"{API}/visits/")) == {str(two["va"].public_id)}  # made for world.carer
    assert carer.get(f"{API}/alerts/").json()["results"] == []
    assert carer.get(f"{API}/providers/").json()["results"] == []
    page = carer.get("/homecare/today/").content.decode()
    assert world.elder.name in page and world.plain.name not in page
    r = carer.post(
        f"{API}/orders/{mine.public_id}/check-in/", {"lat": HOME[0], "lng": HOME[1]}, content_type="application/json"
    )
    assert r.status_code == 201, r.json()
    r = carer.post(
        f"{API}/visits/{r.json()['id']}/check-out/",
        {"lat": HOME[0], "lng": HOME[1], "code": r.json()["confirmation_code"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["confirmed"]
    r = carer.post(
        f"{API}/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "meal",
            "scheduled_on": str(today()),
        },
        content_type="application/json",
    )
    assert r.status_code in (404, 422)
    assert carer.post(f"{API}/orders/{theirs.public_id}/accept/").status_code == 404


def test_a_caregiver_login_must_belong_to_the_provider(world, personas):
    from django.core.exceptions import ValidationError

    from tests.homecare.conftest import hire

    foreign = make_user("gd_carer", "caregiver", provider=world.guandu_provider)
    staff = hire(personas.wuhua_home, "孙护理", 61, personas.city)
    with pytest.raises(ValidationError) as exc:
        services.add_caregiver(world.provider, staff, user=foreign, actor=personas.city)
    assert exc.value.error_dict["user"][0].code == "login_not_of_provider"
    with pytest.raises(ValidationError):
        services.link_caregiver_login(world.carer2, foreign, actor=personas.city)
    world.carer2.refresh_from_db()
    assert world.carer2.user_id is None
