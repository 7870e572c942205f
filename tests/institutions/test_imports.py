"""The four exchange files of the registry: every error code, all-or-nothing, partial, round trips, XLSX, CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from chuncheng.core.imports import run_import
from chuncheng.core.models import AuditEntry
from chuncheng.core.registry import exporter_for, importer_for
from chuncheng.core.validators import uscc_check_char
from chuncheng.institutions import services
from chuncheng.institutions.models import Admission, Facility, Institution, Staff
from tests.conftest import make_institution
from tests.institutions.conftest import days_ago, fake_id, make_elder, village_of

pytestmark = pytest.mark.django_db


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def run(kind: str, content: bytes, actor=None, name: str = "file.csv", **kwargs):
    return run_import(importer_for(kind, actor), io.BytesIO(content), name, **kwargs)


def errors_of(result) -> set[tuple[int, str, str]]:
    return {(e.row, e.column, e.code) for e in result.errors}


def round_trip(kind: str, tmp_path: Path, actor=None):
    """Export unmasked (as the command line does), import the file back: nothing may change."""
    path = tmp_path / f"{kind}.csv"
    exported = exporter_for(kind)(path, unmasked=True, actor=actor)
    result = run(kind, path.read_bytes(), actor, name=path.name)
    assert result.ok, result.as_dict()
    assert (result.created, result.updated, result.unchanged) == (0, 0, exported)
    return exported


# ---- institutions ----------------------------------------------------------------------------------------------

CN_HEADER = [
    "机构编码",
    "机构名称",
    "统一社会信用代码",
    "所在区划代码",
    "机构类型",
    "政府运营",
    "房屋产权",
    "租期（年）",
    "核定床位数",
    "护理型床位数",
    "兜底床位数",
    "普惠床位数",
    "护理型机构",
    "内设医疗机构",
    "签约医疗机构",
    "备案日期",
    "投入使用日期",
    "地址",
    "电话",
    "纬度",
    "经度",
]


def institution_row(code17: str, name: str, org: str = "530102001", **over) -> list:
    row = {
        "机构编码": "",
        "机构名称": name,
        "统一社会信用代码": uscc(code17),
        "所在区划代码": org,
        "机构类型": "民办非营利",
        "政府运营": "",
        "房屋产权": "自有",
        "租期（年）": "",
        "核定床位数": "100",
        "护理型床位数": "60",
        "兜底床位数": "20",
        "普惠床位数": "50",
        "护理型机构": "是",
        "内设医疗机构": "否",
        "签约医疗机构": "1",
        "备案日期": "2021-03-04",
        "投入使用日期": "",
        "地址": "华山南路1号",
        "电话": "0871-65123456",
        "纬度": "25.04",
        "经度": "102.71",
    }
    row.update(over)
    return [row[h] for h in CN_HEADER]


def test_institutions_import_with_chinese_headers_and_labels(personas):
    content = csv_bytes(
        CN_HEADER,
        [
            institution_row("52530102000000001", "导入颐养院"),
            institution_row(
                "52530102000000002", "导入敬老院", 机构类型="农村敬老院", 房屋产权="租赁", **{"租期（年）": "10"}
            ),
        ],
    )
    result = run("institutions", content, personas.wuhua)
    assert result.ok, result.as_dict()
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    leased = Institution.objects.get(name="导入敬老院")
    assert (leased.kind, leased.property, leased.lease_years, leased.government_operated) == (
        "rural_tekun",
        "leased",
        10,
        True,
    )
    first = Institution.objects.get(name="导入颐养院")
    assert (first.is_nursing_type, first.internal_medical, first.medical_agreement, first.government_operated) == (
        True,
        False,
        True,
        False,
    )
    assert AuditEntry.objects.filter(model="institutions.institution", object_id="*").get().count == 2
    again = run("institutions", content, personas.wuhua)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_institutions_import_reports_every_code_and_writes_nothing(personas):
    bad_check = "52530102000000003"
    wrong = uscc(bad_check)[:-1] + ("1" if uscc(bad_check)[-1] != "1" else "2")
    rows = [
        institution_row("52530102000000001", "好"),  # row 2: valid
        institution_row("52530102000000003", "坏校验", 统一社会信用代码=wrong),  # 3
        institution_row("52530102000000004", "无此区划", 所在区划代码="530102999"),  # 4
        institution_row("52530102000000005", "越界", 所在区划代码="530111001"),  # 5
        institution_row("52530102000000006", "区县级", 所在区划代码="530102"),  # 6
        institution_row("52530102000000007", "护理超标", 护理型床位数="101"),  # 7: nursing beds above approved
        institution_row("52530102000000008", "兜底普惠超标", 兜底床位数="60"),  # 8
        institution_row("52530102000000009", "租赁无租期", 房屋产权="租赁"),  # 9
        institution_row("52530102000000001", "重复"),  # 10
        institution_row("52530102000000010", "坏电话", 电话="12345"),  # 11
        institution_row("52530102000000011", "越界更新", 统一社会信用代码=personas.guandu_home.uscc),  # 12
    ]
    before = Institution.objects.count()
    result = run("institutions", csv_bytes(CN_HEADER, rows), personas.wuhua)
    assert errors_of(result) == {
        (3, "uscc", "uscc_check_char"),
        (4, "org_unit_code", "unknown_org_unit"),
        (5, "org_unit_code", "org_out_of_scope"),
        (6, "org_unit_code", "org_level"),
        (7, "nursing_beds", "institution_nursing_le_approved"),
        (8, "puhui_beds", "institution_safety_net_puhui_le_approved"),
        (9, "lease_years", "institution_lease_years_if_leased"),
        (10, "uscc", "duplicate_in_file"),
        (11, "phone", "phone_format"),
        (12, "uscc", "org_out_of_scope"),
    }
    assert all(e.message for e in result.errors)
    assert not result.written and Institution.objects.count() == before
    partial = run("institutions", csv_bytes(CN_HEADER, rows), personas.wuhua, partial=True)
    assert (partial.created, partial.written) == (1, True)
    assert Institution.objects.filter(name="好").exists()


def test_institutions_update_keeps_absent_columns(personas):
    header = ["uscc", "name", "org_unit_code", "kind", "approved_beds", "nursing_beds"]
    home = personas.wuhua_home
    services.update_institution(home, {"phone": "13800001111", "puhui_beds": 30}, actor=personas.wuhua)
    result = run(
        "institutions",
        csv_bytes(header, [[home.uscc, "华山颐养院（新）", "530102001", "private_nonprofit", 100, 50]]),
        personas.wuhua,
    )
    assert (result.created, result.updated) == (0, 1), result.as_dict()
    home.refresh_from_db()
    assert (home.name, home.phone, home.puhui_beds) == ("华山颐养院（新）", "13800001111", 30)
    # Lowering the approved beds under the beds already reserved is caught against the stored figures.
    result = run(
        "institutions",
        csv_bytes(header, [[home.uscc, "华山", "530102001", "private_nonprofit", 20, 10]]),
        personas.wuhua,
    )
    assert errors_of(result) == {(2, "puhui_beds", "institution_safety_net_puhui_le_approved")}


def test_institutions_round_trip(personas, tmp_path):
    services.update_institution(
        personas.wuhua_home,
        {
            "phone": "0871-65123456",
            "lat": "25.040000",
            "property": "leased",
            "lease_years": 8,
            "filed_on": date(2020, 1, 2),
        },
        actor=personas.city,
    )
    # A formula-like address is exported behind an apostrophe (formula guard) and still comes back unchanged.
    make_institution("530102002", "护国养老院", address="=HYPERLINK(1)", government_operated=True)
    assert round_trip("institutions", tmp_path) == 3
    assert round_trip("institutions", tmp_path, personas.wuhua) == 2


def test_institutions_xlsx_import(personas):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CN_HEADER)
    row = institution_row("52530102000000021", "表格颐养院")
    row[CN_HEADER.index("核定床位数")] = 80  # numbers and dates as Excel stores them
    row[CN_HEADER.index("护理型床位数")] = 40
    row[CN_HEADER.index("备案日期")] = date(2022, 5, 6)
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run("institutions", buffer.getvalue(), personas.wuhua, name="机构.xlsx")
    assert result.ok, result.as_dict()
    created = Institution.objects.get(name="表格颐养院")
    assert (created.approved_beds, created.nursing_beds, created.filed_on) == (80, 40, date(2022, 5, 6))


def test_institutions_import_needs_the_permission(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run("institutions", csv_bytes(CN_HEADER, [institution_row("52530102000000001", "x")]), personas.operator)


def test_cli_import_and_export(personas, tmp_path, capsys):
    from chuncheng import cli

    path = tmp_path / "institutions.csv"
    path.write_bytes(csv_bytes(CN_HEADER, [institution_row("52530102000000031", "命令行颐养院")]))
    assert cli.main(["import", "institutions", str(path), "--user", "wuhua"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(CN_HEADER, [institution_row("52530102000000032", "坏", 护理型床位数="101")]))
    assert cli.main(["import", "institutions", str(bad)]) == 2
    assert json.loads(capsys.readouterr().out)["errors"][0]["code"] == "institution_nursing_le_approved"
    out = tmp_path / "out.xlsx"
    assert cli.main(["export", "facilities", str(out), "--org", "530102"]) == 0


# ---- facilities ------------------------------------------------------------------------------------------------

FACILITY_CN = [
    "设施编码",
    "名称",
    "类型",
    "所在区划代码",
    "运营方式",
    "建筑面积",
    "床位",
    "投入使用日期",
    "纬度",
    "经度",
]


def test_facilities_import(personas, tmp_path):
    rows = [
        [
            "SS-1",
            "华山街道综合养老服务中心",
            "街道综合养老服务中心",
            "530102001",
            "公建民营",
            "1200.5",
            "30",
            "2019-01-01",
            "",
            "",
        ],
        ["SS-2", "幸福院", "农村幸福院", "530102001", "", "", "", "", "", ""],
        ["SS-3", "食堂", "canteen", "530102001", "private", "", "", "", "", ""],
    ]
    result = run("facilities", csv_bytes(FACILITY_CN, rows), personas.wuhua)
    assert result.ok and result.created == 3, result.as_dict()
    centre = Facility.objects.get(code="SS-1")
    assert (centre.kind, centre.operator, str(centre.area_m2), centre.beds) == (
        "street_center",
        "public_private_operated",
        "1200.50",
        30,
    )
    assert Facility.objects.get(code="SS-2").kind == "mutual_aid_station"
    english = ["code", "name", "kind", "org_unit_code", "opened_on", "lat", "lng"]
    result = run(
        "facilities",
        csv_bytes(english, [["SS-3", "助餐食堂", "canteen", "530102001", "2020-02-02", "25.1", "102.7"]]),
        personas.wuhua,
    )
    assert (result.created, result.updated) == (0, 1)
    assert round_trip("facilities", tmp_path) == 3


def test_facilities_import_errors(personas):
    from tests.institutions.conftest import make_facility

    make_facility("SS-GD", "关上食堂", "530111001")
    rows = [
        ["SS-1", "一", "day_care", "530102001", "", "", "", "", "", ""],
        ["SS-2", "二", "day_care", "539999001", "", "", "", "", "", ""],
        ["SS-3", "三", "day_care", "530111001", "", "", "", "", "", ""],
        ["SS-1", "四", "day_care", "530102001", "", "", "", "", "", ""],
        ["SS-GD", "五", "canteen", "530102001", "", "", "", "", "", ""],
        ["SS-6", "六", "gym", "530102001", "", "-1", "", "", "95", ""],
    ]
    result = run("facilities", csv_bytes(FACILITY_CN, rows), personas.wuhua)
    assert errors_of(result) == {
        (3, "org_unit_code", "unknown_org_unit"),
        (4, "org_unit_code", "org_out_of_scope"),
        (5, "code", "duplicate_in_file"),
        (6, "code", "org_out_of_scope"),
        (7, "kind", "choice"),
        (7, "area_m2", "negative"),
        (7, "lat", "coordinate_range"),
    }
    assert not Facility.objects.filter(code="SS-1").exists()


# ---- residents -------------------------------------------------------------------------------------------------

RESIDENT_CN = ["机构信用代码", "身份证号", "床位类型", "入住日期", "退住日期"]


def test_residents_import_and_round_trip(world, personas, tmp_path):
    home = personas.wuhua_home
    rows = [
        [home.uscc, world.wuhua_elder2.id_number, "护理型", "2024-01-01", "2024-06-30"],
        [home.uscc, world.wuhua_elder2.id_number, "general", "2024-07-01", ""],
    ]
    result = run("residents", csv_bytes(RESIDENT_CN, rows), personas.operator)
    assert result.ok and result.created == 2, result.as_dict()
    stays = list(
        Admission.objects.filter(elder=world.wuhua_elder2)
        .order_by("admitted_on")
        .values_list("bed_kind", "discharged_on")
    )
    assert stays == [("nursing", date(2024, 6, 30)), ("general", None)]
    # Discharging by re-import: the same stay with its end date.
    rows[1][4] = days_ago(1).isoformat()
    again = run("residents", csv_bytes(RESIDENT_CN, rows), personas.operator)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert round_trip("residents", tmp_path) == 4
    assert round_trip("residents", tmp_path, personas.operator) == 3


def test_residents_import_codes(world, personas):
    home, other = personas.wuhua_home, personas.guandu_home
    small = make_institution("530102002", "小康养老院", approved_beds=1, nursing_beds=1)
    village = village_of("530102001")
    e1, e2, e3 = (make_elder(f"导入{n}", village, seq=70 + n) for n in range(3))
    dead = make_elder("已故", village, seq=74, status="deceased", died_on=date(2024, 1, 1))
    unknown = fake_id(date(1944, 4, 4), 99)
    rows = [
        [home.uscc, e1.id_number, "", "2024-01-01", ""],  # 2 valid
        [uscc("52530102000000099"), e2.id_number, "", "2024-01-01", ""],  # 3 unknown institution
        [home.uscc, unknown, "", "2024-01-01", ""],  # 4 unknown elder
        [home.uscc, e2.id_number, "", "2024-03-01", "2024-02-01"],  # 5 discharge before admission
        [home.uscc, world.wuhua_elder.id_number, "", "2024-05-01", ""],  # 6 already open in the database
        [home.uscc, e1.id_number, "", "2023-01-01", ""],  # 7 a second open stay inside the file
        [small.uscc, e2.id_number, "", "2024-01-01", ""],  # 8 takes the only bed
        [small.uscc, e3.id_number, "", "2024-01-01", ""],  # 9 beds full
        [home.uscc, e1.id_number, "", "2024-01-01", ""],  # 10 duplicate of row 2
        [home.uscc, dead.id_number, "", "2023-01-01", ""],  # 11 deceased
        [home.uscc, e3.id_number, "", "1930-01-01", ""],  # 12 before birth
    ]
    before = Admission.objects.count()
    result = run("residents", csv_bytes(RESIDENT_CN, rows), personas.city)
    assert errors_of(result) == {
        (3, "institution_uscc", "unknown_institution"),
        (4, "id_number", "unknown_elder"),
        (5, "discharged_on", "admission_discharge_before_admission"),
        (6, "discharged_on", "admission_one_open_stay"),
        (7, "discharged_on", "admission_one_open_stay"),
        (9, "institution_uscc", "admission_beds_full"),
        (10, "admitted_on", "duplicate_in_file"),
        (11, "id_number", "elder_not_active"),
        (12, "admitted_on", "admission_before_birth"),
    }
    assert unknown not in json.dumps(result.as_dict(), ensure_ascii=False)  # reports show masked ID numbers
    assert Admission.objects.count() == before
    operator = run(
        "residents", csv_bytes(RESIDENT_CN, [[other.uscc, e1.id_number, "", "2024-01-01", ""]]), personas.operator
    )
    assert errors_of(operator) == {(2, "institution_uscc", "org_out_of_scope")}


def test_residents_import_closes_one_stay_and_opens_the_next(world, personas):
    """The file ends the elder's open stay and opens one elsewhere: valid as a whole (written in that order)."""
    stay = world.wuhua_stay
    rows = [
        [
            personas.wuhua_home.uscc,
            world.wuhua_elder.id_number,
            "nursing",
            stay.admitted_on.isoformat(),
            days_ago(3).isoformat(),
        ],
        [personas.guandu_home.uscc, world.wuhua_elder.id_number, "general", days_ago(3).isoformat(), ""],
    ]
    result = run("residents", csv_bytes(RESIDENT_CN, rows), personas.city)
    assert result.ok and (result.created, result.updated) == (1, 1), result.as_dict()
    assert Admission.objects.open().get(elder=world.wuhua_elder).institution == personas.guandu_home


