"""Application pages, API and CLI: the maker's draft → attach → submit, reviewers deciding from the pages, the
scope (another county is 404 everywhere, and a denied write changes nothing), the access-logged download, pinned
query counts of the lists."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.benefits import applications
from chuncheng.benefits.models import Application, ApplicationAttachment, ApplicationDecision, LedgerEntry
from chuncheng.cli import main
from chuncheng.core.models import AccessLog
from tests.benefits.helpers import b1_facts
from tests.benefits.test_applications import PDF, media  # noqa: F401  (the media fixture)
from tests.conftest import make_institution, make_user

pytestmark = pytest.mark.django_db
B1 = "B1_bed_construction"


def _pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def guandu_application(policy, personas):
    """A submitted B1 application of 官渡区's institution, with one attachment."""
    application = applications.create_draft(B1, personas.guandu_home, b1_facts(), actor=personas.guandu)
    applications.attach(application, "g.pdf", _pdf(), actor=personas.guandu)
    return applications.submit(application, actor=personas.guandu)


def snapshot():
    return (
        list(Application.objects.values().order_by("pk")),
        ApplicationDecision.objects.count(),
        ApplicationAttachment.objects.count(),
        LedgerEntry.objects.count(),
    )


def test_the_maker_applies_through_the_pages(policy, personas, login, client):
    operator = login(personas.operator)
    assert client.get("/benefits/applications/").status_code == 302
    choose = operator.get("/benefits/applications/new/")
    assert choose.status_code == 200 and "B1_bed_construction" in choose.content.decode()
    applicants = operator.get(f"/benefits/applications/new/?programme={B1}").content.decode()
    assert personas.wuhua_home.name in applicants and personas.guandu_home.name not in applicants
    url = f"/benefits/applications/new/?programme={B1}&beneficiary={personas.wuhua_home.public_id}"
    form = operator.get(url)
    assert form.status_code == 200 and "approved_beds" in form.content.decode()
    other = f"/benefits/applications/new/?programme={B1}&beneficiary={personas.guandu_home.public_id}"
    assert operator.get(other).status_code == 404
    bad = operator.post(url, {"facts": "[1, 2]"})
    assert bad.status_code == 200 and Application.objects.count() == 0
    response = operator.post(url, {"facts": json.dumps(b1_facts(occupancy=29)), "note": "首次申请"})
    application = Application.objects.get()
    assert response.status_code == 302 and response.url == f"/benefits/applications/{application.public_id}/"
    detail = operator.get(response.url).content.decode()
    assert "入住率 29% &lt; 30%" in detail or "入住率 29% < 30%" in detail
    operator.post(f"/benefits/applications/{application.public_id}/submit/")
    application.refresh_from_db()
    assert application.status == "draft"  # not eligible: refused with its message
    edit = f"/benefits/applications/{application.public_id}/edit/"
    assert operator.get(edit).status_code == 200
    assert operator.post(edit, {"facts": json.dumps(b1_facts()), "note": ""}).status_code == 302
    operator.post(f"/benefits/applications/{application.public_id}/attach/", {"file": _pdf()})
    fake = SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf")
    operator.post(f"/benefits/applications/{application.public_id}/attach/", {"file": fake})
    assert application.attachments.count() == 1
    operator.post(f"/benefits/applications/{application.public_id}/submit/")
    application.refresh_from_db()
    assert (application.status, application.awaiting_level) == ("submitted", "township")
    page = operator.get(f"/benefits/applications/{application.public_id}/").content.decode()
    assert 'data-testid="decide"' not in page and 'data-testid="maker-actions"' not in page


def test_reviewers_decide_from_the_pages(policy, personas, login):
    application = applications.submit(
        applications.create_draft(B1, personas.wuhua_home, b1_facts(), actor=personas.operator),
        actor=personas.operator,
    )
    detail = f"/benefits/applications/{application.public_id}/"
    decide = detail + "decide/"
    township = login(personas.huashan)
    awaiting = township.get("/benefits/applications/?awaiting=1").content.decode()
    assert detail in awaiting
    assert detail not in login(personas.wuhua).get("/benefits/applications/?awaiting=1").content.decode()
    assert 'data-testid="decide"' in township.get(detail).content.decode()
    assert township.post(decide, {"action": "approve"}).status_code == 302
    county = login(personas.wuhua)
    before = snapshot()
    county.post(decide, {"action": "return", "reason": ""})
    assert snapshot() == before
    messages = [str(m) for m in county.get(detail).context["messages"]]
    assert any("reason_required" in m for m in messages)
    county.post(decide, {"action": "return", "reason": "请补充产权证明"})
    application.refresh_from_db()
    assert application.status == "returned"
    operator = login(personas.operator)
    assert 'data-testid="maker-actions"' in operator.get(detail).content.decode()
    operator.post(detail + "submit/")
    township.post(decide, {"action": "approve"})
    county.post(decide, {"action": "approve"})
    city = login(personas.city)
    city.post(decide, {"action": "approve"})
    application.refresh_from_db()
    assert application.status == "approved" and str(application.amount) == "1000000.00"
    page = city.get(detail).content.decode()
    assert "1000000.00" in page and "请补充产权证明" in page and 'data-testid="history"' in page


