"""The elders file (data-exchange.md): every bad input reported with its code and nothing written; upsert on the ID
number, so a second run changes nothing; partial and dry runs; the CLI; masked and unmasked exports."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from chuncheng.cli import main
from chuncheng.core.imports import run_import
from chuncheng.core.models import AuditAction, AuditEntry, ImportLog, SecurityEvent
from chuncheng.elders import queries, services
from chuncheng.elders.importers import ElderImporter
from chuncheng.elders.models import Elder
from tests.elders.conftest import fake_id, full_ids, years_ago

pytestmark = pytest.mark.django_db

HEADER = ["身份证号", "姓名", "居住社区代码", "本地户籍", "人员类别", "能力等级", "电话", "地址", "纬度", "经度"]


@pytest.fixture
def people(villages):
    """Three good rows of the file, by the Chinese headers."""
    unit = villages[0].code
    return [
        [
            fake_id(years_ago(81), 61),
            "陈玉珍",
            unit,
            "是",
            "特困；独居",
            "轻度失能",
            "13811110001",
            "华山西路1号",
            "25.04",
            "102.7100001",
        ],
        [fake_id(years_ago(66), 62), "刘建国", unit, "0", "dibao", "intact", "0871-65110002", "", "", ""],
        [fake_id(years_ago(75), 63, female=True), "杨淑华", villages[1].code, "", "", "", "", "", "", ""],
    ]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(content: bytes, name="elders.csv", actor=None, **options):
    flags = {k: options.pop(k) for k in ("partial", "dry_run") if k in options}
    return run_import(ElderImporter(actor, **options), io.BytesIO(content), name, **flags)


def error_codes(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in result.errors]


def test_a_good_file_is_imported(people):
    result = run(csv_bytes(people))
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0), result.as_dict()
    chen = Elder.objects.get(name="陈玉珍")
    assert (chen.tekun, chen.living_alone, chen.capability_level, chen.hukou_local) == (True, True, "mild", True)
    assert (chen.phone_masked, chen.address, chen.lat, chen.lng) == (
        "138****0001",
        "华山西路1号",
        Decimal("25.04"),
        Decimal("102.710000"),
    )
    assert queries.decrypt_id_number(chen) == people[0][0]
    assert queries.decrypt_phone(chen) == "13811110001"
    assert queries.is_advanced_age(chen.birth_date)
    liu = Elder.objects.get(name="刘建国")
    assert (liu.hukou_local, liu.dibao, liu.sex, liu.phone_masked) == (False, True, "male", "0871-****0002")
    yang = Elder.objects.get(name="杨淑华")
    assert (yang.sex, yang.hukou_local, yang.categories, yang.capability_level) == ("female", True, [], "")
    bulk = AuditEntry.objects.get(action=AuditAction.BULK_CREATE, model="elders.elder")
    assert (bulk.count, bulk.changes["created"]) == (3, 3)
    assert full_ids(json.dumps(bulk.changes)) == set()


def test_reimporting_the_same_file_changes_nothing(people):
    content = csv_bytes(people)
    run(content)
    before = list(Elder.objects.order_by("pk").values())
    again = run(content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(Elder.objects.order_by("pk").values()) == before
    as_xlsx = run(xlsx_bytes(people), name="elders.xlsx")
    assert (as_xlsx.created, as_xlsx.updated, as_xlsx.unchanged) == (0, 0, 3), as_xlsx.as_dict()


def test_a_changed_file_updates_filled_cells_and_keeps_empty_ones(people):
    run(csv_bytes(people))
    people[0][6] = "13811119999"  # new phone
    people[0][4] = ""  # empty categories cell: kept
    people[1][1] = "刘建民"
    result = run(csv_bytes(people))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    chen = Elder.objects.get(name="陈玉珍")
    assert (chen.tekun, chen.phone_masked, queries.decrypt_phone(chen)) == (True, "138****9999", "13811119999")
    assert Elder.objects.filter(name="刘建民").exists()
    only_some = run(csv_bytes([[row[0], row[1], row[2]] for row in people], header=HEADER[:3]))
    assert (only_some.updated, only_some.unchanged) == (0, 3)  # missing columns touch nothing


@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (
            lambda r: r.__setitem__(0, r[0][:17] + ("0" if r[0][17] != "0" else "1")),
            (2, "id_number", "id_number_check_digit"),
        ),
        (lambda r: r.__setitem__(0, fake_id(years_ago(59), 64)), (2, "id_number", "elder_under_60")),
        (lambda r: r.__setitem__(2, "530102999999"), (2, "org_unit_code", "unknown_org_unit")),
        (lambda r: r.__setitem__(4, "特困;富裕"), (2, "categories", "choice")),
        (lambda r: r.__setitem__(5, "很好"), (2, "capability_level", "choice")),
        (lambda r: r.__setitem__(6, "12345"), (2, "phone", "phone_format")),
        (lambda r: r.__setitem__(8, "95"), (2, "lat", "coordinate_range")),
        (lambda r: r.__setitem__(1, ""), (2, "name", "required")),
        (lambda r: r.__setitem__(3, "也许"), (2, "hukou_local", "bool_format")),
    ],
)
def test_each_bad_cell_is_reported_and_nothing_is_written(people, mangle, expected):
    mangle(people[0])
    result = run(csv_bytes(people))
    assert error_codes(result) == [expected]
    assert not result.written and not Elder.objects.exists()
    assert result.invalid_rows == 1


def test_under_60_passes_with_the_option(people):
    people[0][0] = fake_id(years_ago(55), 65)
    assert run(csv_bytes(people), allow_under_60=True).created == 3


def test_a_duplicate_id_inside_the_file(people):
    people.append([people[0][0].lower().replace("x", "X"), "陈玉珍", people[0][2], "", "", "", "", "", "", ""])
    result = run(csv_bytes(people))
    assert error_codes(result) == [(5, "id_number", "duplicate_in_file")]
    assert not Elder.objects.exists()


def test_rows_outside_the_importers_area(personas, people, registry):
    people[1][2] = registry.guandu_village.code
    people[2][0] = registry.ids["guandu"]  # a person registered in 官渡区 cannot be moved by 五华区's file
    result = run(csv_bytes(people), actor=personas.wuhua)
    assert error_codes(result) == [(3, "org_unit_code", "org_out_of_scope"), (4, "id_number", "elder_out_of_scope")]
    assert registry.ids["guandu"] not in json.dumps(result.as_dict())  # the report masks what it adds
    assert Elder.objects.count() == 3
    city = run(csv_bytes(people[:2]), actor=personas.city)
    assert city.created == 2


def test_roles_without_import_permission_are_refused(personas, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(csv_bytes(people), actor=personas.operator)


def test_a_gbk_file(people):
    result = run(csv_bytes(people, encoding="gbk"))
    assert result.created == 3, result.as_dict()
    assert Elder.objects.filter(name="陈玉珍", tekun=True).exists()


def test_an_xlsx_with_an_unknown_column_is_refused(people):
    rows = [[*row, "备注"] for row in people]
    result = run(xlsx_bytes(rows, header=[*HEADER, "备注"]), name="elders.xlsx")
    assert (result.file_error.code, result.written) == ("unknown_columns", False)
    assert not Elder.objects.exists()


def test_english_keys_in_any_order(people):
    header = ["name", "id_number", "org_unit_code"]
    result = run(csv_bytes([[r[1], r[0], r[2]] for r in people], header=header))
    assert result.created == 3


def test_a_truncated_file(people):
    content = csv_bytes(people)
    cut = content[: content.rindex(b",", 0, len(content) - 1) - 30]  # the last row ends in the middle of a cell
    result = run(cut)
    assert [e.code for e in result.errors] == ["row_truncated"]
    assert result.errors[0].row == 4
    assert not Elder.objects.exists()


def test_a_header_only_file():
    result = run(csv_bytes([]))
    assert result.file_error.code == "file_no_rows"
    assert not Elder.objects.exists()


def test_partial_import_writes_the_valid_rows(people):
    people[1][0] = people[1][0][:17] + ("0" if people[1][0][17] != "0" else "1")
    result = run(csv_bytes(people), partial=True)
    assert (result.created, result.invalid_rows) == (2, 1)
    assert error_codes(result) == [(3, "id_number", "id_number_check_digit")]
    assert set(Elder.objects.values_list("name", flat=True)) == {"陈玉珍", "杨淑华"}


def test_dry_run_writes_nothing(people):
    result = run(csv_bytes(people), dry_run=True)
    assert result.ok and not result.written
    assert not Elder.objects.exists()
    assert ImportLog.objects.get(kind="elders").dry_run


def test_cli_import_with_allow_under_60(people, tmp_path, capsys):
    people[0][0] = fake_id(years_ago(58), 66)
    path = tmp_path / "elders.csv"
    path.write_bytes(csv_bytes(people))
    assert main(["import", "elders", str(path)]) == 2
    assert "elder_under_60" in capsys.readouterr().out
    assert main(["import", "elders", str(path), "--allow-under-60"]) == 0
    assert Elder.objects.count() == 3
    assert main(["import", "org-units", str(path), "--allow-under-60"]) == 2  # an option of the elders file only


def test_exports_masked_by_default_unmasked_on_request(personas, people, tmp_path):
    run(csv_bytes(people))
    masked = tmp_path / "masked.csv"
    assert main(["export", "elders", str(masked), "--user", "wuhua"]) == 0
    text = masked.read_text(encoding="utf-8-sig")
    assert full_ids(text) == set() and "13811110001" not in text and "138****0001" in text
    full = tmp_path / "full.xlsx"
    assert main(["export", "elders", str(full), "--unmasked", "--user", "wuhua"]) == 0
    sheet = openpyxl.load_workbook(full, read_only=True).worksheets[0]
    rows = [[str(v) if v is not None else "" for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert {r[0] for r in rows[1:]} == {p[0] for p in people}
    event = SecurityEvent.objects.filter(kind="export").latest("id")
    assert (event.username, event.detail["unmasked"], event.detail["rows"]) == ("wuhua", True, 3)
    # The unmasked file is a round trip: importing it back changes nothing.
    again = run_import(ElderImporter(None), full.open("rb"), "full.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3), again.as_dict()


def test_export_follows_the_area_and_status(personas, registry, tmp_path):
    from chuncheng.elders.exports import export_elders

    services.record_death(registry.wuhua_old, queries.today(), actor=personas.wuhua)
    out = tmp_path / "out.csv"
    assert export_elders(out, actor=personas.wuhua) == 1
    assert export_elders(out, actor=personas.city) == 2
    assert export_elders(out, actor=personas.city, org="530111") == 1
    assert export_elders(out) == 2


def test_error_reports_never_echo_a_full_id_number_or_phone(people):
    bad_digit = people[0][0][:17] + ("0" if people[0][0][17] != "0" else "1")
    people[0][0] = bad_digit
    people.append([people[1][0], "重复", people[1][2], "", "", "", "", "", "", ""])
    people[2][6] = "1381234567"  # one digit short
    report = json.dumps(run(csv_bytes(people)).as_dict(), ensure_ascii=False)
    assert bad_digit not in report and people[1][0] not in report and "1381234567" not in report
    assert bad_digit[:6] + "********" + bad_digit[-4:] in report
