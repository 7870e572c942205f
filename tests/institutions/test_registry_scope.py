"""The scope matrix of the registry's pages and endpoints (tests/core/test_scope.py names this module for them).

Another district's record is 404 (never 403); an operator reaches its own institution's residents and staff only,
and no facility; the three administrators see none of it; a denied write changes nothing.
"""

from __future__ import annotations

import csv
import io

import pytest

from chuncheng.institutions.models import Admission, Facility, Staff

pytestmark = pytest.mark.django_db


def _inst(w, which):
    return getattr(w.personas, f"{which}_home").public_id


def _stay(w, which):
    return getattr(w.world, f"{which}_stay").public_id


def _staff(w, which):
    return getattr(w.world, f"{which}_staff").public_id


def _facility(w, which):
    return getattr(w.world, f"{which}_facility").public_id


# route name -> (URL for "wuhua" / "guandu", whether the operator reaches its own record)
RECORD_PAGES = {
    "institutions:residents": (lambda w, x: f"/institutions/{_inst(w, x)}/residents/", True),
    "institutions:admit": (lambda w, x: f"/institutions/{_inst(w, x)}/residents/admit/", True),
    "institutions:staff": (lambda w, x: f"/institutions/{_inst(w, x)}/staff/", True),
    "institutions:caregivers": (lambda w, x: f"/institutions/{_inst(w, x)}/caregivers/", True),
    "institutions:hire": (lambda w, x: f"/institutions/{_inst(w, x)}/staff/new/", True),
    "institutions:discharge": (lambda w, x: f"/institutions/stays/{_stay(w, x)}/discharge/", True),
    "institutions:transfer": (lambda w, x: f"/institutions/stays/{_stay(w, x)}/transfer/", True),
    "institutions:staff_detail": (lambda w, x: f"/institutions/staff/{_staff(w, x)}/", True),
    "institutions:staff_edit": (lambda w, x: f"/institutions/staff/{_staff(w, x)}/edit/", True),
    "facilities:detail": (lambda w, x: f"/facilities/{_facility(w, x)}/", False),
    "facilities:edit": (lambda w, x: f"/facilities/{_facility(w, x)}/edit/", False),
    "facilities:staff": (lambda w, x: f"/facilities/{_facility(w, x)}/staff/", False),
    "facilities:hire": (lambda w, x: f"/facilities/{_facility(w, x)}/staff/new/", False),
}
RECORD_API = {
    "facility-detail": (lambda w, x: f"/api/v1/facilities/{_facility(w, x)}/", False),
    "stay-detail": (lambda w, x: f"/api/v1/stays/{_stay(w, x)}/", True),
    "staff-detail": (lambda w, x: f"/api/v1/staff/{_staff(w, x)}/", True),
}


class W:
    def __init__(self, personas, world):
        self.personas, self.world = personas, world


@pytest.mark.parametrize("name", sorted(RECORD_PAGES))
def test_record_pages_scope(personas, world, login, client, name):
    build, operator_own = RECORD_PAGES[name]
    w = W(personas, world)
    own, other = build(w, "wuhua"), build(w, "guandu")
    assert client.get(own).status_code == 302  # anonymous → login
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    assert wuhua.get(other).status_code == 404
    assert login(personas.guandu).get(own).status_code == 404
    assert login(personas.city).get(other).status_code == 200
    assert login(personas.operator).get(own).status_code == (200 if operator_own else 404)
    assert login(personas.operator).get(other).status_code == 404
    for admin in (personas.sysadmin, personas.auditadmin, personas.secadmin):
        assert login(admin).get(own).status_code == 404


@pytest.mark.parametrize("name", sorted(RECORD_API))
def test_record_api_scope(personas, world, login, client, name):
    build, operator_own = RECORD_API[name]
    w = W(personas, world)
    own, other = build(w, "wuhua"), build(w, "guandu")
    assert client.get(own).status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    response = wuhua.get(other)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert login(personas.operator).get(own).status_code == (200 if operator_own else 404)
    assert login(personas.operator).get(other).status_code == 404
    assert login(personas.auditadmin).get(own).status_code == 404


