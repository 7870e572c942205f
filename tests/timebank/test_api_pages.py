"""The time bank from the API, the pages and the command line; another county's records are 404 everywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuncheng.cli import main
from chuncheng.elders.queries import today
from chuncheng.timebank.models import Account, Posting, Relative, Transfer, Volunteer, VolunteerService
from tests.timebank.conftest import deposit

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (Volunteer, VolunteerService, Relative, Transfer, Posting)]


def test_api_register_record_confirm_withdraw_and_refuse(bank, personas, login):
    api = login(personas.community)
    response = api.post(
        "/api/v1/timebank/volunteers/",
        {"name": "新志愿者", "org_unit": bank.village.code},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    vid = response.json()["id"]
    response = api.post(
        f"/api/v1/timebank/volunteers/{vid}/services/",
        {"served_on": str(today()), "hours": "3.00", "description": "助洁"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    sid = response.json()["id"]
    response = api.post(f"/api/v1/timebank/services/{sid}/confirm/", {}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["kind"] == "deposit"
    response = api.post(
        f"/api/v1/timebank/volunteers/{vid}/relatives/",
        {"elder": str(bank.stranger.public_id), "relation": "grandparent"},
        content_type="application/json",
    )
    assert response.status_code == 201
    before = _counts()
    response = api.post(
        f"/api/v1/timebank/volunteers/{vid}/withdraw/",
        {"hours": "3.5", "beneficiary": str(bank.stranger.public_id), "relation": "grandparent"},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "insufficient_balance"
    assert body["errors"][0]["code"] == "insufficient_balance"
    assert _counts() == before
    response = api.post(
        f"/api/v1/timebank/volunteers/{vid}/withdraw/",
        {"hours": "3", "beneficiary": str(bank.stranger.public_id), "relation": "grandparent"},
        content_type="application/json",
    )
    assert response.status_code == 201
    detail = api.get(f"/api/v1/timebank/volunteers/{vid}/").json()
    assert Decimal(detail["balance"]) == 0
    assert [t["kind"] for t in detail["transfers"]] == ["withdrawal", "deposit"]
    listing = api.get("/api/v1/timebank/volunteers/").json()
    assert {v["name"] for v in listing["results"]} == {"张老", "小李", "新志愿者"}


def test_api_scope_other_county_is_404_and_changes_nothing(bank, personas, login, client):
    deposit(bank.guandu_volunteer, "2", _guandu(bank))
    other = bank.guandu_volunteer.public_id
    own = bank.young.public_id
    assert client.get(f"/api/v1/timebank/volunteers/{own}/").status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get(f"/api/v1/timebank/volunteers/{own}/").status_code == 200
    response = wuhua.get(f"/api/v1/timebank/volunteers/{other}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert login(personas.city).get(f"/api/v1/timebank/volunteers/{other}/").status_code == 200
    assert login(personas.operator).get(f"/api/v1/timebank/volunteers/{own}/").status_code == 404
    assert login(personas.auditadmin).get(f"/api/v1/timebank/volunteers/{own}/").status_code == 404
    community = login(personas.community)
    before = _counts()
    balance = Account.objects.get(volunteer=bank.guandu_volunteer).balance
    service = VolunteerService.objects.get(volunteer=bank.guandu_volunteer)
    for url, data in [
        (
            f"/api/v1/timebank/volunteers/{other}/services/",
            {"served_on": str(today()), "hours": "1", "description": "x"},
        ),
        (
            f"/api/v1/timebank/volunteers/{other}/relatives/",
            {"elder": str(bank.mother.public_id), "relation": "parent"},
        ),
        (
            f"/api/v1/timebank/volunteers/{other}/withdraw/",
            {"hours": "1", "beneficiary": str(bank.mother.public_id), "relation": "parent"},
        ),
        (f"/api/v1/timebank/services/{service.public_id}/confirm/", {}),
    ]:
        assert community.post(url, data, content_type="application/json").status_code == 404, url
    assert {v["name"] for v in community.get("/api/v1/timebank/volunteers/").json()["results"]} == {"张老", "小李"}
    # an official may read but not write: 403 with the stable code
    response = wuhua.post(
        f"/api/v1/timebank/volunteers/{own}/withdraw/",
        {"hours": "1", "beneficiary": str(bank.mother.public_id), "relation": "parent"},
        content_type="application/json",
    )
    assert response.status_code == 404  # the write scope (change) holds nothing for a read-only role
    response = wuhua.post(
        "/api/v1/timebank/volunteers/", {"name": "x", "org_unit": bank.village.code}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert _counts() == before
    assert Account.objects.get(volunteer=bank.guandu_volunteer).balance == balance


def _guandu(bank):
    from chuncheng.core.models import User

    return User.objects.get(username="guandu_worker")


def test_pages_flow_and_other_county_404(bank, personas, login):
    page = login(personas.community)
    response = page.get("/timebank/")
    assert response.status_code == 200
    assert "小李" in response.content.decode()
    assert "官渡志愿者" not in response.content.decode()
    response = page.post("/timebank/", {"name": "页面志愿者", "org_unit": bank.village.code, "elder": ""})
    assert response.status_code == 302
    created = Volunteer.objects.get(name="页面志愿者")
    url = f"/timebank/volunteers/{created.public_id}/"
    assert (
        page.post(url + "services/", {"served_on": str(today()), "hours": "2", "description": "助行"}).status_code
        == 302
    )
    service = VolunteerService.objects.get(volunteer=created)
    assert page.post(f"/timebank/services/{service.public_id}/confirm/", {"decision": "confirm"}).status_code == 302
    assert page.post(url + "relatives/", {"elder": str(bank.mother.public_id), "relation": "parent"}).status_code == 302
    before = _counts()
    response = page.post(
        url + "withdraw/",
        {"hours": "2.5", "beneficiary": str(bank.mother.public_id), "relation": "parent"},
        follow=True,
    )
    assert response.status_code == 200
    assert _counts() == before
    assert (
        page.post(
            url + "withdraw/", {"hours": "2", "beneficiary": str(bank.mother.public_id), "relation": "parent"}
        ).status_code
        == 302
    )
    detail = page.get(url)
    assert detail.status_code == 200
    assert "0.00" in detail.content.decode()
    other = f"/timebank/volunteers/{bank.guandu_volunteer.public_id}/"
    assert page.get(other).status_code == 404
    guandu_service = services_of(bank.guandu_volunteer, _guandu(bank))
    before = _counts()
    assert (
        page.post(other + "services/", {"served_on": str(today()), "hours": "1", "description": "x"}).status_code == 404
    )
    assert (
        page.post(other + "relatives/", {"elder": str(bank.mother.public_id), "relation": "parent"}).status_code == 404
    )
    assert (
        page.post(
            other + "withdraw/", {"hours": "1", "beneficiary": str(bank.mother.public_id), "relation": "parent"}
        ).status_code
        == 404
    )
    assert page.post(f"/timebank/services/{guandu_service.public_id}/confirm/", {}).status_code == 404
    assert _counts() == before
    assert login(personas.guandu).get(url).status_code == 404
    assert login(personas.operator).get("/timebank/").status_code == 404


def services_of(volunteer, actor):
    from chuncheng.timebank import services

    return services.record_service(volunteer, {"served_on": today(), "hours": "1", "description": "x"}, actor=actor)


def test_cli_balance_deposit_withdraw(bank, personas, capsys):
    vid = str(bank.young.public_id)
    assert (
        main(
            [
                "timebank",
                "deposit",
                vid,
                "--hours",
                "2",
                "--served-on",
                str(today()),
                "--description",
                "陪诊",
                "--user",
                "community",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["timebank", "balance", vid, "--user", "community"]) == 0
    out = capsys.readouterr().out
    assert '"balance": "2.00"' in out and '"posted": "2.00"' in out
    before = _counts()
    args = [
        "timebank",
        "withdraw",
        vid,
        "--hours",
        "3",
        "--beneficiary",
        str(bank.mother.public_id),
        "--relation",
        "parent",
        "--user",
        "community",
    ]
    assert main(args) == 2
    assert '"code": "insufficient_balance"' in capsys.readouterr().out
    assert _counts() == before
    args[4] = "2"
    assert main(args) == 0
    assert main(["timebank", "balance", str(bank.guandu_volunteer.public_id), "--user", "community"]) == 2
