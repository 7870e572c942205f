"""The import front door: upload page, template per kind, import log, and the same through the API."""

from __future__ import annotations

import base64
import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chuncheng.core.models import ImportLog, Population, SecurityEvent

pytestmark = pytest.mark.django_db

HEADER = "区划代码,年份,常住人口,60岁及以上人口,65岁及以上人口,0-3岁婴幼儿,户数"
GOOD = f"{HEADER}\n530102,2024,900000,180000,120000,20000,300000\n530102001,2024,60000,12000,,,\n"
BAD = f"{HEADER}\n530102,2024,100,101,,,\n530102001,2024,-3,0,,,\n530102003,2024,10,1,,,\n"


def upload(text: str | bytes, name: str = "population.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8") if isinstance(text, str) else text)


def post(client, text, kind: str = "population", name: str = "population.csv", **flags):
    data = {"kind": kind, "file": upload(text, name), **{k: "on" for k, v in flags.items() if v}}
    return client.post("/imports/", data)


def api_post(client, text, kind: str = "population", name: str = "population.csv", **fields):
    return client.post(f"/api/v1/imports/{kind}/", {"file": upload(text, name), **fields})


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- the page ------------------------------------------------------------------------------------------------


def test_upload_page_offers_only_the_kinds_the_user_may_import(personas, login, client):
    assert client.get("/imports/").status_code == 302
    page = login(personas.wuhua).get("/imports/")
    assert page.status_code == 200
    offered = [k for k, _label in page.context["form"].fields["kind"].widget.choices]
    assert "population" in offered and "institutions" in offered and "org-units" not in offered
    assert [k["kind"] for k in page.context["kinds"]] == offered
    assert 'href="/imports/"' in page.content.decode()  # the navigation's "Import"
    township = [k for k, _l in login(personas.huashan).get("/imports/").context["form"].fields["kind"].widget.choices]
    assert "population" not in township and "facilities" in township
    assert login(personas.sysadmin).get("/imports/").context["kinds"][0]["kind"] == "org-units"
    assert "elders" in [k["kind"] for k in login(personas.community).get("/imports/").context["kinds"]]
    for nobody in (personas.auditadmin, personas.secadmin):
        c = login(nobody)
        assert c.get("/imports/").status_code == 404
        assert 'href="/imports/"' not in c.get("/").content.decode()


def test_county_official_uploads_a_population_file(personas, login):
    c = login(personas.wuhua)
    response = post(c, GOOD)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.rows_total, result.created, result.written) == (2, 2, True)
    html = response.content.decode()
    assert 'data-testid="count-created">2<' in html
    assert Population.objects.get(org_unit__code="530102").population_65plus == 120000
    again = post(c, GOOD).context["result"]
    assert (again.created, again.unchanged) == (0, 2)
    log = ImportLog.objects.filter(kind="population").order_by("id")
    assert [(r.username, r.rows_created, r.rows_unchanged) for r in log] == [("wuhua", 2, 0), ("wuhua", 0, 2)]


