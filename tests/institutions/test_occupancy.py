"""Live occupancy on the list, the detail and the API; the bed rules as field errors; query budgets."""

from __future__ import annotations

import pytest

from chuncheng.institutions import services
from chuncheng.institutions.models import Institution
from tests.conftest import make_institution
from tests.institutions.conftest import days_ago, make_elder, village_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_home(personas):
    """4 approved beds, 2 nursing: three open stays (two on nursing beds) and one ended stay."""
    home = make_institution("530102002", "小康养老院", approved_beds=4, nursing_beds=2)
    village = village_of("530102002")
    for n, bed in enumerate(["nursing", "nursing", "general", "general"]):
        elder = make_elder(f"住户{n}", village, seq=60 + n)
        stay = services.admit(elder, home, bed_kind=bed, admitted_on=days_ago(30), actor=personas.city)
        if n == 3:
            services.discharge(stay, days_ago(2), "returned_home", actor=personas.city)
    make_institution("530102003", "筹建中养老院", approved_beds=0, nursing_beds=0)
    return home


def test_occupancy_in_the_api(small_home, personas, login):
    c = login(personas.wuhua)
    rows = {r["name"]: r for r in c.get("/api/v1/institutions/?page_size=100").json()["results"]}
    small = rows["小康养老院"]
    assert (small["residents"], small["nursing_residents"], small["occupancy"], small["nursing_occupancy"]) == (
        3,
        2,
        0.75,
        1.0,
    )
    empty = rows["筹建中养老院"]
    assert (empty["residents"], empty["occupancy"], empty["nursing_occupancy"]) == (0, None, None)
    assert rows["华山颐养院"]["occupancy"] == 0.0
    detail = c.get(f"/api/v1/institutions/{small_home.public_id}/").json()
    assert (detail["occupancy"], detail["nursing_occupancy"]) == (0.75, 1.0)


def test_occupancy_sort(small_home, personas, login):
    c = login(personas.wuhua)
    names = [r["name"] for r in c.get("/api/v1/institutions/?sort=-occupancy").json()["results"]]
    assert names == ["小康养老院", "华山颐养院", "筹建中养老院"]  # no beds: last either way
    names = [r["name"] for r in c.get("/api/v1/institutions/?sort=occupancy").json()["results"]]
    assert names == ["华山颐养院", "小康养老院", "筹建中养老院"]


def test_occupancy_on_the_pages(small_home, personas, login):
    c = login(personas.wuhua)
    page = c.get("/institutions/").content.decode()
    assert "75.0%" in page and "100.0%" in page
    detail = c.get(f"/institutions/{small_home.public_id}/").content.decode()
    assert "75.0% (3 / 4)" in detail and "100.0% (2 / 2)" in detail


def test_operator_sees_its_own_occupancy_only(small_home, personas, login):
    body = login(personas.operator).get("/api/v1/institutions/").json()
    assert [(r["name"], r["residents"]) for r in body["results"]] == [("华山颐养院", 0)]


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"approved_beds": 10, "nursing_beds": 11}, "nursing_beds", "institution_nursing_le_approved"),
        (
            {"approved_beds": 10, "nursing_beds": 5, "safety_net_beds": 6, "puhui_beds": 5},
            "puhui_beds",
            "institution_safety_net_puhui_le_approved",
        ),
        (
            {"approved_beds": 10, "nursing_beds": 5, "property": "leased"},
            "lease_years",
            "institution_lease_years_if_leased",
        ),
    ],
)
def test_bed_rules_are_field_errors_on_the_form_and_the_api(personas, login, data, field, code):
    base = {"name": "大观颐养院", "uscc": "91110000600037341L", "org_unit": "530102003", "kind": "private_nonprofit"}
    c = login(personas.wuhua)
    response = c.post("/institutions/new/", {**base, **data})
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()[field]] == [code]
    api = c.post("/api/v1/institutions/", {**base, **data}, content_type="application/json")
    assert api.status_code == 422
    assert api.json()["code"] == code
    assert api.json()["errors"] == [{"field": field, "code": code, "message": api.json()["errors"][0]["message"]}]
    assert not Institution.objects.filter(uscc=base["uscc"]).exists()


def test_query_counts_of_institution_lists(personas, login, django_assert_max_num_queries):
    village = village_of("530102001")
    for n in range(10):
        home = make_institution("530102001", f"养老院{n}")
        elder = make_elder(f"住户{n}", village, seq=80 + n)
        services.admit(elder, home, bed_kind="nursing", admitted_on=days_ago(3), actor=personas.city)
    c = login(personas.city)
    with django_assert_max_num_queries(9):
        assert c.get("/institutions/").status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get("/api/v1/institutions/").json()["count"] == 12
    with django_assert_max_num_queries(10):
        assert c.get(f"/institutions/{personas.wuhua_home.public_id}/").status_code == 200
