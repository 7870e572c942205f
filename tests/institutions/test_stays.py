"""Residents: admit, discharge, transfer — every rule and code, through the service, the pages and the API."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from chuncheng.core.models import AuditEntry
from chuncheng.institutions import services
from chuncheng.institutions.models import Admission
from tests.conftest import make_institution
from tests.institutions.conftest import days_ago, fake_id, make_elder, village_of

pytestmark = pytest.mark.django_db

UNREGISTERED = fake_id(date(1949, 12, 31), 90)  # a valid ID number nobody in the registry has


def error_codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def refused(code: str, call, *args, **kwargs) -> ValidationError:
    """Run a service call that must fail with ``code`` and write nothing."""
    before = (Admission.objects.count(), AuditEntry.objects.count(), list(Admission.objects.values().order_by("pk")))
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    assert code in error_codes(info.value), error_codes(info.value)
    after = (Admission.objects.count(), AuditEntry.objects.count(), list(Admission.objects.values().order_by("pk")))
    assert after == before
    return info.value


# ---- the service -----------------------------------------------------------------------------------------------


def test_admit_opens_a_stay_and_audits_it(world, personas):
    stay = services.admit(
        world.wuhua_elder2, personas.wuhua_home, bed_kind="general", admitted_on=days_ago(3), actor=personas.wuhua
    )
    assert (stay.institution, stay.discharged_on, stay.bed_kind) == (personas.wuhua_home, None, "general")
    entry = AuditEntry.objects.filter(model="institutions.admission", object_id=str(stay.public_id)).get()
    assert entry.action == "create" and entry.actor_username == "wuhua"
    assert entry.org_code == "530102001"


def test_a_second_open_stay_is_refused(world, personas):
    exc = refused(
        "admission_one_open_stay",
        services.admit,
        world.wuhua_elder,
        make_institution("530102002", "护国养老院"),
        bed_kind="general",
        admitted_on=days_ago(1),
        actor=personas.city,
    )
    assert list(exc.error_dict) == ["elder"]


def test_the_database_holds_one_open_stay_per_elder(world, personas):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Admission.objects.create(elder=world.wuhua_elder, institution=personas.guandu_home, admitted_on=days_ago(1))


def test_beyond_the_approved_beds_is_refused(world, personas):
    small = make_institution("530102002", "小康养老院", approved_beds=1, nursing_beds=1)
    services.admit(world.wuhua_elder2, small, bed_kind="general", admitted_on=days_ago(5), actor=personas.wuhua)
    refused(
        "admission_beds_full",
        services.admit,
        world.guandu_elder2,
        small,
        bed_kind="general",
        admitted_on=days_ago(1),
        actor=personas.city,
    )


def test_beyond_the_nursing_beds_is_refused_for_a_nursing_bed(world, personas):
    home = make_institution("530102002", "普通养老院", approved_beds=10, nursing_beds=0)
    refused(
        "admission_nursing_beds_full",
        services.admit,
        world.wuhua_elder2,
        home,
        bed_kind="nursing",
        admitted_on=days_ago(1),
        actor=personas.wuhua,
    )
    assert services.admit(world.wuhua_elder2, home, bed_kind="general", admitted_on=days_ago(1), actor=personas.wuhua)


@pytest.mark.parametrize("status", ["deceased", "moved_away"])
def test_an_elder_no_longer_here_is_not_admitted(world, personas, status):
    elder = world.wuhua_elder2
    elder.status = status
    elder.died_on = days_ago(10) if status == "deceased" else None
    elder.save()
    refused(
        "elder_not_active",
        services.admit,
        elder,
        personas.wuhua_home,
        bed_kind="general",
        admitted_on=days_ago(1),
        actor=personas.wuhua,
    )


@pytest.mark.parametrize(
    ("admitted_on", "code"),
    [(date(1939, 12, 31), "admission_before_birth"), (days_ago(-1), "admission_date_future")],
)
def test_admission_dates_are_checked(world, personas, admitted_on, code):
    # 李建国 was born on 1940-05-06.
    refused(
        code,
        services.admit,
        world.wuhua_elder2,
        personas.wuhua_home,
        bed_kind="general",
        admitted_on=admitted_on,
        actor=personas.wuhua,
    )


def test_a_new_stay_cannot_start_before_the_previous_one_ended(world, personas):
    services.discharge(world.wuhua_stay, days_ago(10), "returned_home", actor=personas.wuhua)
    refused(
        "admission_overlaps_previous_stay",
        services.admit,
        world.wuhua_elder,
        personas.wuhua_home,
        bed_kind="general",
        admitted_on=days_ago(20),
        actor=personas.wuhua,
    )


def test_a_suspended_institution_admits_nobody(world, personas):
    services.set_status(personas.wuhua_home, "suspended", actor=personas.wuhua)
    refused(
        "institution_not_active",
        services.admit,
        world.wuhua_elder2,
        personas.wuhua_home,
        bed_kind="general",
        admitted_on=days_ago(1),
        actor=personas.wuhua,
    )


def test_admission_scope_and_permission(world, personas):
    args = (world.wuhua_elder2, personas.guandu_home)
    kwargs = {"bed_kind": "general", "admitted_on": days_ago(1)}
    refused("out_of_scope", services.admit, *args, **kwargs, actor=personas.wuhua)
    refused("out_of_scope", services.admit, *args, **kwargs, actor=personas.operator)
    refused("permission_denied", services.admit, *args, **kwargs, actor=personas.huashan)
    refused("permission_denied", services.admit, *args, **kwargs, actor=personas.sysadmin)
    assert services.admit(world.wuhua_elder2, personas.wuhua_home, **kwargs, actor=personas.operator)


def test_discharge(world, personas):
    stay = services.discharge(world.wuhua_stay, days_ago(1), "returned_home", actor=personas.operator)
    assert (stay.discharged_on, stay.discharge_reason) == (days_ago(1), "returned_home")
    assert AuditEntry.objects.filter(model="institutions.admission", action="update").count() == 1
    refused("admission_not_open", services.discharge, stay, days_ago(0), "other", actor=personas.wuhua)


def test_discharge_before_admission_is_refused(world, personas):
    exc = refused(
        "admission_discharge_before_admission",
        services.discharge,
        world.wuhua_stay,
        days_ago(101),
        "returned_home",
        actor=personas.wuhua,
    )
    assert list(exc.error_dict) == ["discharged_on"]


def test_discharge_checks_date_reason_and_scope(world, personas):
    refused("discharge_date_future", services.discharge, world.wuhua_stay, days_ago(-1), "other", actor=personas.wuhua)
    refused("choice", services.discharge, world.wuhua_stay, days_ago(1), "bored", actor=personas.wuhua)
    refused("out_of_scope", services.discharge, world.guandu_stay, days_ago(1), "other", actor=personas.wuhua)
    refused("out_of_scope", services.discharge, world.guandu_stay, days_ago(1), "other", actor=personas.operator)


def test_transfer_discharges_and_admits_atomically(world, personas):
    other = make_institution("530102002", "护国养老院")
    new = services.transfer(world.wuhua_stay, other, days_ago(2), actor=personas.wuhua)
    old = Admission.objects.get(pk=world.wuhua_stay.pk)
    assert (old.discharged_on, old.discharge_reason, old.transferred_to_id) == (days_ago(2), "transferred", new.pk)
    assert (new.institution, new.admitted_on, new.bed_kind, new.discharged_on) == (other, days_ago(2), "nursing", None)


def test_a_failed_transfer_changes_nothing(world, personas):
    full = make_institution("530102002", "满员养老院", approved_beds=0, nursing_beds=0)
    refused("admission_beds_full", services.transfer, world.wuhua_stay, full, days_ago(2), actor=personas.wuhua)
    assert Admission.objects.get(pk=world.wuhua_stay.pk).discharged_on is None
    refused(
        "admission_transfer_same_institution",
        services.transfer,
        world.wuhua_stay,
        personas.wuhua_home,
        days_ago(2),
        actor=personas.wuhua,
    )
    # An operator cannot send a resident to an institution outside its scope.
    other = make_institution("530102002", "护国养老院")
    refused("out_of_scope", services.transfer, world.wuhua_stay, other, days_ago(2), actor=personas.operator)


# ---- pages -----------------------------------------------------------------------------------------------------


def test_residents_page_current_and_past(world, personas, login):
    services.discharge(world.wuhua_stay, days_ago(1), "hospital", actor=personas.wuhua)
    services.admit(
        world.wuhua_elder2, personas.wuhua_home, bed_kind="general", admitted_on=days_ago(1), actor=personas.wuhua
    )
    c = login(personas.operator)
    url = f"/institutions/{personas.wuhua_home.public_id}/residents/"
    current = c.get(url).content.decode()
    assert "李建国" in current and "王秀英" not in current
    past = c.get(url + "?state=past").content.decode()
    assert "王秀英" in past and "李建国" not in past
    assert world.wuhua_elder.id_number not in past and world.wuhua_elder.id_number_masked in past
    assert login(personas.guandu).get(url).status_code == 404


def test_admit_page_looks_the_elder_up_by_the_typed_id_number(world, personas, login):
    c = login(personas.operator)
    url = f"/institutions/{personas.wuhua_home.public_id}/residents/admit/"
    assert c.get(url).status_code == 200
    data = {"id_number": world.wuhua_elder2.id_number, "bed_kind": "general", "admitted_on": days_ago(1).isoformat()}
    response = c.post(url, data)
    assert response.status_code == 302
    assert world.wuhua_elder2.id_number not in response["Location"]
    assert Admission.objects.open().filter(elder=world.wuhua_elder2, institution=personas.wuhua_home).exists()


def test_admit_page_shows_the_refusals_on_the_form(world, personas, login):
    c = login(personas.operator)
    url = f"/institutions/{personas.wuhua_home.public_id}/residents/admit/"
    unknown = c.post(url, {"id_number": UNREGISTERED, "bed_kind": "general", "admitted_on": "2024-01-01"})
    assert unknown.status_code == 200 and "field-error" in unknown.content.decode()
    twice = c.post(url, {"id_number": world.wuhua_elder.id_number, "bed_kind": "general", "admitted_on": "2024-01-01"})
    assert twice.status_code == 200
    assert Admission.objects.filter(elder=world.wuhua_elder).count() == 1
    # The operator's own institution only; an official of another district cannot reach the page.
    assert (
        login(personas.operator).get(f"/institutions/{personas.guandu_home.public_id}/residents/admit/").status_code
        == 404
    )
    assert login(personas.guandu).get(url).status_code == 404


def test_discharge_and_transfer_pages(world, personas, login):
    c = login(personas.wuhua)
    url = f"/institutions/stays/{world.wuhua_stay.public_id}/discharge/"
    assert c.get(url).status_code == 200
    bad = c.post(url, {"discharged_on": days_ago(200).isoformat(), "reason": "returned_home"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    assert c.post(url, {"discharged_on": days_ago(1).isoformat(), "reason": "returned_home"}).status_code == 302
    assert Admission.objects.get(pk=world.wuhua_stay.pk).discharged_on == days_ago(1)

    other = make_institution("530102002", "护国养老院")
    stay = services.admit(
        world.wuhua_elder2, personas.wuhua_home, bed_kind="general", admitted_on=days_ago(5), actor=personas.wuhua
    )
    turl = f"/institutions/stays/{stay.public_id}/transfer/"
    page = c.get(turl).content.decode()
    assert "护国养老院" in page and "关上康养中心" not in page  # only institutions in the user's scope
    assert c.post(turl, {"to_institution": str(other.public_id), "on": days_ago(1).isoformat()}).status_code == 302
    assert Admission.objects.open().get(elder=world.wuhua_elder2).institution == other
    for name in ("discharge", "transfer"):
        assert (
            login(personas.guandu).get(f"/institutions/stays/{world.guandu_stay.public_id}/{name}/").status_code == 200
        )
        assert (
            login(personas.wuhua).get(f"/institutions/stays/{world.guandu_stay.public_id}/{name}/").status_code == 404
        )
        assert (
            login(personas.huashan).get(f"/institutions/stays/{world.wuhua_stay.public_id}/{name}/").status_code == 404
        )


def test_residents_export_is_masked_and_scoped(world, personas, login):
    text = login(personas.wuhua).get("/institutions/stays/export/").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id_number"] for r in rows] == [world.wuhua_elder.id_number_masked]
    assert rows[0]["institution_uscc"] == personas.wuhua_home.uscc
    operator = login(personas.operator).get("/institutions/stays/export/").content.decode("utf-8-sig")
    assert world.guandu_elder.id_number_masked not in operator and world.wuhua_elder.id_number_masked in operator


def test_elder_stays_section_renders(world, personas):
    from django.template.loader import render_to_string

    from chuncheng.institutions.queries import stays_for_elder

    html = render_to_string(
        "institutions/_elder_stays.html", {"stays": stays_for_elder(personas.wuhua, world.wuhua_elder)}
    )
    assert "华山颐养院" in html
    assert "华山颐养院" not in render_to_string(
        "institutions/_elder_stays.html", {"stays": stays_for_elder(personas.guandu, world.wuhua_elder)}
    )


# ---- API -------------------------------------------------------------------------------------------------------


def test_api_stays_of_an_elder(world, personas, login):
    url = f"/api/v1/stays/?elder={world.wuhua_elder.public_id}"
    body = login(personas.wuhua).get(url).json()
    assert [(r["institution_name"], r["elder_id_number"]) for r in body["results"]] == [
        ("华山颐养院", world.wuhua_elder.id_number_masked)
    ]
    assert login(personas.guandu).get(url).json()["results"] == []
    assert login(personas.city).get("/api/v1/stays/?state=current").json()["count"] == 2
    assert login(personas.operator).get("/api/v1/stays/").json()["count"] == 1


def test_api_admit_discharge_transfer(world, personas, login):
    c = login(personas.wuhua)
    body = {
        "institution": str(personas.wuhua_home.public_id),
        "id_number": world.wuhua_elder2.id_number,
        "bed_kind": "general",
        "admitted_on": days_ago(5).isoformat(),
    }
    created = c.post("/api/v1/stays/", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["elder_id_number"] == world.wuhua_elder2.id_number_masked
    again = c.post("/api/v1/stays/", body, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (422, "admission_one_open_stay")
    unknown = c.post("/api/v1/stays/", {**body, "id_number": UNREGISTERED}, content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_elder")
    other_area = c.post(
        "/api/v1/stays/", {**body, "institution": str(personas.guandu_home.public_id)}, content_type="application/json"
    )
    assert (other_area.status_code, other_area.json()["code"]) == (422, "unknown_institution")

    stay_url = f"/api/v1/stays/{created.json()['id']}/"
    early = c.post(
        stay_url + "discharge/",
        {"discharged_on": days_ago(6).isoformat(), "reason": "returned_home"},
        content_type="application/json",
    )
    assert (early.status_code, early.json()["code"]) == (422, "admission_discharge_before_admission")
    assert early.json()["errors"][0]["field"] == "discharged_on"

    other = make_institution("530102002", "护国养老院")
    moved = c.post(
        stay_url + "transfer/",
        {"to_institution": str(other.public_id), "on": days_ago(1).isoformat()},
        content_type="application/json",
    )
    assert moved.status_code == 201, moved.json()
    assert moved.json()["institution_name"] == "护国养老院"
    assert c.get(stay_url).json()["transferred_to"] == moved.json()["id"]


def test_api_admit_when_full(world, personas, login):
    small = make_institution("530102002", "小康养老院", approved_beds=0, nursing_beds=0)
    response = login(personas.wuhua).post(
        "/api/v1/stays/",
        {
            "institution": str(small.public_id),
            "id_number": world.wuhua_elder2.id_number,
            "admitted_on": days_ago(1).isoformat(),
        },
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (422, "admission_beds_full")


def test_api_stay_writes_are_scoped(world, personas, login):
    url = f"/api/v1/stays/{world.guandu_stay.public_id}/"
    before = list(Admission.objects.values().order_by("pk"))
    wuhua = login(personas.wuhua)
    assert wuhua.get(url).status_code == 404
    assert (
        wuhua.post(
            url + "discharge/",
            {"discharged_on": days_ago(1).isoformat(), "reason": "other"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert login(personas.operator).get(url).status_code == 404
    assert (
        login(personas.huashan)
        .post(
            f"/api/v1/stays/{world.wuhua_stay.public_id}/discharge/",
            {"discharged_on": days_ago(1).isoformat(), "reason": "other"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert list(Admission.objects.values().order_by("pk")) == before


def test_query_counts_of_resident_lists(world, personas, login, django_assert_max_num_queries):
    village = village_of("530102001")
    for n in range(8):
        elder = make_elder(f"住户{n}", village, seq=40 + n)
        services.admit(elder, personas.wuhua_home, bed_kind="general", admitted_on=days_ago(3), actor=personas.city)
    c = login(personas.wuhua)
    # Session, user, scope unit, institution, count, page, and the session clock's save: none per row.
    with django_assert_max_num_queries(9):
        assert c.get(f"/institutions/{personas.wuhua_home.public_id}/residents/").status_code == 200
    with django_assert_max_num_queries(8):
        assert c.get("/api/v1/stays/").json()["count"] == 9
