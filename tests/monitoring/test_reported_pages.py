"""Reported indicators from the pages, the API and the CLI: scope (another county is 404 and a denied write changes
nothing), refusals with their codes, the access-logged evidence download, pinned query counts of the lists."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chuncheng.cli import main
from chuncheng.core.models import AccessLog
from chuncheng.monitoring import reported
from chuncheng.monitoring.models import ReportedValue
from tests.benefits.test_applications import PDF
from tests.monitoring import test_reported
from tests.monitoring.test_reported import PENSION, pdf, report

checkers, media = test_reported.checkers, test_reported.media  # the shared fixtures

pytestmark = pytest.mark.django_db
LAST_YEAR = str(timezone.localdate().year - 1)


def upload(name="证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def snapshot():
    return list(ReportedValue.objects.values("pk", "state", "value", "reviewed_by").order_by("pk"))


def test_pages_report_review_and_download(personas, login, catalogue, checkers):
    wuhua2, _ = checkers
    client = login(personas.wuhua)
    page = client.get("/monitoring/reported/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-key="{PENSION}" data-state="missing"' in body and 'data-testid="new-value"' in body
    form = client.get(f"/monitoring/reported/new/?indicator={PENSION}&org=530102&period={LAST_YEAR}")
    assert form.status_code == 200 and f'value="{LAST_YEAR}"' in form.content.decode()

    # A share above 100 is refused on the form with its code; nothing is written.
    data = {"indicator": PENSION, "org": "530102", "period": LAST_YEAR, "value": "101", "note": "年报"}
    bad = client.post("/monitoring/reported/new/", {**data, "evidence": upload()})
    assert bad.status_code == 200 and "monitoring_value_out_of_range" in bad.content.decode()
    assert ReportedValue.objects.count() == 0
    # 官渡区 is not among the areas a 五华区 official may choose.
    other = client.post("/monitoring/reported/new/", {**data, "value": "96", "org": "530111", "evidence": upload()})
    assert other.status_code == 200 and ReportedValue.objects.count() == 0

    done = client.post("/monitoring/reported/new/", {**data, "value": "96.5", "evidence": upload()})
    rv = ReportedValue.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/monitoring/reported/{rv.public_id}/"
    detail = client.get(done["Location"]).content.decode()
    assert 'data-testid="review-form"' not in detail and "monitoring_same_user" not in detail  # the maker
    assert 'data-testid="no-review"' in detail

    # The maker's own approval is refused; 官渡区's official gets 404 everywhere and changes nothing.
    before = snapshot()
    client.post(f"/monitoring/reported/{rv.public_id}/review/", {"action": "approve"})
    guandu = login(personas.guandu)
    for url in ("", "evidence/"):
        assert guandu.get(f"/monitoring/reported/{rv.public_id}/{url}").status_code == 404
    assert guandu.post(f"/monitoring/reported/{rv.public_id}/review/", {"action": "approve"}).status_code == 404
    assert guandu.get("/monitoring/reported/?org=530102").status_code == 404
    assert 'data-state="submitted"' not in guandu.get("/monitoring/reported/").content.decode()
    for user in (personas.operator, personas.sysadmin, personas.community):
        assert login(user).get("/monitoring/reported/").status_code == 404
        assert login(user).get(f"/monitoring/reported/{rv.public_id}/").status_code == 404
    assert snapshot() == before

    checker = login(wuhua2)
    assert rv.public_id.hex[:8] in checker.get("/monitoring/reported/").content.decode().replace("-", "")
    assert 'data-testid="review-form"' in checker.get(f"/monitoring/reported/{rv.public_id}/").content.decode()
    checker.post(f"/monitoring/reported/{rv.public_id}/review/", {"action": "approve", "note": "核对无误"})
    rv.refresh_from_db()
    assert (rv.state, rv.reviewed_by) == ("approved", wuhua2)

    download = checker.get(f"/monitoring/reported/{rv.public_id}/evidence/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    log = AccessLog.objects.get(object_id=str(rv.public_id))
    assert (log.user, log.fields, log.purpose) == (wuhua2, ["evidence"], "download")
    # The city sees every county's values.
    assert str(rv.public_id) in login(personas.city).get("/monitoring/reported/?org=530102").content.decode()


def test_list_page_query_count_is_pinned(personas, login, catalogue, checkers):
    client = login(personas.city)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/monitoring/reported/").status_code == 200
        return len(ctx)

    report(personas.wuhua, "90")
    report(personas.guandu, "91", org="530111")
    few = count()
    for org, user in (("530102", personas.wuhua), ("530111", personas.guandu)):
        report(user, "92", org=org, period="2024")
        report(user, "93", org=org, period="2023")
    assert count() == few


def test_api(personas, login, catalogue, checkers):
    wuhua2, _ = checkers
    client = login(personas.wuhua)
    data = {"indicator": PENSION, "period": LAST_YEAR, "value": "96.5", "note": "年报"}
    refused = client.post("/api/v1/monitoring/reported/", {**data, "value": "120", "evidence": upload()})
    assert refused.status_code == 422 and refused.json()["code"] == "monitoring_value_out_of_range"
    refused = client.post(
        "/api/v1/monitoring/reported/", {**data, "indicator": "nursing_bed_share", "evidence": upload()}
    )
    assert refused.json()["code"] == "monitoring_computed_indicator"
    refused = client.post("/api/v1/monitoring/reported/", {**data, "period": "2099", "evidence": upload()})
    assert refused.json()["code"] == "monitoring_future_period"
    assert client.post("/api/v1/monitoring/reported/", data).json()["code"] == "monitoring_evidence_required"
    other = client.post("/api/v1/monitoring/reported/", {**data, "org": "530111", "evidence": upload()})
    assert other.status_code == 404
    assert ReportedValue.objects.count() == 0

    created = client.post("/api/v1/monitoring/reported/", {**data, "evidence": upload()})
    assert created.status_code == 201
    body = created.json()
    assert (body["value"], body["state"], body["period"], body["org"]["code"]) == (
        "96.5",
        "submitted",
        LAST_YEAR,
        "530102",
    )
    url = f"/api/v1/monitoring/reported/{body['id']}/"
    assert client.get(url).json()["evidence"]["name"] == "证明.pdf"
    same = client.post(url + "review/", {"action": "approve"}, content_type="application/json")
    assert same.status_code == 422 and same.json()["code"] == "monitoring_same_user"
    guandu = login(personas.guandu)
    assert guandu.get(url).status_code == 404
    assert guandu.post(url + "review/", {"action": "approve"}, content_type="application/json").status_code == 404
    assert guandu.get(url + "evidence/").status_code == 404
    assert guandu.get("/api/v1/monitoring/reported/").json()["count"] == 0
    assert guandu.get("/api/v1/monitoring/reported/due/?org=530102").status_code == 404
    assert login(personas.operator).get("/api/v1/monitoring/reported/").status_code == 404
    assert ReportedValue.objects.get().state == "submitted"

    checker = login(wuhua2)
    assert [v["id"] for v in checker.get("/api/v1/monitoring/reported/?state=submitted").json()["results"]] == [
        body["id"]
    ]
    approved = checker.post(url + "review/", {"action": "approve", "note": "ok"}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert approved.json()["reviewed_by"] == "wuhua2"
    due = {d["indicator"]: d for d in checker.get("/api/v1/monitoring/reported/due/").json()["due"]}
    assert (due[PENSION]["state"], due[PENSION]["in_force"], due[PENSION]["period"]) == ("approved", "96.5", LAST_YEAR)
    assert b"".join(checker.get(url + "evidence/").streaming_content) == PDF
    assert AccessLog.objects.filter(object_id=body["id"], purpose="download").count() == 1


def test_cli(personas, catalogue, checkers, tmp_path, capsys):
    evidence = tmp_path / "证明.pdf"
    evidence.write_bytes(PDF)
    argv = ["indicators", "report", PENSION, "--org", "530102", "--period", LAST_YEAR, "--evidence", str(evidence)]
    assert main([*argv, "--value", "96.5", "--user", "wuhua"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert (made["state"], made["value"]) == ("submitted", "96.5")
    assert main([*argv, "--value", "100.1", "--user", "wuhua"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "monitoring_value_out_of_range"
    assert main([*argv, "--value", "96", "--user", "guandu"]) == 2  # another county
    assert json.loads(capsys.readouterr().out)["code"] == "not_found"
    assert main(["indicators", "review", made["id"], "approve", "--user", "wuhua"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "monitoring_same_user"
    assert main(["indicators", "review", made["id"], "approve", "--user", "guandu"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "not_found"
    assert main(["indicators", "review", made["id"], "return", "--user", "wuhua2"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "monitoring_reason_required"
    assert main(["indicators", "review", made["id"], "approve", "--user", "wuhua2", "--note", "ok"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "approved"
    assert main(["indicators", "reported", "--user", "city", "--state", "approved"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [made["id"]]
    assert main(["indicators", "reported", "--user", "guandu"]) == 0
    assert capsys.readouterr().out == ""
    assert reported.value_list(personas.city).count() == 1
    assert pdf().name == "社保局证明.pdf"