def test_another_county_is_404_everywhere_and_changes_nothing(guandu_application, personas, login, client):
    a = guandu_application
    attachment = a.attachments.get()
    pages = [
        f"/benefits/applications/{a.public_id}/",
        f"/benefits/applications/{a.public_id}/edit/",
        f"/benefits/applications/{a.public_id}/attachments/{attachment.public_id}/",
    ]
    posts = [
        (f"/benefits/applications/{a.public_id}/decide/", {"action": "approve"}),
        (f"/benefits/applications/{a.public_id}/submit/", {}),
        (f"/benefits/applications/{a.public_id}/attach/", {"file": _pdf()}),
        (f"/benefits/applications/{a.public_id}/edit/", {"facts": "{}"}),
    ]
    api = f"/api/v1/benefits/applications/{a.public_id}/"
    api_posts = [
        (api + "decide/", {"action": "approve"}),
        (api + "submit/", {}),
        (api + "attachments/", {"file": _pdf()}),
    ]
    for path in pages:
        assert client.get(path).status_code == 302
    assert client.get(api).status_code == 401
    before = snapshot()
    for persona in (personas.wuhua, personas.huashan, personas.operator, personas.sysadmin):
        c = login(persona)
        for path in pages:
            assert c.get(path).status_code == 404, (persona.username, path)
        for path, data in posts:
            assert c.post(path, data).status_code == 404, (persona.username, path)
        assert c.get(api).status_code == 404
        assert c.get(api + f"attachments/{attachment.public_id}/").status_code == 404
        for path, data in api_posts:
            assert c.post(path, data).status_code == 404, (persona.username, path)
        assert c.patch(api, {"facts": {}}, content_type="application/json").status_code == 404
        assert str(a.public_id) not in c.get("/benefits/applications/").content.decode()
    assert snapshot() == before
    assert AccessLog.objects.filter(model="benefits.applicationattachment").count() == 0
    city = login(personas.city)
    assert city.get(pages[0]).status_code == 200
    assert city.get(api).json()["id"] == str(a.public_id)
    assert login(personas.guandu).get(pages[0]).status_code == 200


def test_download_is_scoped_and_access_logged(guandu_application, personas, login):
    a = guandu_application
    attachment = a.attachments.get()
    url = f"/benefits/applications/{a.public_id}/attachments/{attachment.public_id}/"
    response = login(personas.guandu).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.fields, log.purpose) == (
        personas.guandu,
        str(attachment.public_id),
        ["file"],
        "download",
    )
    api = login(personas.city).get(f"/api/v1/benefits/applications/{a.public_id}/attachments/{attachment.public_id}/")
    assert api.status_code == 200 and AccessLog.objects.count() == 2
    assert url.count("g.pdf") == 0  # the file name (possibly personal) is never in a URL


def test_the_operator_sees_only_its_own_institutions_applications(guandu_application, personas, login):
    own = applications.create_draft(B1, personas.wuhua_home, b1_facts(), actor=personas.operator)
    listed = login(personas.operator).get("/api/v1/benefits/applications/").json()
    assert [r["id"] for r in listed["results"]] == [str(own.public_id)]
    city = login(personas.city).get("/api/v1/benefits/applications/").json()
    assert {r["id"] for r in city["results"]} == {str(own.public_id), str(guandu_application.public_id)}
    wuhua = login(personas.wuhua).get("/api/v1/benefits/applications/?status=draft").json()
    assert [r["id"] for r in wuhua["results"]] == [str(own.public_id)]


