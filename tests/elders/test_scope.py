"""Scope of every elders page and endpoint: a 五华区 user never reads, changes or exports a 官渡区 elder (404, not
403), the administrators see no elder, anonymous users are sent to log in. Denied writes change nothing."""

from __future__ import annotations

import json

import pytest

from chuncheng.core.models import AccessLog
from chuncheng.elders import services
from chuncheng.elders.models import Elder, ElderContact

pytestmark = pytest.mark.django_db

# route name -> path for an elder and its (first) contact
PAGES = {
    "elders:detail": lambda e, c: f"/elders/{e.public_id}/",
    "elders:edit": lambda e, c: f"/elders/{e.public_id}/edit/",
    "elders:death": lambda e, c: f"/elders/{e.public_id}/death/",
    "elders:move_away": lambda e, c: f"/elders/{e.public_id}/move-away/",
    "elders:contact_add": lambda e, c: f"/elders/{e.public_id}/contacts/new/",
    "elders:contact_edit": lambda e, c: f"/elders/{e.public_id}/contacts/{c.public_id}/edit/",
}
POST_ONLY_PAGES = {
    "elders:reveal": (lambda e, c: f"/elders/{e.public_id}/reveal/", {"purpose": "核对"}),
    "elders:contact_remove": (lambda e, c: f"/elders/{e.public_id}/contacts/{c.public_id}/remove/", {}),
}
API = {
    "elder-detail": lambda e, c: f"/api/v1/elders/{e.public_id}/",
    "elder-contacts": lambda e, c: f"/api/v1/elders/{e.public_id}/contacts/",
}
API_WRITES = {
    "elder-detail": ("patch", lambda e, c: f"/api/v1/elders/{e.public_id}/", {"name": "改名"}),
    "elder-death": ("post", lambda e, c: f"/api/v1/elders/{e.public_id}/death/", {"died_on": "2026-01-01"}),
    "elder-move-away": ("post", lambda e, c: f"/api/v1/elders/{e.public_id}/move-away/", {"moved_on": "2026-01-01"}),
    "elder-contacts": (
        "post",
        lambda e, c: f"/api/v1/elders/{e.public_id}/contacts/",
        {"name": "某", "relation": "other"},
    ),
    "elder-contact-detail": (
        "patch",
        lambda e, c: f"/api/v1/elders/{e.public_id}/contacts/{c.public_id}/",
        {"name": "改名"},
    ),
    "elder-reveal": ("post", lambda e, c: f"/api/v1/elders/{e.public_id}/reveal/", {"purpose": "核对"}),
}


@pytest.fixture
def contacts(personas, registry):
    for elder in (registry.wuhua, registry.guandu):
        services.add_contact(elder, {"name": "联系人", "relation": "child"}, actor=personas.city)
    return registry


def state():
    return list(Elder.objects.order_by("pk").values()), list(ElderContact.objects.order_by("pk").values())


@pytest.mark.parametrize("name", sorted(PAGES))
def test_record_pages_scope(personas, contacts, login, client, name):
    build = PAGES[name]
    own = build(contacts.wuhua, contacts.wuhua.contacts.get())
    other = build(contacts.guandu, contacts.guandu.contacts.get())
    assert client.get(own).status_code == 302
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    assert wuhua.get(other).status_code == 404
    assert login(personas.guandu).get(own).status_code == 404
    assert login(personas.city).get(other).status_code == 200
    for admin in (personas.sysadmin, personas.secadmin, personas.auditadmin):
        assert login(admin).get(own).status_code == 404


@pytest.mark.parametrize("name", sorted(PAGES) + sorted(POST_ONLY_PAGES))
def test_posts_to_another_area_change_nothing(personas, contacts, login, name):
    build, data = POST_ONLY_PAGES.get(name, (PAGES.get(name), {"name": "改名", "day": "2026-01-01"}))
    other = build(contacts.guandu, contacts.guandu.contacts.get())
    before = state()
    assert login(personas.wuhua).post(other, data).status_code == 404
    assert login(personas.operator).post(other, data).status_code == 404
    assert state() == before
    assert not AccessLog.objects.filter(object_id=str(contacts.guandu.public_id)).exists()


@pytest.mark.parametrize("name", sorted(API))
def test_record_api_scope(personas, contacts, login, client, name):
    build = API[name]
    own = build(contacts.wuhua, contacts.wuhua.contacts.get())
    other = build(contacts.guandu, contacts.guandu.contacts.get())
    assert client.get(own).status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    response = wuhua.get(other)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert login(personas.operator).get(own).status_code == 404  # not staying in its institution
    assert login(personas.auditadmin).get(own).status_code == 404


@pytest.mark.parametrize("name", sorted(API_WRITES))
def test_api_writes_to_another_area_change_nothing(personas, contacts, login, client, name):
    method, build, data = API_WRITES[name]
    other = build(contacts.guandu, contacts.guandu.contacts.get())
    before = state()
    assert getattr(client, method)(other, json.dumps(data), content_type="application/json").status_code == 401
    for persona in (personas.wuhua, personas.operator, personas.sysadmin):
        response = getattr(login(persona), method)(other, json.dumps(data), content_type="application/json")
        assert response.status_code == 404, (persona.username, response.content)
    delete = login(personas.wuhua).delete(
        f"/api/v1/elders/{contacts.guandu.public_id}/contacts/{contacts.guandu.contacts.get().public_id}/"
    )
    assert delete.status_code == 404
    assert state() == before
    assert not AccessLog.objects.exists()


def test_lists_searches_and_exports_hold_only_the_users_area(personas, registry, login):
    expected = {
        "wuhua": {"王秀英", "李德明"},
        "guandu": {"张桂兰"},
        "city": {"王秀英", "李德明", "张桂兰"},
        "huashan": {"王秀英", "李德明"},
        "community": {"王秀英"},
        "operator": set(),
    }
    everyone = {"王秀英", "李德明", "张桂兰"}
    for persona, names in expected.items():
        c = login(getattr(personas, persona))
        page = c.get("/elders/").content.decode()
        assert {n for n in everyone if n in page} == names, persona
        assert {r["name"] for r in c.get("/api/v1/elders/").json()["results"]} == names, persona
        found = {
            r["name"]
            for key in ("wuhua", "wuhua_old", "guandu")
            for r in c.post("/api/v1/elders/search/", {"id_number": registry.ids[key]}).json()
        }
        assert found == names, persona
        searched = {
            n
            for key in ("wuhua", "guandu")
            for n in everyone
            if n in c.post("/elders/search/", {"id_number": registry.ids[key]}).content.decode()
        }
        assert searched == names - {"李德明"}, persona
        api_export = c.get("/api/v1/elders/export/").content.decode("utf-8-sig")
        assert {n for n in everyone if n in api_export} == names, persona
        if persona != "operator":
            export = c.get("/elders/export/").content.decode("utf-8-sig")
            assert {n for n in everyone if n in export} == names, persona
    assert login(personas.operator).get("/elders/export/").status_code == 404
    for admin in (personas.sysadmin, personas.auditadmin):
        c = login(admin)
        assert c.get("/elders/").status_code == 404
        assert c.get("/elders/export/").status_code == 404
        assert c.post("/elders/search/", {"id_number": registry.ids["wuhua"]}).status_code == 404
        assert c.get("/api/v1/elders/").json()["results"] == []


def test_register_page_needs_the_add_permission(personas, login, client):
    assert client.get("/elders/new/").status_code == 302
    assert login(personas.community).get("/elders/new/").status_code == 200
    for persona in (personas.operator, personas.sysadmin):
        assert login(persona).get("/elders/new/").status_code == 404
