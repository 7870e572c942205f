"""Scope of every welfare page and endpoint: anonymous, another county (404), the own area, administrators; denied
writes change nothing. Named in tests/core/test_scope.py COVERED."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chuncheng.core.models import OrgUnit
from chuncheng.elders.queries import today
from chuncheng.welfare import services
from chuncheng.welfare.models import BasicServiceList, FollowUpTask, WelfareVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, personas):
    services.recompute_all()
    visit = services.record_visit(
        people.lonely_poor,
        {"visited_on": today(), "mode": "phone", "condition": "fair", "risks": "独自在家摔倒过"},
        actor=personas.community,
    )
    guandu_township = OrgUnit.objects.get(code="530111001")
    from tests.conftest import make_user

    guandu_worker = make_user("gqworker", "township_worker", org=guandu_township.code)
    other = services.record_visit(
        people.guandu,
        {"visited_on": today(), "mode": "video", "condition": "poor", "risks": "药物不足"},
        actor=guandu_worker,
    )
    city_list = BasicServiceList.objects.get(county__isnull=True)
    guandu_draft = services.draft_list(OrgUnit.objects.get(code="530111"), today(), actor=personas.guandu)
    return {
        "visit": visit,
        "other_visit": other,
        "task": FollowUpTask.objects.get(visit=visit),
        "other_task": FollowUpTask.objects.get(visit=other),
        "city_list": city_list,
        "guandu_draft": guandu_draft,
        "item": city_list.items.get(code="welfare_visit"),
    }


def test_elder_pages_and_api(world, people, personas, login, client):
    own, other = people.lonely_poor.public_id, people.guandu.public_id
    for url in (f"/welfare/elders/{own}/", f"/welfare/elders/{own}/visit/"):
        assert client.get(url).status_code == 302
    community = login(personas.community)
    assert community.get(f"/welfare/elders/{own}/").status_code == 200
    assert community.get(f"/welfare/elders/{own}/visit/").status_code == 200
    assert community.get(f"/welfare/elders/{other}/").status_code == 404
    assert community.get(f"/welfare/elders/{other}/visit/").status_code == 404
    wuhua = login(personas.wuhua)
    assert wuhua.get(f"/welfare/elders/{other}/").status_code == 404
    assert wuhua.get(f"/welfare/elders/{own}/visit/").status_code == 404  # officials do not record visits
    assert login(personas.city).get(f"/welfare/elders/{other}/").status_code == 200
    assert login(personas.operator).get(f"/welfare/elders/{own}/").status_code == 404
    assert login(personas.auditadmin).get(f"/welfare/elders/{own}/").status_code == 404
    assert client.get(f"/api/v1/welfare/elders/{own}/").status_code == 401
    assert wuhua.get(f"/api/v1/welfare/elders/{own}/").status_code == 200
    response = wuhua.get(f"/api/v1/welfare/elders/{other}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_visit_lists_rate_and_overdue_hold_only_the_users_area(world, people, personas, login):
    wuhua, guandu = login(personas.wuhua), login(personas.guandu)
    page = wuhua.get("/welfare/visits/").content.decode()
    assert "赵一" in page and "吴六" not in page
    assert "独自在家摔倒过" in page and "药物不足" not in page
    assert [v["elder_name"] for v in wuhua.get("/api/v1/welfare-visits/").json()["results"]] == ["赵一"]
    assert [v["elder_name"] for v in guandu.get("/api/v1/welfare-visits/").json()["results"]] == ["吴六"]
    assert wuhua.get(f"/api/v1/welfare-visits/{world['other_visit'].public_id}/").status_code == 404
    assert wuhua.get(f"/api/v1/welfare-visits/{world['visit'].public_id}/").status_code == 200
    assert [t["description"] for t in wuhua.get("/api/v1/welfare-tasks/").json()["results"]] == ["独自在家摔倒过"]
    overdue = wuhua.get("/welfare/overdue/").content.decode()
    assert "钱二" in overdue and "吴六" not in overdue and "赵一" not in overdue.split('data-testid="overdue"')[1]
    assert [e["name"] for e in guandu.get("/api/v1/welfare/overdue/").json()["elders"]] == []
    month = today().strftime("%Y-%m")
    rate = wuhua.get(f"/api/v1/welfare/visit-rate/?month={month}&level=county").json()
    assert rate["areas"] == [{"code": "530102", "name": "五华区", "numerator": 1, "denominator": 4, "rate": 0.25}]
    assert "五华区" in wuhua.get(f"/welfare/visit-rate/?month={month}&level=county").content.decode()
    assert "五华区" not in guandu.get(f"/welfare/visit-rate/?month={month}&level=county").content.decode()
    assert wuhua.get("/api/v1/welfare/visit-rate/?month=2026-13").status_code == 422
    for url in ("/welfare/visits/", "/welfare/overdue/", "/welfare/visit-rate/", "/api/v1/welfare/visit-rate/"):
        assert login(personas.operator).get(url).status_code == 404
        assert login(personas.sysadmin).get(url).status_code == 404


def test_writes_to_another_area_change_nothing(world, people, personas, login):
    community = login(personas.community)
    before = (WelfareVisit.objects.count(), FollowUpTask.objects.filter(status="open").count())
    assert community.post(f"/welfare/elders/{people.guandu.public_id}/visit/", {}).status_code == 404
    response = community.post(
        "/api/v1/welfare-visits/",
        {"elder": str(people.guandu.public_id), "visited_on": str(today()), "mode": "phone", "condition": "good"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert community.post(f"/welfare/tasks/{world['other_task'].public_id}/close/", {"outcome": "x"}).status_code == 404
    assert (
        community.post(f"/api/v1/welfare-tasks/{world['other_task'].public_id}/close/", {"outcome": "x"}).status_code
        == 404
    )
    wuhua = login(personas.wuhua)
    draft = world["guandu_draft"]
    assert wuhua.post(f"/welfare/lists/{draft.public_id}/publish/").status_code == 404
    assert wuhua.post(f"/api/v1/service-lists/{draft.public_id}/publish/").status_code == 404
    assert wuhua.post("/welfare/lists/draft/", {"county": "", "effective_from": str(today())}).status_code == 302
    assert BasicServiceList.objects.filter(county__isnull=True).count() == 1  # a county official: refused
    draft.refresh_from_db()
    assert draft.published_at is None
    assert (WelfareVisit.objects.count(), FollowUpTask.objects.filter(status="open").count()) == before


def test_own_area_writes(world, people, personas, login):
    community = login(personas.community)
    response = community.post(
        f"/welfare/elders/{people.disabled.public_id}/visit/",
        {"visited_on": str(today()), "mode": "in_person", "condition": "good", "needs": "助浴"},
    )
    assert response.status_code == 302
    bad = community.post(
        f"/welfare/elders/{people.disabled.public_id}/visit/",
        {"visited_on": str(today() + timedelta(days=2)), "mode": "in_person", "condition": "good"},
    )
    assert bad.status_code == 422
    assert 'data-testid="field-error"' in bad.content.decode()
    api = community.post(
        "/api/v1/welfare-visits/",
        {
            "elder": str(people.disabled.public_id),
            "visited_on": str(today() + timedelta(days=1)),
            "mode": "phone",
            "condition": "good",
        },
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["code"] == "visit_in_future"
    ok = community.post(
        "/api/v1/welfare-visits/",
        {
            "elder": str(people.disabled.public_id),
            "visited_on": str(today()),
            "mode": "phone",
            "condition": "good",
            "risks": "无人照料",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201
    task = FollowUpTask.objects.get(description="无人照料")
    assert community.post(f"/welfare/tasks/{task.public_id}/close/", {"outcome": "已联系家属"}).status_code == 302
    assert (
        community.post(f"/api/v1/welfare-tasks/{world['task'].public_id}/close/", {"outcome": "已处理"}).json()[
            "status"
        ]
        == "done"
    )
    guandu = login(personas.guandu)
    draft = world["guandu_draft"]
    assert guandu.post(f"/api/v1/service-lists/{draft.public_id}/publish/").status_code == 200
    assert guandu.post(f"/welfare/lists/{draft.public_id}/publish/").status_code == 302  # already published: message
    city = login(personas.city)
    response = city.post("/welfare/lists/draft/", {"county": "530102", "effective_from": str(today())})
    assert response.status_code == 302
    assert BasicServiceList.objects.filter(county__code="530102").count() == 1


def test_lists_items_and_exports(world, people, personas, login, client):
    city_list, item = world["city_list"], world["item"]
    assert client.get("/welfare/lists/").status_code == 302
    wuhua, guandu = login(personas.wuhua), login(personas.guandu)
    assert "官渡区" not in wuhua.get("/welfare/lists/").content.decode()
    assert "官渡区" in guandu.get("/welfare/lists/").content.decode()
    assert wuhua.get(f"/welfare/lists/{world['guandu_draft'].public_id}/").status_code == 404
    assert wuhua.get(f"/api/v1/service-lists/{world['guandu_draft'].public_id}/").status_code == 404
    detail = wuhua.get(f"/welfare/lists/{city_list.public_id}/").content.decode()
    assert "探访关爱" in detail and "UNVERIFIED" in detail
    assert len(wuhua.get("/api/v1/service-lists/").json()["results"]) == 1
    assert wuhua.get(f"/api/v1/service-lists/{city_list.public_id}/").json()["items"][0]["is_open"] is True
    assert [r["area"] for r in wuhua.get(f"/api/v1/service-items/{item.public_id}/entitled/").json()["areas"]] == [
        "530102"
    ]
    assert wuhua.get(f"/api/v1/service-items/{item.public_id}/").status_code == 200
    assert "五华区" in wuhua.get(f"/welfare/items/{item.public_id}/").content.decode()
    rows = wuhua.get(f"/welfare/items/{item.public_id}/export/").content.decode("utf-8-sig").splitlines()
    assert len(rows) == 5 and all("吴六" not in r for r in rows)
    api_rows = (
        guandu.get(f"/api/v1/service-items/{item.public_id}/export/?format=csv")
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert len(api_rows) == 2 and "吴六" in api_rows[1]
    assert "吴六" not in "".join(rows)
    for user in (personas.operator, personas.auditadmin):
        assert login(user).get(f"/welfare/items/{item.public_id}/").status_code == 404
        assert login(user).get(f"/welfare/items/{item.public_id}/export/").status_code == 404
        assert login(user).get(f"/welfare/lists/{city_list.public_id}/").status_code == 404


def test_page_query_counts_do_not_grow_with_rows(world, people, personas, login, django_assert_max_num_queries):
    wuhua = login(personas.wuhua)
    with django_assert_max_num_queries(14):
        wuhua.get("/welfare/visits/")
    with django_assert_max_num_queries(14):
        wuhua.get("/welfare/overdue/")
    with django_assert_max_num_queries(12):
        wuhua.get("/welfare/visit-rate/")
    with django_assert_max_num_queries(14):
        wuhua.get("/api/v1/welfare-visits/")