def test_denied_writes_change_nothing(personas, world, login):
    before = (
        list(Admission.objects.values().order_by("pk")),
        list(Staff.objects.values().order_by("pk")),
        list(Facility.objects.values().order_by("pk")),
    )
    wuhua = login(personas.wuhua)
    g = world
    posts = [
        (
            f"/institutions/{personas.guandu_home.public_id}/residents/admit/",
            {"id_number": world.wuhua_elder2.id_number, "bed_kind": "general", "admitted_on": "2024-01-01"},
        ),
        (
            f"/institutions/stays/{g.guandu_stay.public_id}/discharge/",
            {"discharged_on": "2024-01-01", "reason": "other"},
        ),
        (
            f"/institutions/stays/{g.guandu_stay.public_id}/transfer/",
            {"to_institution": str(personas.wuhua_home.public_id), "on": "2024-01-01"},
        ),
        (f"/institutions/staff/{g.guandu_staff.public_id}/edit/", {"name": "改", "role": "caregiver"}),
        (f"/institutions/staff/{g.guandu_staff.public_id}/leave/", {"left_on": "2024-01-01"}),
        (
            f"/institutions/{personas.guandu_home.public_id}/staff/new/",
            {"id_number": "x", "name": "x", "role": "caregiver"},
        ),
        (
            f"/facilities/{g.guandu_facility.public_id}/edit/",
            {"code": "X", "name": "X", "kind": "canteen", "org_unit": "530102001"},
        ),
        (f"/facilities/{g.guandu_facility.public_id}/status/", {"status": "closed"}),
        (f"/facilities/{g.guandu_facility.public_id}/staff/new/", {"id_number": "x", "name": "x", "role": "other"}),
    ]
    for url, data in posts:
        assert wuhua.post(url, data).status_code == 404, url
    api = [
        (f"/api/v1/stays/{g.guandu_stay.public_id}/discharge/", {"discharged_on": "2024-01-01", "reason": "other"}),
        (
            f"/api/v1/stays/{g.guandu_stay.public_id}/transfer/",
            {"to_institution": str(personas.wuhua_home.public_id), "on": "2024-01-01"},
        ),
        (f"/api/v1/staff/{g.guandu_staff.public_id}/leave/", {"left_on": "2024-01-01"}),
        (f"/api/v1/facilities/{g.guandu_facility.public_id}/status/", {"status": "closed"}),
    ]
    for url, data in api:
        assert wuhua.post(url, data, content_type="application/json").status_code == 404, url
    for url in (f"/api/v1/staff/{g.guandu_staff.public_id}/", f"/api/v1/facilities/{g.guandu_facility.public_id}/"):
        assert wuhua.patch(url, {"name": "改"}, content_type="application/json").status_code == 404
    # Reads allowed, writes not: a township worker and a community worker.
    assert (
        login(personas.huashan)
        .post(
            f"/institutions/stays/{world.wuhua_stay.public_id}/discharge/",
            {"discharged_on": "2024-01-01", "reason": "other"},
        )
        .status_code
        == 404
    )
    assert (
        login(personas.community)
        .post(
            f"/api/v1/staff/{world.wuhua_staff.public_id}/leave/",
            {"left_on": "2024-01-01"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    after = (
        list(Admission.objects.values().order_by("pk")),
        list(Staff.objects.values().order_by("pk")),
        list(Facility.objects.values().order_by("pk")),
    )
    assert after == before


def _names(response, column: str) -> set[str]:
    return {row[column] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def test_lists_and_exports_hold_only_the_users_scope(personas, world, login):
    expected = {
        # persona: (facility codes, stay institutions, staff names)
        "city": ({"SS-WH-1", "SS-GD-1"}, {"华山颐养院", "关上康养中心"}, {"周护理", "吴社工", "郑助餐"}),
        "wuhua": ({"SS-WH-1"}, {"华山颐养院"}, {"周护理", "郑助餐"}),
        "guandu": ({"SS-GD-1"}, {"关上康养中心"}, {"吴社工"}),
        "huashan": ({"SS-WH-1"}, {"华山颐养院"}, {"周护理", "郑助餐"}),
        "operator": (set(), {"华山颐养院"}, {"周护理"}),
    }
    for persona, (facilities, stays, staff) in expected.items():
        c = login(getattr(personas, persona))
        assert {r["code"] for r in c.get("/api/v1/facilities/").json()["results"]} == facilities, persona
        assert {r["institution_name"] for r in c.get("/api/v1/stays/").json()["results"]} == stays, persona
        assert {r["name"] for r in c.get("/api/v1/staff/").json()["results"]} == staff, persona
        if facilities:
            assert _names(c.get("/facilities/export/"), "code") == facilities
            assert _names(c.get("/api/v1/facilities/export/"), "code") == facilities
            page = c.get("/facilities/").content.decode()
            assert ("华山日间照料中心" in page) == ("SS-WH-1" in facilities)
            assert ("关上老年幸福食堂" in page) == ("SS-GD-1" in facilities)
        else:
            assert c.get("/facilities/").status_code == 404
            assert c.get("/facilities/export/").status_code == 404
        uscc = {personas.wuhua_home.uscc: "华山颐养院", personas.guandu_home.uscc: "关上康养中心"}
        assert {uscc[u] for u in _names(c.get("/institutions/stays/export/"), "institution_uscc")} == stays
        assert {uscc[u] for u in _names(c.get("/api/v1/stays/export/"), "institution_uscc")} == stays
        assert _names(c.get("/institutions/staff/export/"), "name") == staff
        assert _names(c.get("/api/v1/staff/export/"), "name") == staff
        stats = c.get("/api/v1/staff/statistics/?by=county").json()["areas"]
        assert sum(a["total"] for a in stats) == len(staff)
        assert c.get("/institutions/staff/statistics/").status_code == 200
    community = login(personas.community)
    assert community.get("/institutions/staff/statistics/").status_code == 404
    assert community.get("/institutions/staff/export/").status_code == 404
    assert community.get("/api/v1/staff/").json()["results"] == []
    for admin in (personas.sysadmin, personas.auditadmin):
        c = login(admin)
        for url in ("/facilities/", "/institutions/staff/statistics/", "/institutions/stays/export/"):
            assert c.get(url).status_code == 404, url
        assert c.get("/api/v1/stays/").json()["results"] == []


def test_navigation_shows_the_new_modules(personas, login):
    page = login(personas.wuhua).get("/").content.decode()
    assert "/facilities/" in page and "/institutions/staff/statistics/" in page
    operator = login(personas.operator).get("/").content.decode()
    assert "/facilities/" not in operator and "/institutions/staff/statistics/" in operator
