"""Filing and editing institutions through the page and the API (the first scoped records)."""

from __future__ import annotations

import pytest

from chuncheng.institutions.models import Institution

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "大观颐养院",
    "uscc": "91110000600037341L",
    "org_unit": "530102003",
    "kind": "private_nonprofit",
    "approved_beds": 60,
    "nursing_beds": 30,
}


def test_county_official_files_through_the_page(personas, login):
    c = login(personas.wuhua)
    response = c.post("/institutions/new/", GOOD)
    assert response.status_code == 302
    institution = Institution.objects.get(uscc=GOOD["uscc"])
    assert (institution.org_unit.code, institution.approved_beds, institution.government_operated) == (
        "530102003",
        60,
        False,
    )


def test_filing_outside_the_area_is_refused(personas, login):
    c = login(personas.wuhua)
    response = c.post("/institutions/new/", {**GOOD, "org_unit": "530111002"})
    assert response.status_code == 200
    assert not Institution.objects.filter(uscc=GOOD["uscc"]).exists()


def test_township_worker_cannot_file(personas, login):
    assert login(personas.huashan).get("/institutions/new/").status_code == 404


def test_api_create_update_and_status(personas, login):
    c = login(personas.city)
    created = c.post("/api/v1/institutions/", GOOD, content_type="application/json")
    assert created.status_code == 201, created.json()
    public_id = created.json()["id"]
    patched = c.patch(f"/api/v1/institutions/{public_id}/", {"nursing_beds": 45}, content_type="application/json")
    assert patched.json()["nursing_beds"] == 45
    refused = c.patch(f"/api/v1/institutions/{public_id}/", {"nursing_beds": 61}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["code"] == "institution_nursing_le_approved"
    assert Institution.objects.get(public_id=public_id).nursing_beds == 45
    status = c.post(f"/api/v1/institutions/{public_id}/status/", {"status": "exited"}, content_type="application/json")
    assert status.json()["status"] == "exited"


def test_operator_edits_only_running_details_of_its_own(personas, login):
    c = login(personas.operator)
    target = personas.wuhua_home
    ok = c.patch(
        f"/api/v1/institutions/{target.public_id}/", {"address": "华山南路1号"}, content_type="application/json"
    )
    assert ok.status_code == 200
    refused = c.patch(
        f"/api/v1/institutions/{target.public_id}/", {"approved_beds": 999}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "field_not_editable"
    target.refresh_from_db()
    assert (target.address, target.approved_beds) == ("华山南路1号", 100)
    status = c.post(
        f"/api/v1/institutions/{target.public_id}/status/", {"status": "exited"}, content_type="application/json"
    )
    assert status.status_code in (403, 422)
    target.refresh_from_db()
    assert target.status == "active"


def test_list_filters_and_sorting(personas, login):
    from tests.conftest import make_institution

    make_institution("530102002", "护国养老院", approved_beds=300, nursing_beds=10, kind="public")
    c = login(personas.wuhua)
    names = [r["name"] for r in c.get("/api/v1/institutions/?sort=-approved_beds").json()["results"]]
    assert names == ["护国养老院", "华山颐养院"]
    assert [r["name"] for r in c.get("/api/v1/institutions/?kind=public").json()["results"]] == ["护国养老院"]
    assert [r["name"] for r in c.get("/api/v1/institutions/?q=华山").json()["results"]] == ["华山颐养院"]
    page = c.get("/institutions/?org=530102002").content.decode()
    assert "护国养老院" in page and "华山颐养院" not in page


def test_service_refuses_nursing_beds_above_approved_on_the_field(personas):
    from django.core.exceptions import ValidationError

    from chuncheng.core.models import OrgUnit
    from chuncheng.institutions import services

    data = {**GOOD, "org_unit": OrgUnit.objects.get(code="530102003"), "approved_beds": 10, "nursing_beds": 11}
    with pytest.raises(ValidationError) as info:
        services.file_institution(data, actor=personas.wuhua)
    assert {f: [e.code for e in errs] for f, errs in info.value.error_dict.items()} == {
        "nursing_beds": ["institution_nursing_le_approved"]
    }
    assert not Institution.objects.filter(uscc=GOOD["uscc"]).exists()


def test_services_recheck_the_institution_is_in_scope(personas):
    from django.core.exceptions import ValidationError

    from chuncheng.institutions import services

    other = personas.guandu_home
    for call in (
        lambda: services.set_status(other, "suspended", actor=personas.wuhua),
        lambda: services.update_institution(other, {"name": "改名"}, actor=personas.wuhua),
        lambda: services.update_institution(other, {"address": "某路"}, actor=personas.operator),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.error_dict["org_unit"][0].code == "out_of_scope"
    other.refresh_from_db()
    assert (other.name, other.status, other.address) == ("关上康养中心", "active", "")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/institutions/export/",
        "/api/v1/facilities/export/",
        "/api/v1/staff/export/",
        "/api/v1/stays/export/",
        "/api/v1/population/export/",
    ],
)
def test_api_exports_take_the_format_parameter(personas, login, path):
    c = login(personas.city)
    csv_response = c.get(path + "?format=csv")
    assert (csv_response.status_code, csv_response["Content-Type"].split(";")[0]) == (200, "text/csv")
    xlsx = c.get(path + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
