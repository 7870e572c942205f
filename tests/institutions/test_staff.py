"""Staff: hire/update/leave with the ID number encrypted, pages, API, statistics, scope."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.cipher import blind_index, get_cipher
from chuncheng.core.models import AuditEntry
from chuncheng.institutions import services
from chuncheng.institutions.models import Staff
from tests.conftest import make_institution
from tests.institutions.conftest import days_ago, fake_id

pytestmark = pytest.mark.django_db

NEW_ID = fake_id(date(1985, 7, 8), 31)
BAD_ID = NEW_ID[:-1] + ("1" if NEW_ID[-1] != "1" else "2")  # a wrong check digit


def codes(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {f: [e.code for e in errs] for f, errs in exc.error_dict.items()}
    return {"__all__": [e.code for e in exc.error_list]}


def test_hire_encrypts_the_id_number(personas):
    member = services.hire_staff(
        personas.wuhua_home, {"id_number": NEW_ID, "name": "孙护理", "role": "caregiver"}, actor=personas.operator
    )
    assert member.id_number_enc != NEW_ID and NEW_ID not in member.id_number_enc
    clear = get_cipher().decrypt(
        member.id_number_enc, table="institutions_staff", column="id_number_enc", row=str(member.public_id)
    )
    assert clear == NEW_ID
    assert member.id_number_index == blind_index(NEW_ID, purpose="id_number")
    assert member.id_number_masked == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert member.org_unit == personas.wuhua_home.org_unit
    entry = AuditEntry.objects.get(model="institutions.staff", object_id=str(member.public_id))
    assert entry.changes["id_number_enc"] == [None, "[encrypted]"]
    assert NEW_ID not in str(entry.changes)


def test_hire_rules(world, personas):
    def refused(employer, data, actor=personas.city):
        before = Staff.objects.count()
        with pytest.raises(ValidationError) as info:
            services.hire_staff(employer, {"name": "某人", "role": "caregiver", **data}, actor=actor)
        assert Staff.objects.count() == before
        return codes(info.value)

    assert refused(personas.wuhua_home, {"id_number": BAD_ID}) == {"id_number": ["id_number_check_digit"]}
    existing = fake_id(date(1980, 1, 2), 21)  # 周护理, already on 华山颐养院's staff
    assert refused(personas.wuhua_home, {"id_number": existing}) == {"id_number": ["staff_duplicate"]}
    assert services.hire_staff(
        personas.guandu_home, {"id_number": existing, "name": "周护理", "role": "caregiver"}, actor=personas.city
    )  # the same person may work for another employer too
    assert refused(
        personas.wuhua_home,
        {"id_number": NEW_ID, "contract_start": date(2024, 1, 2), "contract_end": date(2024, 1, 1)},
    ) == {"contract_end": ["staff_contract_end_before_start"]}
    assert refused(
        personas.wuhua_home, {"id_number": NEW_ID, "hired_on": date(2024, 1, 2), "left_on": date(2024, 1, 1)}
    ) == {"left_on": ["staff_leave_before_hire"]}
    assert refused(personas.guandu_home, {"id_number": NEW_ID}, personas.operator) == {"employer": ["out_of_scope"]}
    assert refused(world.wuhua_facility, {"id_number": NEW_ID}, personas.operator) == {"employer": ["out_of_scope"]}
    assert refused(personas.guandu_home, {"id_number": NEW_ID}, personas.wuhua) == {"employer": ["out_of_scope"]}
    assert refused(personas.wuhua_home, {"id_number": NEW_ID}, personas.huashan) == {"__all__": ["permission_denied"]}


def test_update_and_leave(world, personas):
    member = services.update_staff(world.wuhua_staff, {"skill_grade": "senior"}, actor=personas.operator)
    assert member.skill_grade == "senior"
    with pytest.raises(ValidationError) as info:
        services.update_staff(member, {"id_number_enc": "x"}, actor=personas.operator)
    assert codes(info.value) == {"id_number_enc": ["field_not_editable"]}
    member = services.update_staff(member, {"hired_on": date(2024, 3, 1)}, actor=personas.operator)
    with pytest.raises(ValidationError) as info:
        services.leave_staff(member, date(2024, 2, 28), actor=personas.operator)
    assert codes(info.value) == {"left_on": ["staff_leave_before_hire"]}
    with pytest.raises(ValidationError) as info:
        services.leave_staff(member, days_ago(-1), actor=personas.operator)
    assert codes(info.value) == {"left_on": ["leave_date_future"]}
    member = services.leave_staff(member, days_ago(1), actor=personas.operator)
    assert member.left_on == days_ago(1)
    with pytest.raises(ValidationError) as info:
        services.leave_staff(member, days_ago(0), actor=personas.operator)
    assert codes(info.value) == {"left_on": ["staff_not_in_post"]}
    with pytest.raises(ValidationError) as info:
        services.leave_staff(world.guandu_staff, days_ago(1), actor=personas.operator)
    assert codes(info.value) == {"employer": ["out_of_scope"]}


# ---- pages -----------------------------------------------------------------------------------------------------


def test_staff_and_caregiver_lists(world, personas, login):
    home = personas.wuhua_home
    services.hire_staff(home, {"id_number": NEW_ID, "name": "钱社工", "role": "social_worker"}, actor=personas.city)
    left = services.hire_staff(
        home,
        {
            "id_number": fake_id(date(1979, 1, 1), 32),
            "name": "冯离职",
            "role": "caregiver",
            "hired_on": date(2020, 1, 1),
        },
        actor=personas.city,
    )
    services.leave_staff(left, days_ago(5), actor=personas.city)
    c = login(personas.operator)
    staff = c.get(f"/institutions/{home.public_id}/staff/").content.decode()
    assert "周护理" in staff and "钱社工" in staff and "冯离职" not in staff
    assert NEW_ID not in staff and NEW_ID[-4:] in staff
    carers = c.get(f"/institutions/{home.public_id}/caregivers/").content.decode()
    assert "周护理" in carers and "钱社工" not in carers
    assert "冯离职" in c.get(f"/institutions/{home.public_id}/caregivers/?in_post=0").content.decode()
    graded = c.get(f"/institutions/{home.public_id}/staff/?skill_grade=junior").content.decode()
    assert "周护理" in graded and "钱社工" not in graded
    assert "钱社工" in c.get(f"/institutions/{home.public_id}/staff/?role=social_worker").content.decode()
    assert c.get(f"/institutions/{personas.guandu_home.public_id}/staff/").status_code == 404
    assert login(personas.guandu).get(f"/institutions/{home.public_id}/caregivers/").status_code == 404
    assert login(personas.community).get(f"/institutions/{home.public_id}/staff/").status_code == 404


def test_hire_edit_leave_pages(world, personas, login):
    c = login(personas.operator)
    url = f"/institutions/{personas.wuhua_home.public_id}/staff/new/"
    assert c.get(url).status_code == 200
    bad = c.post(url, {"id_number": BAD_ID, "name": "错号", "role": "caregiver"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    response = c.post(url, {"id_number": NEW_ID, "name": "孙护理", "role": "caregiver", "skill_grade": "intermediate"})
    assert response.status_code == 302
    member = Staff.objects.get(name="孙护理")
    edit = f"/institutions/staff/{member.public_id}/edit/"
    page = c.get(edit).content.decode()
    assert NEW_ID not in page
    assert c.post(edit, {"name": "孙护理员", "role": "caregiver", "skill_grade": "senior"}).status_code == 302
    assert (
        c.post(f"/institutions/staff/{member.public_id}/leave/", {"left_on": days_ago(1).isoformat()}).status_code
        == 302
    )
    member.refresh_from_db()
    assert (member.name, member.skill_grade, member.left_on) == ("孙护理员", "senior", days_ago(1))
    detail = c.get(f"/institutions/staff/{member.public_id}/").content.decode()
    assert 'data-testid="history"' in detail and "孙护理员" in detail and NEW_ID not in detail
    other = f"/institutions/staff/{world.guandu_staff.public_id}/"
    for suffix in ("", "edit/"):
        assert c.get(other + suffix).status_code == 404
    assert c.post(other + "leave/", {"left_on": days_ago(1).isoformat()}).status_code == 404
    assert Staff.objects.get(pk=world.guandu_staff.pk).left_on is None
    assert login(personas.huashan).get(f"/institutions/staff/{world.wuhua_staff.public_id}/edit/").status_code == 404


def test_facility_staff_pages(world, personas, login):
    c = login(personas.wuhua)
    page = c.get(f"/facilities/{world.wuhua_facility.public_id}/staff/").content.decode()
    assert "郑助餐" in page
    url = f"/facilities/{world.wuhua_facility.public_id}/staff/new/"
    assert c.post(url, {"id_number": NEW_ID, "name": "设施新人", "role": "other"}).status_code == 302
    assert Staff.objects.get(name="设施新人").facility == world.wuhua_facility
    assert login(personas.guandu).get(f"/facilities/{world.wuhua_facility.public_id}/staff/").status_code == 404
    assert login(personas.operator).get(f"/facilities/{world.wuhua_facility.public_id}/staff/").status_code == 404
    assert login(personas.operator).get(url).status_code == 404


def test_staff_export_is_masked_and_scoped(world, personas, login):
    text = login(personas.wuhua).get("/institutions/staff/export/").content.decode("utf-8-sig")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {"周护理", "郑助餐"}
    assert rows["周护理"]["employer_code"] == personas.wuhua_home.uscc
    assert rows["郑助餐"]["employer_code"] == world.wuhua_facility.code
    assert rows["周护理"]["id_number"] == world.wuhua_staff.id_number_masked
    operator = login(personas.operator).get("/api/v1/staff/export/").content.decode("utf-8-sig")
    assert [r["name"] for r in csv.DictReader(io.StringIO(operator))] == ["周护理"]


# ---- statistics ------------------------------------------------------------------------------------------------


def test_statistics_by_county_and_township(world, personas, login):
    services.hire_staff(
        make_institution("530102002", "护国养老院", approved_beds=200, nursing_beds=10),
        {"id_number": NEW_ID, "name": "钱社工", "role": "social_worker"},
        actor=personas.city,
    )
    from chuncheng.institutions.queries import staff_statistics

    by_county = {r["area"]: r for r in staff_statistics(personas.city, "county")}
    assert set(by_county) == {"530102", "530111"}
    wuhua = by_county["530102"]
    assert (wuhua["name"], wuhua["caregivers"], wuhua["social_workers"], wuhua["total"], wuhua["beds"]) == (
        "五华区",
        1,
        1,
        3,  # the facility's staff member counts in the area too
        300,
    )
    assert wuhua["social_workers_per_100_beds"] == round(100 / 300, 2)
    assert by_county["530111"]["social_workers"] == 1
    by_township = [r["area"] for r in staff_statistics(personas.wuhua, "township")]
    assert by_township == ["530102001", "530102002"]
    assert [r["area"] for r in staff_statistics(personas.operator, "county")] == ["530102"]

    page = login(personas.city).get("/institutions/staff/statistics/").content.decode()
    assert "五华区" in page and "官渡区" in page
    own = login(personas.wuhua).get("/institutions/staff/statistics/").content.decode()
    assert "官渡区" not in own and "关上康养中心" not in own and "护国养老院" in own
    api = login(personas.guandu).get("/api/v1/staff/statistics/?by=township").json()
    assert [a["area"] for a in api["areas"]] == ["530111001"]
    assert login(personas.community).get("/institutions/staff/statistics/").status_code == 404


def test_statistics_query_count_is_constant(world, personas, login, django_assert_max_num_queries):
    for n in range(6):
        home = make_institution(f"53010200{n + 2}"[:9], f"养老院{n}")
        services.hire_staff(
            home,
            {"id_number": fake_id(date(1970, 1, 1), 50 + n), "name": f"员工{n}", "role": "caregiver"},
            actor=personas.city,
        )
    c = login(personas.city)
    with django_assert_max_num_queries(12):
        assert c.get("/institutions/staff/statistics/?by=township").status_code == 200


# ---- API -------------------------------------------------------------------------------------------------------


def test_api_hire_filter_leave(world, personas, login):
    c = login(personas.wuhua)
    body = {
        "institution": str(personas.wuhua_home.public_id),
        "id_number": NEW_ID,
        "name": "孙护理",
        "role": "caregiver",
    }
    created = c.post("/api/v1/staff/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["id_number"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
    again = c.post("/api/v1/staff/", body, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (422, "staff_duplicate")
    bad = c.post("/api/v1/staff/", {**body, "id_number": BAD_ID}, content_type="application/json")
    assert bad.json()["code"] == "id_number_check_digit"
    other = c.post(
        "/api/v1/staff/", {**body, "institution": str(personas.guandu_home.public_id)}, content_type="application/json"
    )
    assert (other.status_code, other.json()["code"]) == (422, "unknown_employer")
    both = c.post(
        "/api/v1/staff/", {**body, "facility": str(world.wuhua_facility.public_id)}, content_type="application/json"
    )
    assert both.json()["code"] == "staff_one_employer"

    names = [r["name"] for r in c.get("/api/v1/staff/?role=caregiver").json()["results"]]
    assert sorted(names) == sorted(["周护理", "孙护理"])
    assert [
        r["name"] for r in c.get(f"/api/v1/staff/?facility={world.wuhua_facility.public_id}").json()["results"]
    ] == ["郑助餐"]
    url = f"/api/v1/staff/{created.json()['id']}/"
    early = c.post(url + "leave/", {"left_on": "1999-01-01"}, content_type="application/json")
    assert early.status_code == 200  # no hire date: any past leave date is accepted
    patched = c.patch(url, {"hired_on": "2000-01-01"}, content_type="application/json")
    assert (patched.status_code, patched.json()["code"]) == (422, "staff_leave_before_hire")
    fixed = c.patch(url, {"id_number": NEW_ID}, content_type="application/json")
    assert fixed.json()["code"] == "field_not_editable"
    assert [r["name"] for r in c.get("/api/v1/staff/?in_post=0").json()["results"]] == ["孙护理"]


def test_api_staff_scope(world, personas, login):
    url = f"/api/v1/staff/{world.guandu_staff.public_id}/"
    wuhua = login(personas.wuhua)
    assert wuhua.get(url).status_code == 404
    assert wuhua.patch(url, {"name": "改"}, content_type="application/json").status_code == 404
    assert wuhua.post(url + "leave/", {"left_on": "2024-01-01"}, content_type="application/json").status_code == 404
    operator = login(personas.operator)
    assert operator.get(url).status_code == 404
    assert operator.get(f"/api/v1/staff/{world.facility_staff.public_id}/").status_code == 404
    assert [r["name"] for r in operator.get("/api/v1/staff/").json()["results"]] == ["周护理"]
    assert Staff.objects.get(pk=world.guandu_staff.pk).name == "吴社工"


def test_query_counts_of_staff_lists(world, personas, login, django_assert_max_num_queries):
    for n in range(10):
        services.hire_staff(
            personas.wuhua_home,
            {"id_number": fake_id(date(1975, 1, 1), 60 + n), "name": f"员工{n}", "role": "caregiver"},
            actor=personas.city,
        )
    c = login(personas.wuhua)
    with django_assert_max_num_queries(9):
        assert c.get(f"/institutions/{personas.wuhua_home.public_id}/staff/").status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get("/api/v1/staff/").json()["count"] == 12
    with django_assert_max_num_queries(9):
        assert c.get(f"/institutions/{personas.wuhua_home.public_id}/caregivers/").status_code == 200
    with django_assert_max_num_queries(9):  # three for the figures, whatever the number of areas
        assert c.get("/api/v1/staff/statistics/?by=township").status_code == 200