def test_the_api_end_to_end(policy, personas, login):
    operator = login(personas.operator)
    base = "/api/v1/benefits/applications/"
    body = {
        "programme": B1,
        "beneficiary_kind": "institution",
        "beneficiary": str(personas.wuhua_home.public_id),
        "facts": b1_facts(approved_beds=40),
    }
    created = operator.post(base, body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["quote"]["amount"], data["may_edit"]) == ("draft", "400000.00", True)
    url = f"{base}{data['id']}/"
    patched = operator.patch(url, {"facts": b1_facts(approved_beds=50)}, content_type="application/json")
    assert patched.json()["quote"]["amount"] == "500000.00"
    bad = operator.post(url + "attachments/", {"file": SimpleUploadedFile("x.pdf", b"MZ")})
    assert (bad.status_code, bad.json()["code"]) == (422, "file_not_pdf")
    assert operator.post(url + "attachments/", {"file": _pdf()}).status_code == 201
    assert operator.post(url + "submit/").json()["awaiting_level"] == "township"
    again = operator.post(url + "submit/")
    assert (again.status_code, again.json()["code"]) == (422, "application_not_editable")
    own = operator.post(url + "decide/", {"action": "approve"}, content_type="application/json")
    assert (own.status_code, own.json()["code"]) == (422, "approver_is_maker")
    township = login(personas.huashan)
    assert [r["id"] for r in township.get(base + "?awaiting=1").json()["results"]] == [data["id"]]
    no_reason = township.post(url + "decide/", {"action": "reject"}, content_type="application/json")
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    bad_action = township.post(url + "decide/", {"action": "edit"}, content_type="application/json")
    assert bad_action.status_code == 422
    decided = township.post(url + "decide/", {"action": "approve"}, content_type="application/json")
    assert decided.json()["awaiting_level"] == "county"
    detail = township.get(url).json()
    assert [d["action"] for d in detail["decisions"]] == ["approve"]
    assert detail["may_decide"] is False and len(detail["attachments"]) == 1
    outside = {**body, "beneficiary": str(personas.guandu_home.public_id)}
    assert operator.post(base, outside, content_type="application/json").status_code == 404
    unknown = login(personas.wuhua).post(base, {**body, "programme": "B0"}, content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "programme_unknown")
    assert login(personas.sysadmin).get(base).json()["results"] == []


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_the_rows(policy, personas, login):
    city = login(personas.city)
    homes = [make_institution("530102001", f"华山测试养老院{i}") for i in range(4)]
    applications.create_draft(B1, homes[0], b1_facts(), actor=personas.huashan)
    page_one, api_one = _count(city, "/benefits/applications/"), _count(city, "/api/v1/benefits/applications/")
    for home in homes[1:]:
        applications.create_draft(B1, home, b1_facts(), actor=personas.huashan)
    approved = applications.submit(Application.objects.get(institution=homes[1]), actor=personas.huashan)
    for actor in (make_user("huashan2", "township_worker", org="530102001"), personas.wuhua, personas.city):
        approved = applications.decide(approved, "approve", actor=actor)
    assert approved.status == "approved"
    assert _count(city, "/benefits/applications/") == page_one
    assert _count(city, "/api/v1/benefits/applications/") == api_one
    assert (page_one, api_one) == (PAGE_QUERIES, API_QUERIES)


# session, user, the user's org unit, count, rows, the session's save (savepoint, update, release); the page also
# reads the programmes for its filter
PAGE_QUERIES = 9
API_QUERIES = 8


def test_cli_lists_and_decides(policy, personas, capsys):
    application = applications.submit(
        applications.create_draft(B1, personas.wuhua_home, b1_facts(), actor=personas.operator),
        actor=personas.operator,
    )
    applications.create_draft(B1, personas.guandu_home, b1_facts(), actor=personas.guandu)
    assert main(["benefits", "applications", "--status", "submitted"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in lines] == [str(application.public_id)]
    assert lines[0]["awaiting_level"] == "township"
    assert main(["benefits", "applications", "--status", "bogus"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "input_invalid"
    assert main(["benefits", "decide", str(application.public_id), "approve", "--user", "operator"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "approver_is_maker"
    assert main(["benefits", "decide", str(application.public_id), "reject", "--user", "huashan"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "reason_required"
    assert ApplicationDecision.objects.count() == 0
    assert main(["benefits", "decide", str(application.public_id), "approve", "--user", "huashan"]) == 0
    assert json.loads(capsys.readouterr().out)["awaiting_level"] == "county"
    assert main(["benefits", "decide", "not-a-uuid", "approve", "--user", "huashan"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "application_unknown"


def test_the_facts_form_has_a_field_per_input_key_prefilled_from_the_registry(policy, personas, login):
    operator = login(personas.operator)
    url = f"/benefits/applications/new/?programme={B1}&beneficiary={personas.wuhua_home.public_id}"
    page = operator.get(url)
    form = page.context["form"]
    assert set(form.fields) == {
        "kind",
        "property",
        "lease_years",
        "approved_beds",
        "paid_beds",
        "occupancy",
        "nursing_type",
        "nursing_occupancy",
        "note",
    }
    assert form.initial["approved_beds"] == personas.wuhua_home.approved_beds
    assert form.initial["kind"] == personas.wuhua_home.kind
    # A negative bed count is refused by the form: nothing written.
    fields = {"kind": "private_nonprofit", "property": "leased", "lease_years": "6", "occupancy": "45.5"}
    refused = operator.post(url, {**fields, "approved_beds": "-1", "nursing_type": "on"})
    assert refused.status_code == 200 and "approved_beds" in refused.context["form"].errors
    assert Application.objects.count() == 0
    # Typed as the rule expects: a count is an int, a percentage a number, a checkbox a bool; blanks left out.
    saved = operator.post(url, {**fields, "approved_beds": "60", "nursing_type": "on", "note": "新增床位"})
    assert saved.status_code == 302, saved.context["form"].errors
    application = Application.objects.get()
    assert application.facts == {
        "kind": "private_nonprofit",
        "property": "leased",
        "lease_years": 6.0,
        "approved_beds": 60,
        "occupancy": 45.5,
        "nursing_type": True,
    }
    assert application.note == "新增床位"
