"""API quote (same JSON as the CLI), programme catalogue, and eligibility pages/API through the beneficiary's scope."""

from __future__ import annotations

from datetime import date

import pytest

from chuncheng.institutions.models import Admission
from tests.benefits.helpers import b1_facts
from tests.conftest import make_institution

pytestmark = pytest.mark.django_db


def test_programmes_api_and_page(policy, personas, login, client):
    assert client.get("/api/v1/benefits/programmes/").status_code == 401
    response = login(personas.wuhua).get("/api/v1/benefits/programmes/")
    assert response.status_code == 200
    codes = [p["code"] for p in response.json()["programmes"]]
    assert "B2_operating" in codes
    b2 = next(p for p in response.json()["programmes"] if p["code"] == "B2_operating")
    assert [v["label"] for v in b2["versions"]] == ["2018", "2022"]
    page = login(personas.wuhua).get("/benefits/")
    assert page.status_code == 200
    assert "UNVERIFIED" in page.content.decode()
    assert login(personas.sysadmin).get("/benefits/").status_code == 404


def test_api_quote_matches_the_cli_shape(policy, personas, login):
    api = login(personas.city)
    url = "/api/v1/benefits/quote/B1_bed_construction/?date=2024-01-01"
    response = api.post(url, b1_facts(occupancy="29.9"), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["eligible"] is False
    assert body["amount"] == "0.00"
    assert any(r["message"] == "入住率 29.9% < 30%" for r in body["reasons"])
    assert set(body) >= {"eligible", "amount", "breakdown", "reasons", "policy_version", "fund_shares"}
    bad = api.post(url, b1_facts(approved_beds=-1), content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "input_negative")
    unknown = api.post("/api/v1/benefits/quote/B0/", {}, content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "programme_unknown")


def test_institution_eligibility_uses_open_stays(policy, personas, login, registry):
    home = make_institution(
        "530102001", "五华护理院", approved_beds=10, nursing_beds=1, is_nursing_type=True, property="owned"
    )
    Admission.objects.create(elder=registry.wuhua, institution=home, admitted_on=date(2024, 1, 1), bed_kind="nursing")
    url = f"/api/v1/benefits/eligibility/institution/{home.public_id}/?programme=B1_bed_construction&date=2024-06-01"
    body = login(personas.wuhua).get(url).json()
    result = body["results"][0]
    assert result["eligible"] is False
    occupancy = next(r for r in result["reasons"] if r["condition"] == "occupancy")
    assert occupancy["message"] == "入住率 10% < 30%"
    nursing = next(r for r in result["reasons"] if r["condition"] == "nursing_occupancy")
    assert nursing["passed"] is True
    sanction = next(r for r in result["reasons"] if r["condition"] == "not_sanctioned")
    assert sanction["passed"] is True
    assert any("no sanction list loaded" in n for n in result["notes"])
    page = login(personas.wuhua).get(
        f"/benefits/eligibility/institution/{home.public_id}/?programme=B1_bed_construction&date=2024-06-01"
    )
    assert page.status_code == 200
    assert "入住率 10% &lt; 30%" in page.content.decode() or "入住率 10% < 30%" in page.content.decode()


def test_eligibility_scope_other_county_is_404(policy, personas, login, client):
    own = f"/benefits/eligibility/institution/{personas.wuhua_home.public_id}/"
    other = f"/benefits/eligibility/institution/{personas.guandu_home.public_id}/"
    own_api = f"/api/v1/benefits/eligibility/institution/{personas.wuhua_home.public_id}/"
    other_api = f"/api/v1/benefits/eligibility/institution/{personas.guandu_home.public_id}/"
    assert client.get(own).status_code == 302
    assert client.get(own_api).status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    assert wuhua.get(other).status_code == 404
    assert wuhua.get(own_api).status_code == 200
    assert wuhua.get(other_api).status_code == 404
    assert login(personas.operator).get(other_api).status_code == 404
    assert login(personas.operator).get(own_api).status_code == 200
    assert login(personas.city).get(other_api).status_code == 200
    assert login(personas.auditadmin).get(own_api).status_code == 404
    assert wuhua.get(f"/api/v1/benefits/eligibility/ship/{personas.wuhua_home.public_id}/").status_code == 404


def test_elder_eligibility_longevity_allowance(policy, personas, login, registry):
    elder = registry.wuhua_old  # 85 today
    url = f"/api/v1/benefits/eligibility/elder/{elder.public_id}/?programme=P1_longevity_allowance&date=2023-12-31"
    response = login(personas.wuhua).get(url)
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["policy_version"]["label"] == "2023"
    assert result["facts"]["county"] == "530102"
    assert result["eligible"] is (result["facts"]["age"] >= 80)
    other = login(personas.guandu).get(url)
    assert other.status_code == 404