def test_residents_bed_count_spares_stays_already_open(world, personas):
    home = personas.wuhua_home
    services.update_institution(
        home, {"approved_beds": 1, "nursing_beds": 1, "safety_net_beds": 0, "puhui_beds": 0}, actor=personas.city
    )
    # The one bed is taken by 王秀英; re-stating her stay is fine, a newcomer is not.
    rows = [
        [home.uscc, world.wuhua_elder.id_number, "nursing", world.wuhua_stay.admitted_on.isoformat(), ""],
        [home.uscc, world.wuhua_elder2.id_number, "general", "2024-01-01", ""],
    ]
    result = run("residents", csv_bytes(RESIDENT_CN, rows), personas.city)
    assert errors_of(result) == {(3, "institution_uscc", "admission_beds_full")}


# ---- staff -----------------------------------------------------------------------------------------------------

STAFF_CN = [
    "机构信用代码或设施编码",
    "身份证号",
    "姓名",
    "岗位",
    "职业技能等级",
    "证书编号",
    "已参加护理培训",
    "劳动合同开始日期",
    "劳动合同结束日期",
    "缴纳社保",
    "入职日期",
    "离职日期",
]


def test_staff_import_and_round_trip(world, personas, tmp_path):
    new_id = fake_id(date(1988, 8, 8), 41)
    rows = [
        [
            personas.wuhua_home.uscc,
            new_id,
            "孙护理",
            "养老护理员",
            "中级",
            "YL001",
            "是",
            "2023-01-01",
            "2025-12-31",
            "1",
            "2023-01-01",
            "",
        ],
        [world.wuhua_facility.code, new_id, "孙护理", "护理员", "四级", "", "0", "", "", "否", "", ""],
    ]
    result = run("staff", csv_bytes(STAFF_CN, rows), personas.wuhua)
    assert result.ok and result.created == 2, result.as_dict()
    member = Staff.objects.get(institution=personas.wuhua_home, name="孙护理")
    assert (member.role, member.skill_grade, member.trained, member.social_insurance, member.contract_end) == (
        "caregiver",
        "intermediate",
        True,
        True,
        date(2025, 12, 31),
    )
    assert new_id not in member.id_number_enc and member.id_number_masked.endswith(new_id[-4:])
    assert Staff.objects.get(facility=world.wuhua_facility, name="孙护理").skill_grade == "intermediate"
    english = ["employer_code", "id_number", "name", "role", "contract_start", "contract_end"]
    result = run(
        "staff",
        csv_bytes(english, [[personas.wuhua_home.uscc, new_id, "孙护理员", "caregiver", "2023-01-01", "2026-12-31"]]),
        personas.wuhua,
    )
    assert (result.created, result.updated) == (0, 1), result.as_dict()
    assert round_trip("staff", tmp_path) == 5
    assert round_trip("staff", tmp_path, personas.operator) == 2