def test_a_bad_file_shows_every_problem_and_writes_nothing(personas, login):
    response = post(login(personas.wuhua), BAD)
    assert response.status_code == 200
    assert not Population.objects.exists()
    assert [(e.row, e.column, e.code) for e, _label in response.context["errors"]] == [
        (2, "population_60plus", "population_60_le_total"),
        (3, "population_total", "negative"),
    ]
    html = response.content.decode()
    table = html[html.index('data-testid="import-errors"') :]
    for text in ("population_60_le_total", "60岁及以上人口", "<code>negative</code>", "-3"):
        assert text in table
    # The error report is built into the page (a data: link), never stored on the server nor put in a server URL.
    href = response.context["report_href"]
    assert href.startswith("data:text/csv;charset=utf-8;base64,")
    report = base64.b64decode(href.split(",", 1)[1]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    assert [r[0] for r in rows[1:]] == ["2", "3"]
    assert rows[1][1:3] == ["population_60plus", "60岁及以上人口"] and rows[1][-1] == "population_60_le_total"
    assert ImportLog.objects.get(kind="population").rows_invalid == 2


def test_partial_and_dry_run(personas, login):
    c = login(personas.wuhua)
    dry = post(c, GOOD, dry_run=True).context["result"]
    assert dry.dry_run and not dry.written and not Population.objects.exists()
    part = post(c, BAD, partial=True).context["result"]
    assert part.written and part.created == 1 and part.invalid_rows == 2
    assert list(Population.objects.values_list("org_unit__code", flat=True)) == ["530102003"]


def test_another_countys_rows_are_refused_whole(personas, login):
    text = f"{HEADER}\n530102,2024,100,10,,,\n530111,2024,100,10,,,\n"
    response = post(login(personas.wuhua), text)
    assert [(e.row, e.column, e.code) for e, _l in response.context["errors"]] == [
        (3, "org_unit_code", "org_out_of_scope")
    ]
    assert not Population.objects.exists()


def test_an_oversize_upload_is_refused_before_it_is_read(personas, login, settings):
    settings.MAX_UPLOAD_BYTES = 64
    response = post(login(personas.wuhua), GOOD)
    assert response.status_code == 413
    assert "文件大小超过" in response.content.decode()
    assert "result" not in response.context
    assert not Population.objects.exists() and not ImportLog.objects.filter(kind="population").exists()


def test_an_xlsx_that_is_really_text_is_refused(personas, login):
    response = post(login(personas.wuhua), GOOD, name="population.xlsx")
    result = response.context["result"]
    assert result.file_error.code == "file_not_xlsx"
    assert 'data-testid="file-error"' in response.content.decode()
    assert not Population.objects.exists()


def test_a_real_xlsx_and_a_file_streamed_to_disk_are_imported(personas, login, settings):
    c = login(personas.wuhua)
    data = xlsx_bytes([HEADER.split(","), ["530102", 2024, 1000, 300, None, None, None]])
    assert post(c, data, name="p.xlsx").context["result"].created == 1
    # Past FILE_UPLOAD_MAX_MEMORY_SIZE Django keeps the upload in a temporary file; the pipeline reads it from there.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    big = HEADER + "\n" + "".join(f"53010200{i},2024,{1000 + i},100,,,\n" for i in range(1, 8))
    assert post(c, big).context["result"].created == 7


def test_a_kind_the_user_may_not_import_is_403_and_writes_nothing(personas, login):
    response = post(login(personas.huashan), GOOD)
    assert response.status_code == 403
    assert 'data-testid="import-denied"' in response.content.decode()
    assert not Population.objects.exists() and not ImportLog.objects.filter(kind="population").exists()
    assert post(login(personas.community), GOOD).status_code == 403
    assert SecurityEvent.objects.filter(kind="access_denied", username="huashan").exists()
    unknown = post(login(personas.wuhua), GOOD, kind="nonsense")
    assert unknown.status_code == 200 and unknown.context["form"].errors["kind"]


def test_template_downloads_carry_the_chinese_headers(personas, login):
    c = login(personas.wuhua)
    response = c.get("/imports/population/template.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="population-template.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").strip() == HEADER
    xlsx = c.get("/imports/institutions/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("机构编码", "机构名称", "统一社会信用代码")
    assert c.get("/imports/nonsense/template.csv").status_code == 404
    assert c.get("/imports/population/template.txt").status_code == 404
    assert c.get("/imports/org-units/template.csv").status_code == 404  # the system administrator's kind
    assert login(personas.huashan).get("/imports/population/template.csv").status_code == 404
    assert login(personas.huashan).get("/imports/facilities/template.csv").status_code == 200


def test_a_downloaded_template_filled_in_imports(personas, login):
    c = login(personas.wuhua)
    template = c.get("/imports/population/template.csv").content.decode("utf-8-sig")
    filled = template + "530102,2024,1000,300,,,\n"
    assert post(c, filled.encode("utf-8-sig")).context["result"].created == 1


def test_the_import_log_shows_own_runs_and_all_to_the_city(personas, login, client):
    post(login(personas.wuhua), GOOD)
    post(login(personas.guandu), f"{HEADER}\n530111,2024,100,10,,,\n")
    assert client.get("/imports/log/").status_code == 302

    def seen(persona):
        return [(r.username, r.kind) for r in login(persona).get("/imports/log/?kind=population").context["page"]]

    assert seen(personas.wuhua) == [("wuhua", "population")]
    assert seen(personas.guandu) == [("guandu", "population")]
    assert seen(personas.city) == [("guandu", "population"), ("wuhua", "population")]
    assert seen(personas.sysadmin) == [("guandu", "population"), ("wuhua", "population")]
    assert seen(personas.huashan) == []
    assert seen(personas.auditadmin) == []
    page = login(personas.wuhua).get("/imports/log/?kind=population").content.decode()
    assert "population.csv" in page
    assert login(personas.city).get("/imports/log/?kind=elders").context["page"].paginator.count == 0


def test_the_import_log_query_count_is_fixed(personas, login, django_assert_num_queries):
    c = login(personas.wuhua)
    for _ in range(5):
        post(c, GOOD)
    c.get("/imports/log/")
    # session, user, its unit, count, rows, and the session's touch (3): none per row
    with django_assert_num_queries(8):
        assert len(c.get("/imports/log/?kind=population").context["page"]) == 5


# ---- the API -------------------------------------------------------------------------------------------------


def test_api_import_status_codes(personas, login, client):
    assert api_post(client, GOOD).status_code == 401
    c = login(personas.wuhua)
    ok = api_post(c, GOOD)
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["created"], ok.json()["written"]) == (2, True)
    invalid = api_post(c, BAD)
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["code"] == "import_invalid" and body["message"]
    assert [(e["row"], e["column"], e["field"], e["code"]) for e in body["errors"]] == [
        (2, "population_60plus", "population_60plus", "population_60_le_total"),
        (3, "population_total", "population_total", "negative"),
    ]
    assert body["written"] is False and Population.objects.count() == 2
    dry = api_post(c, GOOD.replace("900000", "900001"), dry_run="true")
    assert dry.status_code == 200 and dry.json()["dry_run"] is True and dry.json()["written"] is False
    assert Population.objects.get(org_unit__code="530102").population_total == 900000
    partial = api_post(c, BAD, partial="true")
    assert partial.status_code == 200 and partial.json()["created"] == 1 and partial.json()["invalid_rows"] == 2
    not_xlsx = api_post(c, GOOD, name="p.xlsx")
    assert (not_xlsx.status_code, not_xlsx.json()["code"]) == (422, "file_not_xlsx")
    assert not_xlsx.json()["file_error"]["code"] == "file_not_xlsx"
    outside = api_post(c, f"{HEADER}\n530111,2024,100,10,,,\n")
    assert (outside.status_code, outside.json()["errors"][0]["code"]) == (422, "org_out_of_scope")
    assert not Population.objects.filter(org_unit__code="530111").exists()
    missing = c.post("/api/v1/imports/population/", {})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "file"


def test_api_import_refusals(personas, login, settings):
    denied = api_post(login(personas.huashan), GOOD)
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert api_post(login(personas.wuhua), GOOD, kind="nonsense").status_code == 404
    assert api_post(login(personas.wuhua), GOOD, kind="org-units").status_code == 403
    settings.MAX_UPLOAD_BYTES = 64
    too_large = api_post(login(personas.wuhua), GOOD)
    assert (too_large.status_code, too_large.json()["code"]) == (413, "file_too_large")
    assert not Population.objects.exists() and not ImportLog.objects.filter(kind="population").exists()


def test_api_import_log(personas, login, client):
    api_post(login(personas.wuhua), GOOD)
    api_post(login(personas.guandu), f"{HEADER}\n530111,2024,100,10,,,\n")
    assert client.get("/api/v1/imports/log/").status_code == 401
    own = login(personas.wuhua).get("/api/v1/imports/log/?kind=population").json()["results"]
    assert [(r["username"], r["rows_created"]) for r in own] == [("wuhua", 2)]
    every = login(personas.city).get("/api/v1/imports/log/?kind=population").json()["results"]
    assert [r["username"] for r in every] == ["guandu", "wuhua"]
    assert login(personas.huashan).get("/api/v1/imports/log/").json()["results"] == []


def test_the_schema_documents_the_multipart_import(personas, login):
    document = login(personas.wuhua).get("/api/schema/", {"format": "json"}).json()
    operation = document["paths"]["/api/v1/imports/{kind}/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "403", "404", "413", "422"} <= set(operation["responses"])
    assert {"/api/v1/imports/log/", "/api/v1/population/", "/api/v1/population/{key}/"} <= set(document["paths"])
