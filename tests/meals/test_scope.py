"""Scope of every meal page and endpoint: anonymous, another county (404), the own area, administrators; denied
writes change nothing. Named in tests/core/test_scope.py COVERED."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chuncheng.meals import services
from chuncheng.meals.models import FoodSafetyCheck, MealCard, MealRecord, MealSettlement
from tests.meals.conftest import MONTH, meal

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world):
    own = meal(world.poor, world.canteen, date(2025, 3, 3))
    twin = meal(world.poor, world.point, date(2025, 3, 3))
    other = meal(world.guandu, world.guandu_site, date(2025, 3, 3))
    from chuncheng.meals import flags

    flags.scan_month(MONTH)
    return own, twin, other


def test_record_pages_and_api(records, personas, login, client):
    own, twin, other = records
    assert client.get("/meals/").status_code == 302
    assert client.get("/api/v1/meals/records/").status_code == 401
    wuhua = login(personas.wuhua)
    page = wuhua.get("/meals/?flagged=1")
    assert page.status_code == 200
    body = page.content.decode()
    assert "华山幸福食堂" in body and "关上幸福食堂" not in body and "same_slot_twice" in body
    data = wuhua.get("/api/v1/meals/records/?month=2025-03").json()
    assert {r["id"] for r in data["results"]} == {str(own.public_id), str(twin.public_id)}
    assert wuhua.get(f"/api/v1/meals/records/{own.public_id}/").status_code == 200
    assert wuhua.get(f"/api/v1/meals/records/{other.public_id}/").status_code == 404
    assert wuhua.get("/api/v1/meals/records/?month=2025-13").status_code == 422
    assert login(personas.city).get(f"/api/v1/meals/records/{other.public_id}/").status_code == 200
    assert login(personas.sysadmin).get("/meals/").status_code == 404
    assert login(personas.operator).get("/api/v1/meals/records/").status_code == 403


def test_review_in_another_county_is_404_and_changes_nothing(records, personas, login):
    own, twin, _other = records
    guandu = login(personas.guandu)
    assert guandu.post(f"/api/v1/meals/records/{twin.public_id}/review/", {"decision": "rejected"}).status_code == 404
    assert guandu.post(f"/meals/records/{twin.public_id}/review/", {"decision": "rejected"}).status_code == 404
    twin.refresh_from_db()
    assert twin.review == ""
    wuhua = login(personas.wuhua)
    response = wuhua.post(f"/api/v1/meals/records/{twin.public_id}/review/", {"decision": "rejected"})
    assert response.status_code == 200 and response.json()["review"] == "rejected"
    assert wuhua.post(f"/meals/records/{own.public_id}/review/", {"decision": "accepted"}).status_code == 302
    own.refresh_from_db()
    assert own.review == "accepted"
    # a record without a flag cannot be reviewed
    plain = meal(own.elder, own.site, date(2025, 3, 9))
    response = wuhua.post(f"/api/v1/meals/records/{plain.public_id}/review/", {"decision": "rejected"})
    assert response.status_code == 422 and response.json()["code"] == "not_flagged"


def test_tablet_page_and_api(world, personas, login):
    community = login(personas.community)
    assert community.get("/meals/tablet/").status_code == 200
    assert community.get("/meals/tablet/?site=MC-GD-1").status_code == 404
    assert community.get("/meals/tablet/?site=MC-WH-1").status_code == 200
    found = community.post("/meals/tablet/", {"site": "MC-WH-1", "q": "C-0002"})
    assert found.status_code == 200 and "李四" in found.content.decode()
    by_id = community.post("/meals/tablet/", {"site": "MC-WH-1", "q": world.old_id})
    assert "钱二" in by_id.content.decode() and world.old_id not in by_id.content.decode()
    assert "吴六" not in community.post("/meals/tablet/", {"site": "MC-WH-1", "q": "G-0001"}).content.decode()
    today = date.today().isoformat()
    response = community.post(
        "/meals/tablet/",
        {"site": "MC-WH-1", "elder": str(world.plain.public_id), "slot": "lunch", "served_on": today, "price": "10"},
    )
    assert response.status_code == 302
    assert MealRecord.objects.filter(elder=world.plain, source="tablet").count() == 1
    response = community.post(
        "/api/v1/meals/records/",
        {"site": "MC-WH-1", "card": "C-0002", "slot": "lunch", "served_on": today, "price": "10"},
    )
    assert response.status_code == 422 and response.json()["code"] == "duplicate_record"
    response = community.post(
        "/api/v1/meals/records/",
        {"site": "MC-WH-1", "card": "X-0000", "slot": "dinner", "served_on": today, "price": "10"},
    )
    assert response.status_code == 422 and response.json()["code"] == "card_unknown"
    response = community.post(
        "/api/v1/meals/records/",
        {"site": "MC-GD-1", "card": "C-0002", "slot": "dinner", "served_on": today, "price": "10"},
    )
    assert response.status_code == 422
    response = community.post(
        "/api/v1/meals/records/",
        {"site": "MC-WH-1", "card": "G-0001", "slot": "dinner", "served_on": today, "price": "10"},
    )
    assert response.status_code == 422  # an elder of another area is unknown here
    response = community.post(
        "/api/v1/meals/records/",
        {"site": "MC-WH-1", "card": "C-0002", "slot": "dinner", "served_on": today, "price": "10"},
    )
    assert response.status_code == 201 and response.json()["subsidy"] == "1.00"
    assert MealRecord.objects.count() == 2
    assert login(personas.city).post("/api/v1/meals/records/", {}).status_code == 403


def test_cards_page_and_api(world, personas, login):
    community = login(personas.community)
    assert community.get("/meals/cards/").status_code == 200
    count = MealCard.objects.count()
    response = community.post("/api/v1/meals/cards/", {"elder": str(world.guandu.public_id), "number": "N-1"})
    assert response.status_code == 404
    response = community.post("/api/v1/meals/cards/", {"elder": str(world.plain.public_id), "number": "C-0001"})
    assert response.status_code == 422 and response.json()["code"] == "card_taken"
    assert MealCard.objects.count() == count
    response = community.post("/api/v1/meals/cards/", {"elder": str(world.plain.public_id), "number": "C-7777"})
    assert response.status_code == 201 and "7777" in response.json()["number"]
    response = community.post("/meals/cards/", {"id_number": world.old_id, "number": "C-8888"})
    assert response.status_code == 302
    assert MealCard.objects.count() == count + 2
    assert services.elder_by_card("C-8888") == world.old


def test_settlement_pages_and_api(records, world, personas, login):
    guandu = login(personas.guandu)
    response = guandu.post("/api/v1/meals/settlements/", {"month": "2025-03"})
    assert response.status_code == 201 and response.json()["created"] == 1
    wuhua = login(personas.wuhua)
    assert wuhua.get("/meals/settlements/").status_code == 200
    assert wuhua.post("/meals/settlements/", {"month": "2025-03"}).status_code == 302
    assert MealSettlement.objects.count() == 3
    listing = wuhua.get("/api/v1/meals/settlements/?month=2025-03").json()
    assert {s["site"] for s in listing["results"]} == {"MC-WH-1", "MP-WH-2"}
    response = wuhua.post("/api/v1/meals/settlements/", {"month": "2025-03"})
    assert response.status_code == 200 and response.json()["created"] == 0
    assert login(personas.huashan).post("/meals/settlements/", {"month": "2025-03"}).status_code == 404
    assert login(personas.community).get("/api/v1/meals/settlements/").status_code == 403


def test_checks_pages_and_api(world, personas, login, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    huashan = login(personas.huashan)
    assert huashan.get("/meals/checks/").status_code == 200
    photo = SimpleUploadedFile("kitchen.jpg", b"\xff\xd8\xff fake", content_type="image/jpeg")
    response = huashan.post(
        "/meals/checks/",
        {"site": "MC-WH-1", "checked_on": "2025-03-03", "inspector": "王检", "result": "passed", "photo": photo},
    )
    assert response.status_code == 302
    assert (tmp_path / FoodSafetyCheck.objects.get().photo.name).exists()
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    response = huashan.post(
        "/api/v1/meals/checks/",
        {"site": "MC-WH-1", "checked_on": "2025-03-03", "inspector": "王检", "result": "passed", "photo": script},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "photo"
    response = huashan.post(
        "/api/v1/meals/checks/",
        {"site": "MC-GD-1", "checked_on": "2025-03-03", "inspector": "王检", "result": "passed"},
    )
    assert response.status_code == 422
    response = huashan.post(
        "/api/v1/meals/checks/",
        {"site": "MP-WH-2", "checked_on": "2025-03-04", "inspector": "王检", "result": "rectify", "issues": "留样不足"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert FoodSafetyCheck.objects.count() == 2
    response = huashan.post(
        "/api/v1/meals/checks/",
        {"site": "MP-WH-2", "checked_on": "2025-03-05", "inspector": "王检", "result": "failed"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["code"] == "issues_required"
    assert FoodSafetyCheck.objects.count() == 2
    assert login(personas.guandu).get("/api/v1/meals/checks/").json()["count"] == 0
    assert login(personas.wuhua).get("/api/v1/meals/checks/").json()["count"] == 2
    assert login(personas.community).post("/meals/checks/", {}).status_code == 404


def test_list_query_counts_do_not_grow_with_rows(world, personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wuhua = login(personas.wuhua)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert wuhua.get(url).status_code == 200
        return len(ctx.captured_queries)

    meal(world.poor, world.canteen, date(2025, 3, 3))
    services.settle_month(MONTH, actor=personas.city)
    few = {url: count(url) for url in ("/meals/", "/api/v1/meals/records/", "/meals/settlements/", "/meals/checks/")}
    for day in range(4, 20):
        meal(world.poor, world.canteen, date(2025, 4, day))
        meal(world.plain, world.point, date(2025, 4, day))
    services.settle_month(date(2025, 4, 1), actor=personas.city)
    many = {url: count(url) for url in few}
    assert many == few
    assert wuhua.get("/benefits/").status_code == 200  # the meal programme (no version) does not break the page
