"""The entitlement check of an order (issue 6 item 2): the basic service list (welfare) and the monthly subsidy
allowance per target group. Nothing is refused; the subsidy is capped and the reasons are recorded.

Numbers worked out by hand from the catalogue (policy data): cleaning market 40.00 per hour; tekun pays 0.00 (so the
catalogue subsidy is 40.00 per hour), dibao pays 10.00 (subsidy 30.00); bathing market 80.00, general pays 70.00.
Monthly allowances: tekun 600.00, dibao 300.00, dibao_edge 200.00, general 0.00."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chuncheng.homecare import rules, services
from chuncheng.homecare.models import HomecareSetting

pytestmark = pytest.mark.django_db
D = Decimal
NOV = date(2026, 11, 10)
API = "/api/v1/homecare"


def amounts(order):
    return order.market_amount, order.elder_amount, order.subsidy_amount


def rows(order):
    return {row["rule"]: row for row in order.entitlement}


# ---- pure ------------------------------------------------------------------------------------------------------


def test_entitled_quote_caps_the_subsidy_by_what_remains():
    base = rules.Quote(D("80.00"), D("0.00"), D("80.00"))
    capped = rules.entitled_quote(base, entitled=True, allowance=rules.Allowance(D("600.00"), D("550.00")))
    assert (capped.market_amount, capped.elder_amount, capped.subsidy_amount) == (D("80.00"), D("30.00"), D("50.00"))
    full = rules.entitled_quote(base, entitled=True, allowance=rules.Allowance(D("600.00"), D("520.00")))
    assert (full.elder_amount, full.subsidy_amount) == (D("0.00"), D("80.00"))  # exactly 80 remain: all of it
    none = rules.entitled_quote(base, entitled=False, allowance=rules.Allowance(D("600.00"), D("0.00")))
    assert (none.elder_amount, none.subsidy_amount) == (D("80.00"), D("0.00"))
    assert rules.Allowance(D("300.00"), D("350.00")).remaining == D("0.00")  # never negative


# ---- the monthly allowance ---------------------------------------------------------------------------------------


def test_catalogue_loads_the_allowance_per_group_and_the_list_mapping(catalogue):
    values = dict(HomecareSetting.objects.filter(key__startswith="monthly_allowance_").values_list("key", "value"))
    assert values == {
        "monthly_allowance_tekun": 600.0,
        "monthly_allowance_dibao": 300.0,
        "monthly_allowance_dibao_edge": 200.0,
        "monthly_allowance_general": 0.0,
    }
    assert "OPEN" in HomecareSetting.objects.get(key="monthly_allowance_tekun").source
    assert services.setting("late_after_minutes") == 30
    assert services.item_in_force("cleaning", NOV).list_item == "econ_service_subsidy"


def test_the_months_allowance_caps_the_subsidy_and_the_elder_pays_the_rest(world, personas):
    worker = personas.community

    def order(hours, day=NOV):
        return services.create_order(world.elder, world.provider, "cleaning", day, quantity=hours, actor=worker)

    first = order(5)  # subsidy 5 × 40 = 200; used 0 → 200
    assert amounts(first) == (D("200.00"), D("0.00"), D("200.00"))
    assert rows(first)["monthly_allowance"]["passed"] is True
    second = order(8)  # 320; used 200 → 520
    assert amounts(second) == (D("320.00"), D("0.00"), D("320.00"))
    third = order(3)  # asks 120, only 600 − 520 = 80 remain: subsidy 80, the elder pays 40
    assert amounts(third) == (D("120.00"), D("40.00"), D("80.00"))
    check = rows(third)["monthly_allowance"]
    assert check["passed"] is False and "80.00" in check["expected"] and "520.00" in check["expected"]
    assert "120.00" in check["seen"]
    fourth = order(1)  # nothing remains: the elder pays the market price, the order is still created
    assert amounts(fourth) == (D("40.00"), D("40.00"), D("0.00"))
    services.cancel_order(second, "家属取消", actor=worker)  # frees 320: used = 200 + 80 + 0 = 280, 320 remain
    fifth = order(2)
    assert amounts(fifth) == (D("80.00"), D("0.00"), D("80.00"))
    december = order(1, date(2026, 12, 1))  # a new month, a new allowance
    assert amounts(december) == (D("40.00"), D("0.00"), D("40.00"))
    # Nothing used yet: the whole allowance remains (remaining and allowance both 600.00, in any language).
    assert rows(december)["monthly_allowance"]["expected"].count("600.00") == 2


def test_a_general_elder_has_no_allowance_and_pays_the_market_price(world, personas):
    order = services.create_order(world.plain, world.provider, "bathing", NOV, actor=personas.huashan)
    assert (order.target_group, *amounts(order)) == ("general", D("80.00"), D("80.00"), D("0.00"))
    assert rows(order)["monthly_allowance"]["passed"] is False  # asked 10.00, 0.00 remain


# ---- the basic service list ------------------------------------------------------------------------------------------


@pytest.fixture
def welfare_list(db):
    from chuncheng.welfare import services as welfare

    return welfare.load_policy_pack()


def test_without_a_list_in_force_the_list_is_not_checked(world, personas):
    order = services.create_order(world.elder, world.provider, "cleaning", NOV, actor=personas.community)
    check = rows(order)["basic_list"]
    assert check["passed"] is True and check["expected"] == "econ_service_subsidy"


def test_the_list_entitles_an_economically_difficult_elder(world, personas, welfare_list, org_tree):
    from tests.conftest import make_user

    village = org_tree.filter(code__startswith="530111001", level="village").order_by("code").first()
    worker = make_user("gd_worker", "community_worker", org=village.code)
    order = services.create_order(world.guandu_elder, world.guandu_provider, "cleaning", NOV, quantity=2, actor=worker)
    assert (order.target_group, *amounts(order)) == ("dibao", D("80.00"), D("20.00"), D("60.00"))
    check = rows(order)["basic_list"]
    assert check["passed"] is True and "经济困难老年人养老服务补贴" in check["expected"]


def test_an_elder_the_list_does_not_entitle_gets_no_subsidy_even_with_an_allowance(world, personas, welfare_list):
    HomecareSetting.objects.filter(key="monthly_allowance_general").update(value=100)
    order = services.create_order(world.plain, world.provider, "bathing", NOV, actor=personas.huashan)
    # catalogue subsidy 10.00 and 100.00 of allowance, but the list says no: the elder pays 80.00
    assert amounts(order) == (D("80.00"), D("80.00"), D("0.00"))
    check = rows(order)
    assert check["basic_list"]["passed"] is False
    assert check["monthly_allowance"]["passed"] is True and "0.00" in check["monthly_allowance"]["seen"]


def test_a_kind_the_list_does_not_name_is_not_checked(world, personas, welfare_list):
    from chuncheng.homecare.models import CatalogueItem

    CatalogueItem.objects.filter(kind="bathing").update(list_item="")
    HomecareSetting.objects.filter(key="monthly_allowance_general").update(value=100)
    order = services.create_order(world.plain, world.provider, "bathing", NOV, actor=personas.huashan)
    assert amounts(order) == (D("80.00"), D("70.00"), D("10.00"))
    assert rows(order)["basic_list"]["passed"] is True


# ---- shown in the API and on the page ------------------------------------------------------------------------------


def test_the_api_and_the_order_page_show_the_reasons(world, personas, login):
    worker = login(personas.community)
    payload = {
        "elder": str(world.elder.public_id),
        "provider": str(world.provider.public_id),
        "kind": "cleaning",
        "scheduled_on": "2026-11-10",
        "quantity": 16,  # 640 asked, 600 allowed: the elder pays 40
        "window_start": "09:00",
        "window_end": "11:00",
    }
    r = worker.post(f"{API}/orders/", payload, content_type="application/json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["elder_amount"], body["subsidy_amount"], body["window_start"]) == ("40.00", "600.00", "09:00:00")
    assert [(c["rule"], c["passed"]) for c in body["entitlement"]] == [
        ("basic_list", True),
        ("monthly_allowance", False),
    ]
    assert set(body["entitlement"][1]) == {"rule", "label", "expected", "seen", "passed"}
    page = worker.get(f"/homecare/orders/{body['id']}/").content.decode()
    assert 'data-testid="entitlement"' in page and "640.00" in page and "09:00" in page


def test_a_window_ending_before_it_starts_is_refused(world, personas, login):
    from datetime import time

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.create_order(
            world.elder,
            world.provider,
            "cleaning",
            NOV,
            window_start=time(10),
            window_end=time(9),
            actor=personas.community,
        )
    assert exc.value.error_dict["window_end"][0].code == "bad_window"
    r = login(personas.community).post(
        f"{API}/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "cleaning",
            "scheduled_on": "2026-11-10",
            "window_end": "09:00",
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "bad_window"


def test_the_order_form_takes_the_window(world, personas, login):
    from chuncheng.homecare.models import ServiceOrder

    worker = login(personas.community)
    assert 'name="window_start"' in worker.get("/homecare/orders/").content.decode()
    r = worker.post(
        "/homecare/orders/",
        {
            "elder": str(world.elder.public_id),
            "provider": str(world.provider.public_id),
            "kind": "meal",
            "quantity": 1,
            "scheduled_on": "2026-11-10",
            "window_start": "11:30",
            "window_end": "12:30",
            "note": "",
        },
    )
    assert r.status_code == 302
    order = ServiceOrder.objects.get()
    assert (str(order.window_start), str(order.window_end)) == ("11:30:00", "12:30:00")
    assert [c["passed"] for c in order.entitlement] == [True, True]  # meal: 15.00 subsidised, 600.00 allowed