def test_staff_import_codes(world, personas):
    new_id = fake_id(date(1988, 8, 8), 42)
    wrong = new_id[:-1] + ("1" if new_id[-1] != "1" else "2")
    home = personas.wuhua_home.uscc
    blank = ["", "", "", "", "", "", ""]
    rows = [
        [home, new_id, "甲", "caregiver", *blank, ""],  # 2 valid
        ["NO-SUCH", new_id, "乙", "caregiver", *blank, ""],  # 3
        [home, wrong, "丙", "caregiver", *blank, ""],  # 4
        [
            home,
            fake_id(date(1988, 8, 8), 43),
            "丁",
            "caregiver",
            "",
            "",
            "",
            "",
            "",
            "",
            "2024-02-01",
            "2024-01-01",
        ],  # 5
        [home, new_id, "戊", "caregiver", *blank, ""],  # 6 duplicate of row 2
        [personas.guandu_home.uscc, new_id, "己", "caregiver", *blank, ""],  # 7 outside the area
        [home, fake_id(date(1988, 8, 8), 44), "庚", "driver", *blank, ""],  # 8
    ]
    result = run("staff", csv_bytes(STAFF_CN, rows), personas.wuhua)
    assert errors_of(result) == {
        (3, "employer_code", "unknown_employer"),
        (4, "id_number", "id_number_check_digit"),
        (5, "left_on", "staff_leave_before_hire"),
        (6, "id_number", "duplicate_in_file"),
        (7, "employer_code", "org_out_of_scope"),
        (8, "role", "choice"),
    }
    duplicate = next(e for e in result.errors if e.code == "duplicate_in_file")
    assert new_id not in duplicate.value
    assert Staff.objects.count() == 3
    operator = run(
        "staff",
        csv_bytes(STAFF_CN, [[world.wuhua_facility.code, new_id, "甲", "caregiver", *blank, ""]]),
        personas.operator,
    )
    assert errors_of(operator) == {(2, "employer_code", "org_out_of_scope")}


def test_every_kind_is_registered():
    from chuncheng.core.registry import EXPORTERS, IMPORTERS

    assert {"institutions", "facilities", "residents", "staff"} <= IMPORTERS.keys()
    assert {"institutions", "facilities", "residents", "staff"} <= EXPORTERS.keys()


def test_residents_nursing_beds_are_counted_apart(world, personas):
    home = make_institution("530102002", "护理床少养老院", approved_beds=5, nursing_beds=1)
    village = village_of("530102002")
    e1, e2 = (make_elder(f"护理{n}", village, seq=75 + n) for n in range(2))
    rows = [
        [home.uscc, e1.id_number, "nursing", "2024-01-01", ""],
        [home.uscc, e2.id_number, "nursing", "2024-01-01", ""],
    ]
    result = run("residents", csv_bytes(RESIDENT_CN, rows), personas.wuhua)
    assert errors_of(result) == {(3, "bed_kind", "admission_nursing_beds_full")}
    rows[1][2] = "普通"
    result = run("residents", csv_bytes(RESIDENT_CN, rows), personas.wuhua)
    assert result.ok and result.created == 2, result.as_dict()
