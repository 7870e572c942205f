"""The elders API: masked output, write-only secrets, 422 with stable codes, the access log, scope."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from chuncheng.core.models import AccessLog
from chuncheng.elders import queries, services
from chuncheng.elders.models import Elder
from tests.elders.conftest import fake_id, full_ids, years_ago

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type=JSON)


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type=JSON)


def new_elder(unit, **extra):
    return {"id_number": fake_id(years_ago(71), 50), "name": "吴玉兰", "org_unit": unit.code, **extra}


def test_list_is_scoped_and_masked(personas, registry, login):
    response = login(personas.wuhua).get("/api/v1/elders/")
    assert response.status_code == 200
    data = response.json()
    assert {r["name"] for r in data["results"]} == {"王秀英", "李德明"}
    assert (data["count"], data["count_capped"]) == (2, False)
    row = next(r for r in data["results"] if r["name"] == "王秀英")
    assert row["id_number_masked"] == registry.wuhua.id_number_masked
    assert row["phone_masked"] == "138****5678"
    assert row["address"] == "云南省昆明市…"
    assert (row["age"], row["advanced_age"], row["categories"]) == (72, False, ["tekun", "living_alone"])
    assert "id_number" not in row and "phone" not in row and "birth_date" not in row
    assert full_ids(response.content.decode()) & registry.all_ids() == set()
    assert {r["name"] for r in login(personas.guandu).get("/api/v1/elders/").json()["results"]} == {"张桂兰"}


def test_list_filters_and_refuses_an_id_number_in_the_url(personas, registry, login):
    c = login(personas.wuhua)
    assert [r["name"] for r in c.get("/api/v1/elders/", {"advanced_age": "1"}).json()["results"]] == ["李德明"]
    assert [r["name"] for r in c.get("/api/v1/elders/", {"q": "王秀"}).json()["results"]] == ["王秀英"]
    refused = c.get("/api/v1/elders/", {"q": registry.ids["wuhua"]})
    assert refused.status_code == 422
    assert refused.json()["code"] == "id_number_in_url"


def test_list_api_query_count_does_not_grow_with_rows(personas, villages, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def register(seqs):
        for seq in seqs:
            services.register_elder(
                {"id_number": fake_id(years_ago(70), seq), "name": f"测试{seq:02d}", "org_unit": villages[seq % 2]},
                actor=personas.wuhua,
            )

    c = login(personas.wuhua)
    register(range(2))
    c.get("/api/v1/elders/")
    with CaptureQueriesContext(connection) as few:
        c.get("/api/v1/elders/")
    register(range(2, 40))
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        assert len(c.get("/api/v1/elders/").json()["results"]) == 40
    assert len(many) == len(few)


def test_retrieve_writes_the_access_log(personas, registry, login):
    services.add_contact(
        registry.wuhua, {"name": "王强", "relation": "child", "phone": "13600002222"}, actor=personas.wuhua
    )
    response = login(personas.huashan).get(f"/api/v1/elders/{registry.wuhua.public_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["contacts"] == [
        {
            "id": str(registry.wuhua.contacts.get().public_id),
            "name": "王强",
            "relation": "child",
            "phone_masked": "136****2222",
            "is_guardian": False,
        }
    ]
    assert "13600002222" not in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.purpose) == (personas.huashan, str(registry.wuhua.public_id), "view")


def test_create_hides_secrets_and_validates(personas, villages, login):
    c = login(personas.wuhua)
    data = new_elder(villages[0], phone="13511112222", categories=["lonely"])
    created = post(c, "/api/v1/elders/", data)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "id_number" not in body and "phone" not in body
    assert body["phone_masked"] == "135****2222" and body["categories"] == ["lonely"]
    assert data["id_number"] not in created.content.decode()
    assert Elder.objects.get(public_id=body["id"]).lonely


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (
            lambda d, p: {**d, "id_number": d["id_number"][:17] + ("1" if d["id_number"][17] != "1" else "2")},
            422,
            "id_number_check_digit",
        ),
        (lambda d, p: {**d, "id_number": fake_id(years_ago(59), 51)}, 422, "elder_under_60"),
        (lambda d, p: {**d, "org_unit": "530111001001"}, 422, "org_out_of_scope"),
        (lambda d, p: {**d, "org_unit": "530102999999"}, 422, "unknown_org_unit"),
        (lambda d, p: {**d, "categories": ["rich"]}, 422, "invalid_choice"),
        (lambda d, p: {k: v for k, v in d.items() if k != "id_number"}, 422, "required"),
        (lambda d, p: {**d, "phone": "12345"}, 422, "phone_format"),
    ],
)
def test_create_errors_have_stable_codes(personas, villages, login, change, status, code):
    response = post(login(personas.wuhua), "/api/v1/elders/", change(new_elder(villages[0]), personas))
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not Elder.objects.exists()


def test_create_duplicates_under_60_allowed_and_operators_refused(personas, registry, villages, login):
    c = login(personas.wuhua)
    duplicate = post(c, "/api/v1/elders/", {**new_elder(villages[0]), "id_number": registry.ids["guandu"]})
    assert (duplicate.status_code, duplicate.json()["code"]) == (422, "elder_duplicate")
    young = {**new_elder(villages[0]), "id_number": fake_id(years_ago(59), 52), "allow_under_60": True}
    assert post(c, "/api/v1/elders/", young).status_code == 201
    refused = post(login(personas.operator), "/api/v1/elders/", new_elder(villages[0]))
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


def test_partial_update(personas, registry, login):
    c = login(personas.wuhua)
    url = f"/api/v1/elders/{registry.wuhua.public_id}/"
    response = patch(c, url, {"capability_level": "total", "phone": "13700001111", "status": "deceased"})
    assert response.status_code == 200, response.json()
    assert (response.json()["capability_level"], response.json()["phone_masked"]) == ("total", "137****1111")
    assert response.json()["status"] == "active"  # read-only: only the death action changes it
    assert patch(c, url, {"org_unit": "530111001001"}).json()["code"] == "org_out_of_scope"
    assert patch(c, url, {"id_number": registry.ids["wuhua_old"]}).json()["code"] == "elder_duplicate"
    assert c.put(url, json.dumps({}), content_type=JSON).status_code == 405


def test_death_and_move_away_actions(personas, registry, login):
    c = login(personas.wuhua)
    url = f"/api/v1/elders/{registry.wuhua.public_id}/"
    future = post(c, url + "death/", {"died_on": str(queries.today() + timedelta(days=1))})
    assert (future.status_code, future.json()["code"]) == (422, "date_in_future")
    done = post(c, url + "death/", {"died_on": str(queries.today())})
    assert done.json()["status"] == "deceased"
    again = post(c, url + "move-away/", {"moved_on": str(queries.today())})
    assert (again.status_code, again.json()["code"]) == (422, "elder_not_active")
    moved = post(c, f"/api/v1/elders/{registry.wuhua_old.public_id}/move-away/", {"moved_on": "2026-01-05"})
    assert (moved.json()["status"], moved.json()["moved_on"]) == ("moved_away", "2026-01-05")
    assert c.get("/api/v1/elders/").json()["count"] == 0
    assert c.get("/api/v1/elders/", {"status": "all"}).json()["count"] == 2


def test_contacts_crud(personas, registry, login):
    c = login(personas.community)
    url = f"/api/v1/elders/{registry.wuhua.public_id}/contacts/"
    added = post(c, url, {"name": "王强", "relation": "child", "phone": "13600002222", "is_guardian": True})
    assert added.status_code == 201, added.json()
    contact_id = added.json()["id"]
    second = post(c, url, {"name": "王丽", "relation": "child", "is_guardian": True})
    assert (second.status_code, second.json()["code"]) == (422, "elder_one_guardian")
    listed = c.get(url).json()
    assert [x["name"] for x in listed] == ["王强"] and listed[0]["phone_masked"] == "136****2222"
    changed = patch(c, f"{url}{contact_id}/", {"relation": "grandchild"})
    assert changed.json()["relation"] == "grandchild"
    assert c.delete(f"{url}{contact_id}/").status_code == 204
    assert c.get(url).json() == []
    assert c.delete(f"{url}{contact_id}/").status_code == 404


def test_reveal_and_search(personas, registry, login):
    c = login(personas.wuhua)
    url = f"/api/v1/elders/{registry.wuhua.public_id}/reveal/"
    missing = post(c, url, {})
    assert (missing.status_code, missing.json()["code"]) == (422, "required")
    revealed = post(c, url, {"purpose": "核对身份"})
    assert revealed.json() == {"id_number": registry.ids["wuhua"]}
    assert AccessLog.objects.get(fields=["id_number"]).purpose == "核对身份"
    found = post(c, "/api/v1/elders/search/", {"id_number": registry.ids["wuhua"].lower()})
    assert [r["name"] for r in found.json()] == ["王秀英"]
    assert post(c, "/api/v1/elders/search/", {"id_number": registry.ids["guandu"]}).json() == []
    assert post(login(personas.guandu), url, {"purpose": "看看"}).status_code == 404


def test_export_is_masked(personas, registry, login):
    response = login(personas.wuhua).get("/api/v1/elders/export/")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["姓名"] for r in rows} == {"王秀英", "李德明"}
    assert full_ids(text) & registry.all_ids() == set()
    c = login(personas.wuhua)
    as_csv = c.get("/api/v1/elders/export/", {"format": "csv", "category": "dibao"})
    assert as_csv.status_code == 200
    assert [r["姓名"] for r in csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")))] == ["李德明"]
    as_xlsx = c.get("/api/v1/elders/export/", {"format": "xlsx"})
    assert (as_xlsx.status_code, as_xlsx.content[:2]) == (200, b"PK")
    assert (
        login(personas.guandu)
        .get("/api/v1/elders/export/", {"format": "csv"})
        .content.decode("utf-8-sig")
        .count("张桂兰")
        == 1
    )


def test_operator_sees_only_elders_staying_in_its_institution(personas, registry, login, admit):
    admit(registry.wuhua, personas.wuhua_home)
    admit(registry.wuhua_old, personas.wuhua_home, discharged_on=queries.today() - timedelta(days=30))
    admit(registry.guandu, personas.guandu_home)
    c = login(personas.operator)
    assert [r["name"] for r in c.get("/api/v1/elders/").json()["results"]] == ["王秀英"]
    assert c.get(f"/api/v1/elders/{registry.wuhua.public_id}/").status_code == 200
    assert c.get(f"/api/v1/elders/{registry.wuhua_old.public_id}/").status_code == 404
    assert c.get(f"/api/v1/elders/{registry.guandu.public_id}/").status_code == 404
    assert c.get(f"/elders/{registry.wuhua_old.public_id}/").status_code == 404
    assert c.get(f"/elders/{registry.wuhua.public_id}/").status_code == 200
    refused = patch(c, f"/api/v1/elders/{registry.wuhua.public_id}/", {"name": "改"})
    assert refused.status_code == 404  # no change permission: the record is not in its change scope
