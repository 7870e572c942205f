"""Community facilities: services, pages (filters, sort, paging, export), API, scope."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.models import AuditEntry, OrgUnit
from chuncheng.institutions import services
from chuncheng.institutions.choices import FacilityKind
from chuncheng.institutions.models import Facility
from tests.institutions.conftest import make_facility

pytestmark = pytest.mark.django_db


def data(code="SS-NEW", org="530102001", **extra):
    return {
        "code": code,
        "name": "新建日间照料中心",
        "kind": "day_care",
        "org_unit": OrgUnit.objects.get(code=org),
        **extra,
    }


def test_file_update_close_reopen_are_audited(personas):
    facility = services.file_facility(data(), actor=personas.huashan)  # a township worker runs its facilities
    facility = services.update_facility(facility, {"beds": 12}, actor=personas.wuhua)
    facility = services.close_facility(facility, actor=personas.wuhua)
    assert facility.status == "closed"
    facility = services.reopen_facility(facility, actor=personas.city)
    assert facility.status == "active"
    actions = list(
        AuditEntry.objects.filter(model="institutions.facility", object_id=str(facility.public_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update", "update"]


def test_facility_rules(personas):
    with pytest.raises(ValidationError) as info:
        services.file_facility(data(org="530111001"), actor=personas.wuhua)
    assert info.value.error_dict["org_unit"][0].code == "org_out_of_scope"
    with pytest.raises(ValidationError) as info:
        services.file_facility(data(), actor=personas.community)
    assert info.value.error_list[0].code == "permission_denied"
    services.file_facility(data(), actor=personas.wuhua)
    with pytest.raises(ValidationError) as info:
        services.file_facility(data(), actor=personas.wuhua)
    assert info.value.error_dict["code"][0].code == "unique"
    guandu = make_facility("SS-GD-9", "关上食堂", "530111001")
    with pytest.raises(ValidationError) as info:
        services.close_facility(guandu, actor=personas.wuhua)
    assert Facility.objects.get(pk=guandu.pk).status == "active"


@pytest.mark.parametrize("kind", FacilityKind.values)
def test_every_kind_through_the_api(personas, login, kind):
    body = {"code": f"SS-{kind}", "name": kind, "kind": kind, "org_unit": "530102", "operator": "private"}
    response = login(personas.wuhua).post("/api/v1/facilities/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == kind


@pytest.fixture
def facilities(personas):
    make_facility("SS-A", "华山日间照料中心", "530102001", kind="day_care", beds=30)
    make_facility("SS-B", "护国老年幸福食堂", "530102002", kind="canteen", beds=0)
    make_facility("SS-C", "大观互助站", "530102003", kind="mutual_aid_station", status="closed", beds=5)
    make_facility("SS-D", "关上食堂", "530111001", kind="canteen")


def test_list_filters_search_sort(facilities, personas, login):
    c = login(personas.wuhua)

    def names(query):
        return [r["name"] for r in c.get(f"/api/v1/facilities/?{query}").json()["results"]]

    assert names("") == ["华山日间照料中心", "护国老年幸福食堂", "大观互助站"]
    assert names("kind=canteen") == ["护国老年幸福食堂"]
    assert names("status=closed") == ["大观互助站"]
    assert names("org=530102002") == ["护国老年幸福食堂"]
    assert names("q=华山") == ["华山日间照料中心"]
    assert names("q=SS-C") == ["大观互助站"]
    assert names("sort=-beds") == ["华山日间照料中心", "大观互助站", "护国老年幸福食堂"]
    page = c.get("/facilities/?kind=canteen").content.decode()
    assert "护国老年幸福食堂" in page and "华山日间照料中心" not in page and "关上食堂" not in page


def test_list_pages(personas, login):
    for n in range(55):
        make_facility(f"SS-{n:03d}", f"设施{n:03d}", "530102001")
    c = login(personas.wuhua)
    first = c.get("/facilities/?sort=code").content.decode()
    assert "设施000" in first and "设施050" not in first and "1 / 2" in first
    second = c.get("/facilities/?sort=code&page=2").content.decode()
    assert "设施050" in second and "设施000" not in second


def test_export_csv_and_xlsx(facilities, personas, login):
    c = login(personas.wuhua)
    text = c.get("/facilities/export/?kind=canteen").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["code"], r["org_unit_code"], r["kind"]) for r in rows] == [("SS-B", "530102002", "canteen")]
    xlsx = c.get("/facilities/export/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("code", "name", "kind", "org_unit_code")
    assert {v[0] for v in values[1:]} == {"SS-A", "SS-B", "SS-C"}
    api = c.get("/api/v1/facilities/export/").content.decode("utf-8-sig")
    assert "SS-D" not in api and "SS-A" in api


def test_pages_create_edit_close(personas, login):
    c = login(personas.wuhua)
    assert c.get("/facilities/new/").status_code == 200
    response = c.post(
        "/facilities/new/", {"code": "SS-P", "name": "页面新建中心", "kind": "street_center", "org_unit": "530102001"}
    )
    assert response.status_code == 302
    facility = Facility.objects.get(code="SS-P")
    outside = c.post("/facilities/new/", {"code": "SS-Q", "name": "越界", "kind": "canteen", "org_unit": "530111001"})
    assert outside.status_code == 200 and not Facility.objects.filter(code="SS-Q").exists()
    edit = f"/facilities/{facility.public_id}/edit/"
    assert (
        c.post(edit, {"code": "SS-P", "name": "改名中心", "kind": "street_center", "org_unit": "530102001"}).status_code
        == 302
    )
    assert c.post(f"/facilities/{facility.public_id}/status/", {"status": "closed"}).status_code == 302
    detail = c.get(f"/facilities/{facility.public_id}/").content.decode()
    assert "改名中心" in detail and 'data-testid="history"' in detail and "页面新建中心" in detail  # the history
    assert Facility.objects.get(pk=facility.pk).status == "closed"


def test_facility_scope(facilities, personas, login):
    guandu = Facility.objects.get(code="SS-D")
    own = Facility.objects.get(code="SS-A")
    wuhua = login(personas.wuhua)
    for url in (f"/facilities/{guandu.public_id}/", f"/facilities/{guandu.public_id}/edit/"):
        assert wuhua.get(url).status_code == 404
    assert wuhua.post(f"/facilities/{guandu.public_id}/status/", {"status": "closed"}).status_code == 404
    assert wuhua.get(f"/api/v1/facilities/{guandu.public_id}/").status_code == 404
    assert (
        wuhua.patch(f"/api/v1/facilities/{guandu.public_id}/", {"beds": 1}, content_type="application/json").status_code
        == 404
    )
    assert wuhua.post(f"/api/v1/facilities/{guandu.public_id}/status/", {"status": "closed"}).status_code == 404
    assert Facility.objects.get(pk=guandu.pk).status == "active"
    operator = login(personas.operator)
    assert operator.get("/facilities/").status_code == 404
    assert operator.get(f"/facilities/{own.public_id}/").status_code == 404
    assert operator.get("/api/v1/facilities/").json()["results"] == []
    community = login(personas.community)
    assert community.get(f"/facilities/{own.public_id}/edit/").status_code == 404
    assert login(personas.auditadmin).get("/facilities/").status_code == 404


def test_api_update_and_status(facilities, personas, login):
    own = Facility.objects.get(code="SS-A")
    c = login(personas.wuhua)
    patched = c.patch(f"/api/v1/facilities/{own.public_id}/", {"beds": 40}, content_type="application/json")
    assert patched.json()["beds"] == 40
    moved = c.patch(f"/api/v1/facilities/{own.public_id}/", {"org_unit": "530111001"}, content_type="application/json")
    assert (moved.status_code, moved.json()["code"]) == (422, "org_out_of_scope")
    closed = c.post(
        f"/api/v1/facilities/{own.public_id}/status/", {"status": "closed"}, content_type="application/json"
    )
    assert closed.json()["status"] == "closed"


def test_query_counts_of_facility_lists(personas, login, django_assert_max_num_queries):
    for n in range(20):
        make_facility(f"SS-{n:03d}", f"设施{n:03d}", "530102001")
    c = login(personas.wuhua)
    with django_assert_max_num_queries(8):
        assert c.get("/facilities/").status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get("/api/v1/facilities/").json()["count"] == 20
