"""The elder pages: list, filters, ID search by POST, pagination, detail with the access log and the ID reveal,
register, edit, death, moving away, contacts, export. No page carries a fixture's full ID number."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest

from chuncheng.core.models import AccessLog, SecurityEvent
from chuncheng.elders import queries, services
from chuncheng.elders.models import Elder
from tests.elders.conftest import fake_id, full_ids, years_ago

pytestmark = pytest.mark.django_db


def names_on(response) -> set[str]:
    text = response.content.decode()
    return {n for n in ("王秀英", "李德明", "张桂兰") if n in text}


def test_list_shows_the_users_area_masked(personas, registry, login):
    response = login(personas.wuhua).get("/elders/")
    assert response.status_code == 200
    assert names_on(response) == {"王秀英", "李德明"}
    body = response.content.decode()
    assert registry.wuhua.id_number_masked in body
    assert full_ids(body) & registry.all_ids() == set()
    assert response["Cache-Control"] == "no-store"
    assert names_on(login(personas.city).get("/elders/")) == {"王秀英", "李德明", "张桂兰"}
    assert names_on(login(personas.community).get("/elders/")) == {"王秀英"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "王秀"}, {"王秀英"}),
        ({"q": "秀英"}, set()),  # names match from the start (surname first)
        ({"category": "tekun"}, {"王秀英"}),
        ({"category": "dibao"}, {"李德明"}),
        ({"capability_level": "mild"}, {"王秀英"}),
        ({"advanced_age": "1"}, {"李德明"}),
        ({"org": "530102001002"}, {"李德明"}),
        ({"status": "deceased"}, set()),
        ({"status": "all"}, {"王秀英", "李德明"}),
    ],
)
def test_list_filters(personas, registry, login, params, expected):
    assert registry.wuhua_other_village.code == "530102001002"
    assert names_on(login(personas.wuhua).get("/elders/", params)) == expected


def test_list_sorting_keeps_a_total_order(personas, registry, login):
    c = login(personas.wuhua)
    by_age = c.get("/elders/", {"sort": "birth_date"}).content.decode()
    assert by_age.index("李德明") < by_age.index("王秀英")
    youngest = c.get("/elders/", {"sort": "-birth_date"}).content.decode()
    assert youngest.index("王秀英") < youngest.index("李德明")
    assert str(queries.elder_list(personas.wuhua, {"sort": "name"}).query).rstrip().endswith('"elders_elder"."id" ASC')


def test_an_id_number_in_the_query_string_is_not_searched(personas, registry, login):
    c = login(personas.wuhua)
    response = c.get("/elders/", {"q": registry.ids["wuhua"], "category": "tekun"})
    assert (response.status_code, response["Location"]) == (302, "/elders/?category=tekun")
    assert c.get("/elders/export/", {"q": registry.ids["wuhua"]})["Location"] == "/elders/export/"
    page = c.get(response["Location"])
    assert names_on(page) == {"王秀英"}
    assert full_ids(page.content.decode()) & registry.all_ids() == set()


def test_search_by_full_id_number_is_posted(personas, registry, login):
    c = login(personas.wuhua)
    number = registry.ids["wuhua"]
    response = c.post("/elders/search/", {"id_number": f" {number[:6]} {number[6:]} "})
    assert response.status_code == 200
    assert names_on(response) == {"王秀英"}
    assert full_ids(response.content.decode()) & registry.all_ids() == set()
    assert names_on(c.post("/elders/search/", {"id_number": registry.ids["guandu"]})) == set()  # another county
    assert c.get("/elders/search/").status_code == 405
    services.record_death(registry.wuhua, queries.today(), actor=personas.wuhua)
    assert names_on(c.post("/elders/search/", {"id_number": number})) == {"王秀英"}  # found in any status


def test_pagination_and_capped_count(personas, villages, login, monkeypatch):
    for seq in range(55):
        services.register_elder(
            {"id_number": fake_id(years_ago(61 + seq % 30), seq), "name": f"测试{seq:02d}", "org_unit": villages[0]},
            actor=personas.wuhua,
        )
    c = login(personas.wuhua)
    first = c.get("/elders/")
    assert first.content.decode().count("/elders/") >= 50
    assert first.context["page"].paginator.count == 55
    assert len(first.context["rows"]) == 50
    assert 'data-testid="next"' in first.content.decode()
    second = c.get("/elders/", {"page": 2})
    assert len(second.context["rows"]) == 5
    monkeypatch.setattr(queries.CappedPaginator, "cap", 52)
    capped = c.get("/elders/")
    paginator = capped.context["page"].paginator
    assert (paginator.count, paginator.capped, paginator.num_pages) == (52, True, 2)
    assert "52" in capped.content.decode()


def test_list_page_query_count_does_not_grow_with_rows(personas, villages, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def register(n, start=0):
        for seq in range(start, start + n):
            services.register_elder(
                {"id_number": fake_id(years_ago(70), seq), "name": f"测试{seq:02d}", "org_unit": villages[seq % 2]},
                actor=personas.wuhua,
            )

    c = login(personas.wuhua)
    register(2)
    c.get("/elders/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        c.get("/elders/")
    register(40, start=2)
    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as many:
        assert len(c.get("/elders/").context["rows"]) == 42
    assert len(many) == len(few)


def test_detail_is_masked_and_logged(personas, registry, login):
    c = login(personas.community)
    elder = registry.wuhua
    response = c.get(f"/elders/{elder.public_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert elder.id_number_masked in body
    assert "138****5678" in body
    assert "云南省昆明市…" in body and "华山西路" not in body
    assert full_ids(body) & registry.all_ids() == set()
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.purpose) == (personas.community, str(elder.public_id), "view")
    assert "id_number_masked" in log.fields
    assert 'data-testid="history"' in body


def test_reveal_shows_the_full_number_once_and_logs_it(personas, registry, login):
    c = login(personas.wuhua)
    elder = registry.wuhua
    refused = c.post(f"/elders/{elder.public_id}/reveal/", {"purpose": ""})
    assert registry.ids["wuhua"] not in refused.content.decode()
    assert not AccessLog.objects.filter(fields=["id_number"]).exists()
    response = c.post(f"/elders/{elder.public_id}/reveal/", {"purpose": "核对高龄津贴"})
    assert registry.ids["wuhua"] in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get(fields=["id_number"])
    assert log.purpose == "核对高龄津贴"
    assert registry.ids["wuhua"] not in c.get(f"/elders/{elder.public_id}/").content.decode()
    assert c.get(f"/elders/{elder.public_id}/reveal/").status_code == 405


def test_register_through_the_page(personas, villages, login):
    c = login(personas.huashan)
    number = fake_id(years_ago(68), 40)
    response = c.post(
        "/elders/new/",
        {
            "id_number": number,
            "name": "孙桂芳",
            "org_unit": villages[0].code,
            "hukou_local": "on",
            "categories": ["empty_nest", "dementia"],
            "capability_level": "moderate",
            "phone": "13500001234",
        },
    )
    assert response.status_code == 302
    elder = Elder.objects.get(name="孙桂芳")
    assert response["Location"] == f"/elders/{elder.public_id}/"
    assert (elder.empty_nest, elder.dementia, elder.tekun, elder.phone_masked) == (True, True, False, "135****1234")
    assert number not in response["Location"]


def test_register_page_shows_the_rule_that_refused(personas, villages, login):
    c = login(personas.wuhua)
    young = fake_id(years_ago(50), 41)
    response = c.post("/elders/new/", {"id_number": young, "name": "周小", "org_unit": villages[0].code})
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"][0]
    assert not Elder.objects.exists()
    unknown = c.post("/elders/new/", {"id_number": fake_id(years_ago(70), 42), "name": "周", "org_unit": "530102999"})
    assert "org_unit" in unknown.context["form"].errors
    response = c.post(
        "/elders/new/", {"id_number": young, "name": "周小", "org_unit": villages[0].code, "allow_under_60": "on"}
    )
    assert response.status_code == 302
    assert login(personas.operator).get("/elders/new/").status_code == 404


def test_edit_page_keeps_blank_secrets_and_logs_the_full_address(personas, registry, login):
    c = login(personas.wuhua)
    elder = registry.wuhua
    assert c.get(f"/elders/{elder.public_id}/edit/").status_code == 200
    assert AccessLog.objects.filter(purpose="edit", fields=["address"]).exists()
    response = c.post(
        f"/elders/{elder.public_id}/edit/",
        {
            "name": "王秀英",
            "org_unit": registry.wuhua_other_village.code,
            "hukou_local": "on",
            "categories": ["tekun"],
            "capability_level": "mild",
            "address": elder.address,
            "id_number": "",
            "phone": "",
        },
    )
    assert response.status_code == 302
    elder.refresh_from_db()
    assert (elder.org_unit, elder.living_alone, elder.phone_masked) == (
        registry.wuhua_other_village,
        False,
        "138****5678",
    )
    assert queries.decrypt_id_number(elder) == registry.ids["wuhua"]


def test_death_and_move_pages(personas, registry, login):
    c = login(personas.wuhua)
    future = c.post(f"/elders/{registry.wuhua.public_id}/death/", {"day": str(queries.today() + timedelta(days=2))})
    assert future.status_code == 200 and future.context["form"].errors["day"]
    day = queries.today() - timedelta(days=1)
    assert c.post(f"/elders/{registry.wuhua.public_id}/death/", {"day": str(day)}).status_code == 302
    assert c.post(f"/elders/{registry.wuhua_old.public_id}/move-away/", {"day": str(day)}).status_code == 302
    assert Elder.objects.get(pk=registry.wuhua.pk).status == "deceased"
    assert Elder.objects.get(pk=registry.wuhua_old.pk).status == "moved_away"
    again = c.post(f"/elders/{registry.wuhua.public_id}/death/", {"day": str(day)})
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert names_on(c.get("/elders/")) == set()


def test_contact_pages(personas, registry, login):
    c = login(personas.community)
    elder = registry.wuhua
    added = c.post(
        f"/elders/{elder.public_id}/contacts/new/",
        {"name": "王强", "relation": "child", "phone": "13600002222", "is_guardian": "on"},
    )
    assert added.status_code == 302
    contact = elder.contacts.get()
    detail = c.get(f"/elders/{elder.public_id}/").content.decode()
    assert "王强" in detail and "136****2222" in detail and "13600002222" not in detail
    assert "contact: — → name: 王强, relation: child," in detail  # the history reads as a line, not a dict
    second = c.post(
        f"/elders/{elder.public_id}/contacts/new/", {"name": "王丽", "relation": "child", "is_guardian": "on"}
    )
    assert second.status_code == 200 and second.context["form"].errors["is_guardian"]
    edited = c.post(
        f"/elders/{elder.public_id}/contacts/{contact.public_id}/edit/",
        {"name": "王强", "relation": "child_in_law", "phone": "", "is_guardian": "on"},
    )
    assert edited.status_code == 302
    contact.refresh_from_db()
    assert (contact.relation, contact.phone_masked) == ("child_in_law", "136****2222")
    assert c.get(f"/elders/{elder.public_id}/contacts/{contact.public_id}/remove/").status_code == 405
    assert c.post(f"/elders/{elder.public_id}/contacts/{contact.public_id}/remove/").status_code == 302
    assert not elder.contacts.exists()


def test_export_is_masked_and_filtered(personas, registry, login):
    c = login(personas.wuhua)
    response = c.get("/elders/export/", {"category": "tekun"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "身份证号",
        "姓名",
        "居住社区代码",
        "本地户籍",
        "人员类别",
        "能力等级",
        "电话",
        "地址",
        "纬度",
        "经度",
    ]
    assert rows[1][:7] == [
        registry.wuhua.id_number_masked,
        "王秀英",
        registry.wuhua_village.code,
        "1",
        "tekun;living_alone",
        "mild",
        "138****5678",
    ]
    assert len(rows) == 2
    assert full_ids(text) & registry.all_ids() == set()
    event = SecurityEvent.objects.filter(kind="export").latest("id")
    assert event.detail["unmasked"] is False and event.detail["rows"] == 1
    xlsx = c.get("/elders/export/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    values = [[str(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    assert {r[1] for r in values[1:]} == {"王秀英", "李德明"}
    assert full_ids(" ".join(" ".join(r) for r in values)) & registry.all_ids() == set()
    assert login(personas.operator).get("/elders/export/").status_code == 404


def test_detail_shows_the_stays_the_user_may_see(personas, registry, login, admit):
    admit(registry.wuhua, personas.wuhua_home)
    page = login(personas.wuhua).get(f"/elders/{registry.wuhua.public_id}/").content.decode()
    assert 'data-testid="elder-stays"' in page and "华山颐养院" in page
    assert "华山颐养院" in login(personas.operator).get(f"/elders/{registry.wuhua.public_id}/").content.decode()
