"""Monthly provider settlements: the numbers worked out by hand, one grouped query, idempotent re-runs, maker-checker
approval into the benefits ledger, refusals that write nothing, and the CLI, API and pages."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuncheng.elders.queries import SHANGHAI
from chuncheng.homecare import services, settlements
from chuncheng.homecare.models import ProviderSettlement, ServiceOrder, Visit, VisitFlag
from tests.conftest import make_user
from tests.homecare.conftest import make_visit

pytestmark = pytest.mark.django_db

API = "/api/v1/homecare"
OCTOBER = datetime(2026, 10, 1).date()


def code(exc) -> str:
    value = exc.value
    errors = [e for es in value.error_dict.values() for e in es] if hasattr(value, "error_dict") else value.error_list
    return errors[0].code


def priced(visit, market: str, elder: str, subsidy: str):
    ServiceOrder.objects.filter(pk=visit.order_id).update(
        market_amount=Decimal(market), elder_amount=Decimal(elder), subsidy_amount=Decimal(subsidy)
    )
    return visit


def at(day: int, month: int = 10, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def october(world):
    """Provider A (五华): three payable visits, one unconfirmed, one too short (flag open), one too short whose flag
    a supervisor rejected, one in November, one still open. Provider B (官渡): one payable visit."""
    v1 = priced(make_visit(world, start=at(5), minutes=60), "40.00", "10.00", "30.00")
    v2 = priced(make_visit(world, start=at(6), minutes=60), "30.00", "4.50", "25.50")
    priced(make_visit(world, start=at(7), minutes=60, confirmed=False), "99.00", "0.00", "99.00")
    priced(make_visit(world, start=at(8), minutes=3), "77.00", "0.00", "77.00")
    v5 = priced(make_visit(world, start=at(9), minutes=3), "12.25", "0.00", "12.25")
    priced(make_visit(world, start=at(2, month=11), minutes=60), "40.00", "0.00", "40.00")
    priced(make_visit(world, start=at(10), minutes=60, closed=False, caregiver=world.carer2), "40.00", "0", "40.00")
    b1 = priced(
        make_visit(world, start=at(5), minutes=60, elder=world.guandu_elder, caregiver=world.guandu_carer),
        "60.00",
        "10.00",
        "50.00",
    )
    services.scan_anomalies("2026-10")
    services.review_flag(VisitFlag.objects.get(visit=v5, rule="too_short"), False, actor=None)
    return v1, v2, v5, b1


def test_the_month_is_settled_per_provider_with_numbers_worked_out_by_hand(
    world, october, django_assert_max_num_queries
):
    # The anomaly scan (one SQL per rule and its audit row), then one grouped query, one insert, one audit row: the
    # count does not grow with providers or visits.
    with django_assert_max_num_queries(22):
        made = settlements.settle_month(OCTOBER, actor=None)
    by = {s.provider_id: s for s in made}
    a, b = by[world.provider.pk], by[world.guandu_provider.pk]
    # A: payable v1 + v2 + v5 (rejected flag) = 3; left out: the unconfirmed and the open too-short = 2.
    assert (a.visits, a.excluded) == (3, 2)
    assert a.subsidy_total == Decimal("67.75")  # 30.00 + 25.50 + 12.25
    assert a.elder_total == Decimal("14.50")  # 10.00 + 4.50 + 0
    assert a.market_total == Decimal("82.25")  # 40.00 + 30.00 + 12.25
    assert (b.visits, b.excluded, b.subsidy_total) == (1, 0, Decimal("50.00"))
    assert {s.status for s in made} == {"draft"} and all(s.ledger_entry_id is None for s in made)
    # The same as the payable definition of the model, visit by visit.
    payable = Visit.objects.payable().filter(visit_date__month=10, order__provider=world.provider)
    assert sum(v.order.subsidy_amount for v in payable) == a.subsidy_total


def test_a_rerun_writes_nothing_new(world, october):
    first = settlements.settle_month(OCTOBER, actor=None)
    make_visit(world, start=at(20), minutes=60)  # a late visit of a settled month stays out
    assert settlements.settle_month(OCTOBER, actor=None) == []
    assert ProviderSettlement.objects.count() == len(first) == 2
    assert ProviderSettlement.objects.get(provider=world.provider).visits == 3


def test_approval_books_the_ledger_with_fund_shares_and_is_maker_checker(world, personas, october):
    from chuncheng.benefits.models import LedgerEntry

    made = settlements.settle_month(OCTOBER, actor=personas.wuhua, providers=None)
    assert [s.provider_id for s in made] == [world.provider.pk]  # the county official settles its own area only
    draft = made[0]
    with pytest.raises(ValidationError) as exc:
        settlements.approve_settlement(draft, actor=personas.wuhua)
    assert code(exc) == "maker_cannot_approve"
    with pytest.raises(ValidationError) as exc:
        settlements.approve_settlement(draft, actor=personas.guandu)  # another county
    assert code(exc) == "bad_area"
    assert LedgerEntry.objects.count() == 0
    approved = settlements.approve_settlement(draft, actor=personas.city)
    entry = LedgerEntry.objects.get()
    assert approved.status == "approved" and approved.ledger_entry_id == entry.pk
    assert (entry.programme.code, entry.beneficiary_kind, entry.beneficiary_id) == (
        "H1_home_service_subsidy",
        "provider",
        world.provider.pk,
    )
    # 67.75: province 0 %; city 50 % of the rest = 33.875 → 33.88 (half up); the county the remainder 33.87.
    assert (entry.amount, entry.province_share, entry.city_share, entry.county_share) == (
        Decimal("67.75"),
        Decimal("0.00"),
        Decimal("33.88"),
        Decimal("33.87"),
    )
    assert str(entry.period) == "2026-10-01" and entry.org_unit_id == world.provider.org_unit_id
    with pytest.raises(ValidationError) as exc:
        settlements.approve_settlement(draft, actor=personas.city)
    assert code(exc) == "settlement_already_approved"
    assert LedgerEntry.objects.count() == 1


def test_refusals_write_nothing(world, personas, october):
    from chuncheng.elders.queries import today

    for month in ("2026-13", "10/2026"):
        with pytest.raises(ValidationError) as exc:
            settlements.parse_month(month)
        assert code(exc) == "bad_month"
    with pytest.raises(ValidationError) as exc:
        settlements.settle_month(today(), actor=None)
    assert code(exc) == "month_not_ended"
    for user in (personas.community, personas.operator):
        with pytest.raises(ValidationError) as exc:
            settlements.settle_month(OCTOBER, actor=user)
        assert code(exc) == "permission_denied"
    operator = make_user("op_a", "provider_operator", provider=world.provider)
    with pytest.raises(ValidationError):
        settlements.settle_month(OCTOBER, actor=operator)
    assert ProviderSettlement.objects.count() == 0


def test_cli_settles_and_approves(world, personas, october, capsys):
    from chuncheng.cli import main

    assert main(["homecare", "settle", "--month", "2026-10", "--user", "wuhua"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["settled_providers"], out["visits"], out["subsidy_total"]) == (1, 3, "67.75")
    assert main(["homecare", "settle", "--month", "2026-10", "--user", "wuhua"]) == 0
    assert json.loads(capsys.readouterr().out)["settled_providers"] == 0  # idempotent
    assert main(["homecare", "settle", "--month", "2026-x"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "bad_month"
    assert main(["homecare", "approve-settlements", "--month", "2026-10", "--user", "wuhua"]) == 0
    assert json.loads(capsys.readouterr().out)["approved"] == 0  # the maker's own draft is left for another
    assert main(["homecare", "approve-settlements", "--month", "2026-10", "--user", "city"]) == 0
    assert json.loads(capsys.readouterr().out)["approved"] == 1
    assert ProviderSettlement.objects.get().status == "approved"


def test_api_settles_lists_and_approves_in_scope(world, personas, login, october):
    wuhua = login(personas.wuhua)
    r = wuhua.post(f"{API}/settlements/", {"month": "2026-10"}, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert [(s["visits"], s["subsidy_total"]) for s in r.json()["settlements"]] == [(3, "67.75")]
    sid = r.json()["settlements"][0]["id"]
    assert (
        wuhua.post(f"{API}/settlements/", {"month": "2026-10"}, content_type="application/json").json()["created"] == 0
    )
    r = wuhua.post(f"{API}/settlements/", {"month": "2099-01"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (422, "month_not_ended")
    r = wuhua.post(f"{API}/settlements/{sid}/approve/")
    assert (r.status_code, r.json()["code"]) == (422, "maker_cannot_approve")
    guandu = login(personas.guandu)
    assert guandu.get(f"{API}/settlements/{sid}/").status_code == 404
    assert guandu.post(f"{API}/settlements/{sid}/approve/").status_code == 404
    assert guandu.get(f"{API}/settlements/").json()["results"] == []
    operator_a = login(make_user("op_a", "provider_operator", provider=world.provider))
    operator_b = login(make_user("op_b", "provider_operator", provider=world.guandu_provider))
    assert [s["id"] for s in operator_a.get(f"{API}/settlements/").json()["results"]] == [sid]
    assert operator_b.get(f"{API}/settlements/").json()["results"] == []
    assert operator_b.get(f"{API}/settlements/{sid}/").status_code == 404
    assert operator_a.post(f"{API}/settlements/{sid}/approve/").status_code == 404
    assert (
        operator_a.post(f"{API}/settlements/", {"month": "2026-10"}, content_type="application/json").status_code == 404
    )
    assert ProviderSettlement.objects.get().status == "draft"
    r = login(personas.city).post(f"{API}/settlements/{sid}/approve/")
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["ledger_entry"]


def test_settlement_pages(world, personas, login, october):
    wuhua = login(personas.wuhua)
    r = wuhua.post("/homecare/settlements/", {"month": "2026-10"})
    assert r.status_code == 302
    settlement = ProviderSettlement.objects.get()
    page = wuhua.get("/homecare/settlements/").content.decode()
    assert world.provider.name in page and "67.75" in page
    detail = f"/homecare/settlements/{settlement.public_id}/"
    assert wuhua.get(detail).status_code == 200
    assert login(personas.guandu).get(detail).status_code == 404
    assert login(personas.guandu).post(detail + "approve/").status_code == 404
    assert login(personas.community).get("/homecare/settlements/").status_code == 404
    operator_a = login(make_user("op_a", "provider_operator", provider=world.provider))
    operator_b = login(make_user("op_b", "provider_operator", provider=world.guandu_provider))
    assert "67.75" in operator_a.get("/homecare/provider/settlements/").content.decode()
    assert operator_a.get(detail).status_code == 200
    assert operator_a.post(detail + "approve/").status_code == 404
    assert operator_b.get(detail).status_code == 404
    assert world.provider.name not in operator_b.get("/homecare/provider/settlements/").content.decode()
    assert login(personas.city).post(detail + "approve/").status_code == 302
    settlement.refresh_from_db()
    assert settlement.status == "approved"
