"""The family-bed API: create (default plan), refusals in the error shape writing nothing, adaptation, status,
the month's compliance, the count per area, and the other county's beds are 404."""

from __future__ import annotations

from datetime import datetime

import pytest

from chuncheng.elders.queries import SHANGHAI
from chuncheng.familybeds.models import HomeAdaptation, HomeCareBed
from tests.familybeds.conftest import make_visit, setup

pytestmark = pytest.mark.django_db

API = "/api/v1/family-beds"
JSON = "application/json"


def test_create_adapt_and_close_through_the_api(beds_world, personas, login):
    worker = login(personas.community)
    body = {
        "elder": str(beds_world.elder.public_id),
        "provider": str(beds_world.provider.public_id),
        "start_date": "2026-10-01",
    }
    r = worker.post(f"{API}/", body, content_type=JSON)
    assert r.status_code == 201, r.json()
    bed = r.json()
    assert (bed["status"], bed["planned_visits"], bed["org_unit"], bed["adaptation"]) == (
        "active",
        5,
        beds_world.elder.org_unit.code,
        None,
    )
    r = worker.post(f"{API}/", body, content_type=JSON)
    assert (r.status_code, r.json()["code"]) == (422, "bed_exists")
    adapt = {"items": ["grab_bar", "night_light"], "cost": "3600.00", "subsidy": "3500.00"}
    r = worker.post(f"{API}/{bed['id']}/adaptation/", adapt, content_type=JSON)
    assert (r.status_code, r.json()["code"]) == (422, "subsidy_over_cap")
    assert not HomeAdaptation.objects.exists()
    r = worker.post(f"{API}/{bed['id']}/adaptation/", {**adapt, "subsidy": "3000.00"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["adaptation"]["subsidy"] == "3000.00"
    r = worker.post(f"{API}/{bed['id']}/status/", {"status": "closed", "on": "2026-12-31"}, content_type=JSON)
    assert (r.json()["status"], r.json()["end_date"]) == ("closed", "2026-12-31")
    assert worker.get(f"{API}/{bed['id']}/").json()["adaptation"]["items"] == ["grab_bar", "night_light"]


def test_list_query_count_is_pinned(beds_world, personas, login, django_assert_max_num_queries):
    from chuncheng.elders.models import Elder
    from tests.familybeds.conftest import register

    for seq in range(3):
        elder = register(personas.wuhua, f"床位{seq}", 80, 60 + seq, beds_world.village)
        Elder.objects.filter(pk=elder.pk).update(capability_level="severe")
        setup(elder, personas.community, beds_world.provider)
        if seq:
            from chuncheng.familybeds import services

            bed = elder.family_beds.get()
            services.record_adaptation(bed, items=["grab_bar"], cost="100", subsidy="50", actor=personas.community)
    client = login(personas.wuhua)
    with django_assert_max_num_queries(8):  # session, user, count, page (beds + elder + adaptation joined)
        r = client.get(f"{API}/")
    assert r.status_code == 200 and len(r.json()["results"]) == 3
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/compliance/", {"month": "2026-10"}).json()["results"]) == 3


def test_refusals_are_422_with_their_code(beds_world, personas, login):
    huashan = login(personas.huashan)
    r = huashan.post(
        f"{API}/",
        {
            "elder": str(beds_world.plain.public_id),
            "provider": str(beds_world.provider.public_id),
            "start_date": "2026-10-01",
        },
        content_type=JSON,
    )
    assert (r.status_code, r.json()["code"]) == (422, "level_not_eligible")
    assert r.json()["errors"][0]["message"]
    assert not HomeCareBed.objects.exists()


def test_compliance_and_counts(beds_world, personas, login):
    setup(beds_world.elder, personas.community, beds_world.provider)
    setup(beds_world.guandu_elder, personas.guandu, beds_world.guandu_provider)
    make_visit(beds_world, start=datetime(2026, 10, 2, 9, tzinfo=SHANGHAI), minutes=60)
    wuhua = login(personas.wuhua)
    body = wuhua.get(f"{API}/compliance/", {"month": "2026-10"}).json()
    assert [(r["planned"], r["verified"], r["rate"], r["status"]) for r in body["results"]] == [(5, 1, "0.20", "short")]
    r = wuhua.get(f"{API}/compliance/", {"month": "2026-13"})
    assert (r.status_code, r.json()["code"]) == (422, "bad_month")
    counts = login(personas.city).get(f"{API}/counts/", {"on": "2026-10-15"}).json()
    assert [(c["code"], c["count"]) for c in counts["results"]] == [("530102", 1), ("530111", 1)]
    township = login(personas.guandu).get(f"{API}/counts/", {"on": "2026-10-15", "level": "township"}).json()
    assert [(c["code"], c["count"]) for c in township["results"]] == [("530111001", 1)]
    assert township["results"][0]["name"]


def test_other_county_is_404_and_changes_nothing(beds_world, personas, login):
    bed = setup(beds_world.elder, personas.community, beds_world.provider)
    guandu = login(personas.guandu)
    assert guandu.get(f"{API}/{bed.public_id}/").status_code == 404
    r = guandu.post(
        f"{API}/{bed.public_id}/adaptation/", {"items": ["grab_bar"], "cost": "10", "subsidy": "5"}, content_type=JSON
    )
    assert r.status_code == 404
    assert guandu.post(f"{API}/{bed.public_id}/status/", {"status": "closed"}, content_type=JSON).status_code == 404
    assert guandu.get(f"{API}/").json()["results"] == []
    assert guandu.get(f"{API}/compliance/", {"month": "2026-10"}).json()["results"] == []
    bed.refresh_from_db()
    assert bed.status == "active" and not HomeAdaptation.objects.exists()
    r = guandu.post(
        f"{API}/",
        {
            "elder": str(beds_world.elder.public_id),
            "provider": str(beds_world.provider.public_id),
            "start_date": "2026-10-01",
        },
        content_type=JSON,
    )
    assert r.status_code == 404 and HomeCareBed.objects.count() == 1
    assert (
        login(personas.city).post(f"{API}/{bed.public_id}/status/", {"status": "closed"}, content_type=JSON).status_code
        == 404
    )
    assert len(login(personas.wuhua).get(f"{API}/").json()["results"]) == 1
