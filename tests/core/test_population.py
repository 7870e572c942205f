"""Population figures: the service, the file, the export, the page and the API, each kept inside the user's area."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuncheng.core.imports import run_import
from chuncheng.core.models import AuditEntry, ImportLog, OrgUnit, Population
from chuncheng.core.population import PopulationImporter, export_population, set_population, totals_by_year

pytestmark = pytest.mark.django_db

HEADER_ZH = "区划代码,年份,常住人口,60岁及以上人口,65岁及以上人口,0-3岁婴幼儿,户数"
HEADER_EN = "org_unit_code,year,population_total,population_60plus,population_65plus,infants_0_3,households"


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def figure(code: str, year: int, total: int, sixty: int, **extra) -> Population:
    return Population.objects.create(
        org_unit=unit(code), year=year, population_total=total, population_60plus=sixty, **extra
    )


def run(text: str, actor=None, name: str = "population.csv", **kwargs):
    return run_import(PopulationImporter(actor), io.BytesIO(text.encode("utf-8")), name, **kwargs)


def codes(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in result.errors]


# ---- the service ---------------------------------------------------------------------------------------------


def test_set_population_creates_then_updates_and_audits(personas):
    record, created = set_population(
        unit("530102"), 2024, {"population_total": 900_000, "population_60plus": 180_000}, actor=personas.wuhua
    )
    assert created and (record.population_total, record.population_60plus, record.population_65plus) == (
        900_000,
        180_000,
        None,
    )
    entry = AuditEntry.objects.get(model="core.population", action="create")
    assert (entry.actor_username, entry.org_code) == ("wuhua", "530102")
    record, created = set_population(unit("530102"), 2024, {"population_65plus": 120_000}, actor=personas.wuhua)
    assert not created and (record.population_total, record.population_65plus) == (900_000, 120_000)
    update = AuditEntry.objects.get(model="core.population", action="update")
    assert update.changes == {"population_65plus": [None, 120_000]}
    assert Population.objects.count() == 1


@pytest.mark.parametrize(
    ("figures", "field", "code"),
    [
        ({"population_total": 100, "population_60plus": 101}, "population_60plus", "population_60_le_total"),
        (
            {"population_total": 100, "population_60plus": 50, "population_65plus": 51},
            "population_65plus",
            "population_65_le_60",
        ),
        ({"population_total": -1, "population_60plus": 0}, "population_total", "negative"),
        ({"population_total": 100, "population_60plus": 50, "households": -3}, "households", "negative"),
        ({"population_total": 100}, "population_60plus", "required"),
    ],
)
def test_set_population_rules(personas, figures, field, code):
    with pytest.raises(ValidationError) as caught:
        set_population(unit("530102001"), 2024, figures, actor=personas.wuhua)
    assert [e.code for e in caught.value.error_dict[field]] == [code]
    assert not Population.objects.exists()


def test_set_population_keeps_the_rules_against_current_figures(personas):
    figure("530102", 2024, 1000, 300, population_65plus=200)
    with pytest.raises(ValidationError) as caught:
        set_population(unit("530102"), 2024, {"population_60plus": 150}, actor=personas.wuhua)
    assert caught.value.error_dict["population_65plus"][0].code == "population_65_le_60"
    assert Population.objects.get().population_60plus == 300


def test_set_population_refuses_other_areas_roles_and_years(personas):
    figures = {"population_total": 100, "population_60plus": 20}
    with pytest.raises(ValidationError) as caught:
        set_population(unit("530111"), 2024, figures, actor=personas.wuhua)
    assert caught.value.error_dict["org_unit"][0].code == "org_out_of_scope"
    for actor in (personas.huashan, personas.operator, personas.sysadmin):
        with pytest.raises(ValidationError) as caught:
            set_population(unit("530102001"), 2024, figures, actor=actor)
        assert caught.value.code == "permission_denied"
    with pytest.raises(ValidationError) as caught:
        set_population(unit("530102"), 1900, figures, actor=personas.wuhua)
    assert caught.value.error_dict["year"][0].code == "year_range"
    assert not Population.objects.exists()
    assert not AuditEntry.objects.filter(model="core.population").exists()


# ---- the file ------------------------------------------------------------------------------------------------


def test_import_upserts_on_unit_and_year_and_reimport_changes_nothing(personas):
    text = f"{HEADER_ZH}\n530102,2024,900000,180000,120000,20000,300000\n530102001,2024,60000,12000,,,\n"
    result = run(text, personas.wuhua)
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert Population.objects.get(org_unit__code="530102001").population_65plus is None
    again = run(text, personas.wuhua)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = run(text.replace("60000,12000", "61000,12000"), personas.wuhua)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert Population.objects.get(org_unit__code="530102001").population_total == 61000
    assert ImportLog.objects.filter(kind="population", username="wuhua").count() == 3
    bulk = AuditEntry.objects.filter(model="core.population", action="bulk_create").order_by("id")
    assert [e.changes["created"] for e in bulk] == [2, 0, 0]


def test_an_absent_column_keeps_the_figure_and_a_blank_cell_clears_it(personas):
    figure("530102", 2024, 1000, 300, population_65plus=200, households=400)
    result = run("org_unit_code,year,population_total,population_60plus,households\n530102,2024,1000,300,\n")
    assert result.ok and result.updated == 1
    record = Population.objects.get()
    assert (record.population_65plus, record.households) == (200, None)
    # The 65+ the record keeps must still fit under the new 60+.
    refused = run("org_unit_code,year,population_total,population_60plus\n530102,2024,1000,150\n")
    assert codes(refused) == [(2, "population_65plus", "population_65_le_60")]


def test_import_reports_every_problem_and_writes_nothing(personas):
    text = (
        f"{HEADER_EN}\n"
        "530102,2024,100,101,,,\n"  # 60+ over the total
        "530102001,2024,100,50,60,,\n"  # 65+ over 60+
        "530102003,2024,-5,0,,,\n"  # negative
        "999999,2024,10,1,,,\n"  # no such unit
        "530102004,2024,10,1,,,\n"
        "530102004,2024,11,1,,,\n"  # same unit and year again
        "530102005,20x4,10,1,,,\n"  # not a year
        "530102006,2024,10,1,,,\n"  # the only good row
    )
    result = run(text, personas.wuhua)
    assert codes(result) == [
        (2, "population_60plus", "population_60_le_total"),
        (3, "population_65plus", "population_65_le_60"),
        (4, "population_total", "negative"),
        (5, "org_unit_code", "unknown_org_unit"),
        (7, "org_unit_code", "duplicate_in_file"),
        (8, "year", "int_format"),
    ]
    assert not result.written and not Population.objects.exists()
    partial = run(text, personas.wuhua, partial=True)
    assert partial.written and partial.created == 2
    assert set(Population.objects.values_list("org_unit__code", flat=True)) == {"530102004", "530102006"}


def test_import_keeps_rows_inside_the_actors_area(personas):
    text = f"{HEADER_EN}\n530102,2024,100,10,,,\n530111,2024,100,10,,,\n530100,2024,100,10,,,\n"
    result = run(text, personas.wuhua)
    assert codes(result) == [(3, "org_unit_code", "org_out_of_scope"), (4, "org_unit_code", "org_out_of_scope")]
    assert not Population.objects.exists()
    assert run(text, personas.city).created == 3
    with pytest.raises(PermissionDenied):
        run(text, personas.huashan)


# ---- the export ----------------------------------------------------------------------------------------------


def test_export_is_scoped_and_reimports_unchanged(personas, tmp_path):
    figure("530102", 2024, 1000, 300, population_65plus=200)
    figure("530102001", 2023, 100, 30)
    figure("530111", 2024, 2000, 400)
    path = tmp_path / "population.csv"
    assert export_population(path, actor=personas.wuhua) == 2
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(r["org_unit_code"], r["year"], r["population_65plus"]) for r in rows] == [
        ("530102", "2024", "200"),
        ("530102001", "2023", ""),
    ]
    with path.open("rb") as fh:
        again = run_import(PopulationImporter(personas.wuhua), fh, path.name)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert export_population(tmp_path / "all.xlsx", org="530111") == 1
    assert export_population(tmp_path / "huashan.csv", actor=personas.huashan) == 1
    with pytest.raises(PermissionDenied):
        export_population(tmp_path / "x.csv", actor=personas.operator)


def test_totals_are_per_year_and_level():
    figure("530102", 2024, 1000, 300)
    figure("530111", 2024, 2000, 400)
    figure("530102001", 2024, 400, 100)
    figure("530102", 2023, 900, 250)
    totals = totals_by_year(Population.objects.all())
    assert [(t["year"], t["level"], t["units"], t["population_total"], t["population_60plus"]) for t in totals] == [
        (2024, "county", 2, 3000, 700),
        (2024, "township", 1, 400, 100),
        (2023, "county", 1, 900, 250),
    ]
    assert totals[0]["share_60plus"] == pytest.approx(700 / 3000)


# ---- the page ------------------------------------------------------------------------------------------------


def test_population_page_lists_only_the_users_area_with_totals(personas, login, client):
    figure("530102", 2024, 1000, 300)
    figure("530102001", 2024, 400, 100)
    figure("530111", 2024, 2000, 400)
    assert client.get("/population/").status_code == 302
    page = login(personas.wuhua).get("/population/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "华山街道" in html and "五华区" in html and "官渡区" not in html
    assert [(t["level"], t["population_total"]) for t in page.context["totals"]] == [
        ("county", 1000),
        ("township", 400),
    ]
    assert "关上街道" not in login(personas.huashan).get("/population/").content.decode()
    assert [p.org_unit.code for p in login(personas.huashan).get("/population/").context["page"]] == ["530102001"]
    city = login(personas.city).get("/population/?year=2024&sort=-population_total").context["page"]
    assert [p.org_unit.code for p in city] == ["530111", "530102", "530102001"]
    filtered = login(personas.city).get("/population/?org=530111").context["page"]
    assert [p.org_unit.code for p in filtered] == ["530111"]
    assert login(personas.operator).get("/population/").status_code == 404
    assert login(personas.sysadmin).get("/population/").status_code == 404


def test_population_page_query_count_is_fixed(personas, login, django_assert_num_queries):
    for i in range(1, 8):
        figure(f"53010200{i}", 2024, 1000 + i, 100)
    c = login(personas.wuhua)
    c.get("/population/")  # warm the session
    # session, user, its unit, count, the page's rows, totals, years, and the session's touch (3): none per row
    with django_assert_num_queries(10):
        c.get("/population/")


def test_population_export_page_is_scoped(personas, login):
    figure("530102", 2024, 1000, 300)
    figure("530111", 2024, 2000, 400)
    csv_text = login(personas.wuhua).get("/population/export/?format=csv").content.decode("utf-8-sig")
    assert [r["org_unit_code"] for r in csv.DictReader(io.StringIO(csv_text))] == ["530102"]
    xlsx = login(personas.city).get("/population/export/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["org_unit_code", "530102", "530111"]
    assert login(personas.operator).get("/population/export/").status_code == 404


def test_population_edit_page(personas, login):
    record = figure("530102001", 2024, 1000, 300)
    other = figure("530111", 2024, 2000, 400)
    c = login(personas.wuhua)
    assert c.get("/population/530102001/2024/edit/").status_code == 200
    response = c.post("/population/530102001/2024/edit/", {"population_total": 1100, "population_60plus": 310})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.population_total, record.population_60plus) == (1100, 310)
    assert AuditEntry.objects.filter(model="core.population", action="update", actor_username="wuhua").exists()
    refused = c.post("/population/530102001/2024/edit/", {"population_total": 100, "population_60plus": 310})
    assert refused.status_code == 200 and "population_60plus" in refused.context["form"].errors
    assert c.get("/population/530111/2024/edit/").status_code == 404
    assert c.post("/population/530111/2024/edit/", {"population_total": 1, "population_60plus": 1}).status_code == 404
    other.refresh_from_db()
    assert other.population_total == 2000
    assert login(personas.huashan).get("/population/530102001/2024/edit/").status_code == 404


def test_population_create_page(personas, login):
    c = login(personas.wuhua)
    assert c.get("/population/new/").status_code == 200
    made = c.post(
        "/population/new/", {"org_unit": "530102003", "year": 2024, "population_total": 10, "population_60plus": 2}
    )
    assert made.status_code == 302
    assert Population.objects.filter(org_unit__code="530102003", year=2024).exists()
    outside = c.post(
        "/population/new/", {"org_unit": "530111", "year": 2024, "population_total": 10, "population_60plus": 2}
    )
    assert outside.status_code == 200 and not Population.objects.filter(org_unit__code="530111").exists()
    unknown = c.post(
        "/population/new/", {"org_unit": "999999", "year": 2024, "population_total": 10, "population_60plus": 2}
    )
    assert unknown.context["form"].errors["org_unit"]
    assert login(personas.huashan).get("/population/new/").status_code == 404


# ---- the API -------------------------------------------------------------------------------------------------


def test_population_api_list_is_scoped(personas, login, client):
    figure("530102", 2024, 1000, 300)
    figure("530111", 2024, 2000, 400)
    assert client.get("/api/v1/population/").status_code == 401
    body = login(personas.wuhua).get("/api/v1/population/").json()
    assert [(r["key"], r["org_unit"], r["share_60plus"]) for r in body["results"]] == [("530102-2024", "530102", 0.3)]
    assert login(personas.wuhua).get("/api/v1/population/530111-2024/").status_code == 404
    assert login(personas.wuhua).get("/api/v1/population/530102-2024/").json()["population_total"] == 1000
    city = login(personas.city).get("/api/v1/population/?org=5301&sort=-population_total").json()
    assert [r["org_unit"] for r in city["results"]] == ["530111", "530102"]
    assert login(personas.operator).get("/api/v1/population/").json()["results"] == []


def test_population_api_query_count_is_fixed(personas, login, django_assert_num_queries):
    for i in range(1, 8):
        figure(f"53010200{i}", 2024, 1000 + i, 100)
    c = login(personas.wuhua)
    # session, user, its unit, count, rows, and the session's touch (3): none per row
    with django_assert_num_queries(8):
        assert len(c.get("/api/v1/population/").json()["results"]) == 7


def test_population_api_create_update_and_codes(personas, login):
    c = login(personas.wuhua)
    good = {"org_unit": "530102", "year": 2024, "population_total": 1000, "population_60plus": 300}
    created = c.post("/api/v1/population/", good, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["key"] == "530102-2024"
    again = c.post("/api/v1/population/", {**good, "population_total": 1200}, content_type="application/json")
    assert again.status_code == 200 and again.json()["population_total"] == 1200
    patched = c.patch("/api/v1/population/530102-2024/", {"households": 400}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["households"] == 400
    put = c.put(
        "/api/v1/population/530102-2024/",
        {"population_total": 1300, "population_60plus": 310},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["population_60plus"] == 310

    def code(data, path="/api/v1/population/", method="post"):
        response = getattr(c, method)(path, data, content_type="application/json")
        return response.status_code, response.json()["code"]

    assert code({**good, "population_60plus": 2000}) == (422, "population_60_le_total")
    assert code({**good, "population_65plus": 400}) == (422, "population_65_le_60")
    assert code({**good, "population_total": -1}) == (422, "negative")
    assert code({**good, "org_unit": "999999"}) == (422, "unknown_org_unit")
    assert code({**good, "org_unit": "530111"}) == (422, "org_out_of_scope")
    assert code({"population_60plus": 5000}, "/api/v1/population/530102-2024/", "patch") == (
        422,
        "population_60_le_total",
    )
    assert Population.objects.get().population_60plus == 310
    assert not Population.objects.filter(org_unit__code="530111").exists()


def test_population_api_refusals_change_nothing(personas, login):
    other = figure("530111", 2024, 2000, 400)
    wuhua = login(personas.wuhua)
    patch = wuhua.patch("/api/v1/population/530111-2024/", {"households": 1}, content_type="application/json")
    assert patch.status_code == 404
    huashan = login(personas.huashan)
    denied = huashan.post(
        "/api/v1/population/",
        {"org_unit": "530102001", "year": 2024, "population_total": 10, "population_60plus": 1},
        content_type="application/json",
    )
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert huashan.patch("/api/v1/population/530111-2024/", {}, content_type="application/json").status_code == 404
    other.refresh_from_db()
    assert other.households is None
    assert Population.objects.count() == 1


def test_population_api_export_is_scoped(personas, login):
    figure("530102", 2024, 1000, 300)
    figure("530111", 2024, 2000, 400)
    text = login(personas.wuhua).get("/api/v1/population/export/").content.decode("utf-8-sig")
    assert [r["org_unit_code"] for r in csv.DictReader(io.StringIO(text))] == ["530102"]
    assert login(personas.operator).get("/api/v1/population/export/").content.decode("utf-8-sig").strip() == (
        "org_unit_code,year,population_total,population_60plus,population_65plus,infants_0_3,households"
    )
