"""The administrative tree: the real Kunming data, import of another city's tree, and boundary changes over time."""

from __future__ import annotations

import io
from datetime import date

import pytest

from chuncheng.core.imports import run_import
from chuncheng.core.models import ImportLog, OrgUnit
from chuncheng.core.orgunits import OrgUnitImporter, level_for_code, parent_candidates, tree_on
from chuncheng.core.scope import org_scope_prefix

pytestmark = pytest.mark.django_db


def test_kunming_tree_counts(org_tree):
    counts = {level: OrgUnit.objects.filter(level=level).count() for level in ("city", "county", "township", "village")}
    assert counts == {"city": 1, "county": 14, "township": 150, "village": 1738}
    assert OrgUnit.objects.get(code="530102").parent.code == "530100"
    assert OrgUnit.objects.get(code="530102001").parent.code == "530102"
    village = OrgUnit.objects.filter(code__startswith="530102001", level="village").first()
    assert village.parent.code == "530102001"
    assert OrgUnit.objects.filter(level="village", parent__isnull=True).count() == 0


def test_scope_prefix_and_parent_rules():
    assert org_scope_prefix("530100") == "5301"
    assert org_scope_prefix("530000") == "53"
    assert org_scope_prefix("530102") == "530102"
    assert org_scope_prefix("530102001") == "530102001"
    assert parent_candidates("530102") == ["530100", "530000"]
    assert parent_candidates("530102001") == ["530102"]
    assert parent_candidates("530102001001")[0] == "530102001"
    assert level_for_code("530100") == "city"
    assert level_for_code("530102") == "county"
    assert level_for_code("530102001") == "township"
    assert level_for_code("530102001000") == "township"
    assert level_for_code("530102001001") == "village"


def _import(text: str, name: str = "tree.csv", **kwargs):
    return run_import(OrgUnitImporter(None), io.BytesIO(text.encode("utf-8")), name, **kwargs)


def test_another_city_loads_its_tree_and_reimport_changes_nothing(org_tree):
    text = (
        "区划代码,名称,层级,城镇\n530300,曲靖市,,1\n530302,麒麟区,,1\n530302001,南宁街道,,1\n530302001001,南关社区,,1\n"
    )
    first = _import(text)
    assert first.ok and (first.created, first.updated, first.unchanged) == (4, 0, 0)
    assert OrgUnit.objects.get(code="530302001001").parent.code == "530302001"
    assert OrgUnit.objects.get(code="530302").level == "county"
    again = _import(text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert ImportLog.objects.filter(kind="org-units").count() >= 2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("code,name\n5301,短码\n", "org_code_format"),
        ("code,name\n539901,无上级县\n", "org_parent_missing"),
        ("code,name,colour\n530199,某区,red\n", "unknown_columns"),
        ("code,name\n", "file_no_rows"),
        ("code,name\n530198,甲区\n530198,乙区\n", "duplicate_in_file"),
        ("code,name,valid_from,valid_to\n530197,某区,2024-01-01,2023-01-01\n", "validity_range"),
        ("name\n某区\n", "missing_columns"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(org_tree, text, code):
    before = OrgUnit.objects.count()
    result = _import(text)
    assert not result.ok
    codes = {e.code for e in result.errors} | ({result.file_error.code} if result.file_error else set())
    assert code in codes
    assert OrgUnit.objects.count() == before


def test_partial_import_writes_the_valid_rows(org_tree):
    result = _import("code,name\n530196,好区\n5301,坏码\n", partial=True)
    assert [e.code for e in result.errors] == ["org_code_format"]
    assert result.errors[0].row == 3
    assert OrgUnit.objects.filter(code="530196").exists()


def test_gbk_file_is_detected(org_tree):
    data = "区划代码,名称\n530195,国标码区\n".encode("gbk")
    result = run_import(OrgUnitImporter(None), io.BytesIO(data), "gbk.csv")
    assert result.ok, result.as_dict()
    assert OrgUnit.objects.get(code="530195").name == "国标码区"


def test_split_township_keeps_history_and_past_figures(org_tree):
    """华山街道 is split into two new townships on 2025-01-01: before that date the tree shows it, after it the two."""
    text = (
        "code,name,valid_from,valid_to,successors\n"
        "530102901,华山东街道,2025-01-01,,\n"
        "530102902,华山西街道,2025-01-01,,\n"
        "530102001,华山街道,,2025-01-01,530102901;530102902\n"
    )
    result = _import(text)
    assert result.ok, result.as_dict()
    wuhua = OrgUnit.objects.get(code="530102")
    before = [u.code for u in tree_on(date(2024, 6, 1), wuhua)]
    after = [u.code for u in tree_on(date(2025, 6, 1), wuhua)]
    assert "530102001" in before and "530102901" not in before
    assert "530102001" not in after and {"530102901", "530102902"} <= set(after)
    assert len(before) == 11 and len(after) == 12
    old = OrgUnit.objects.get(code="530102001")
    assert {u.code for u in old.successors.all()} == {"530102901", "530102902"}
    assert old.children.count() > 0  # its communities keep the unit they were filed under


def test_search_by_name_and_code(personas, login):
    c = login(personas.city)
    by_name = c.get("/api/v1/org-units/?q=华山").json()["results"]
    assert "530102001" in {u["code"] for u in by_name}
    by_code = c.get("/api/v1/org-units/?q=530111001&page_size=100").json()
    assert all(u["code"].startswith("530111001") for u in by_code["results"])
    assert by_code["count"] >= 2
    page = c.get("/org/?q=关上街道").content.decode()
    assert "530111001" in page
    children = c.get("/api/v1/org-units/?parent=530100").json()
    assert children["count"] == 14


def test_cli_import_dry_run_and_export(tmp_path, org_tree, capsys):
    """`chuncheng import org-units` and `export org-units`, run in-process against the test database."""
    import json

    from chuncheng.cli import main

    src = tmp_path / "tree.csv"
    src.write_text("code,name\n530194,命令行区\n", encoding="utf-8")
    assert main(["import", "org-units", str(src), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] is False
    assert not OrgUnit.objects.filter(code="530194").exists()
    assert main(["import", "org-units", str(src)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n12,坏\n", encoding="utf-8")
    assert main(["import", "org-units", str(bad)]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["errors"][0] | {"message": ""} == {
        "row": 2,
        "column": "code",
        "value": "12",
        "code": "org_code_format",
        "message": "",
    }
    out = tmp_path / "wuhua.csv"
    assert main(["export", "org-units", str(out), "--org", "530102"]) == 0
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("code,name,level,parent_code")
    assert all(r.startswith("530102") for r in rows[1:])
    assert len(rows) - 1 == OrgUnit.objects.filter(code__startswith="530102").count()


class StreamingOrgUnitImporter(OrgUnitImporter):
    streaming = True


def test_streaming_pipeline_finds_the_same_problems_and_writes_only_valid_rows(org_tree):
    text = "code,name\n530191,甲区\n5301,坏码\n530191,重复区\n530192,乙区\n"
    strict = run_import(StreamingOrgUnitImporter(None), io.BytesIO(text.encode()), "s.csv")
    assert [(e.row, e.code) for e in strict.errors] == [(3, "org_code_format"), (4, "duplicate_in_file")]
    assert not OrgUnit.objects.filter(code__in=["530191", "530192"]).exists()
    partial = run_import(StreamingOrgUnitImporter(None), io.BytesIO(text.encode()), "s.csv", partial=True)
    assert partial.created == 2
    assert OrgUnit.objects.get(code="530191").name == "甲区"
