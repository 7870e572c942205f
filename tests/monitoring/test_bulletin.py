"""The bulletin (item 8) on hand-built snapshots of 2026-09-30 and 2026-10-31: ranking order (equal values share a
rank), changes since the period before, attained / not attained counts against target set S, worked out by hand in
the comments; the XLSX read back with openpyxl; the print page; scope (a county official gets their county's bulletin
with its townships, never another county's or the city's)."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from chuncheng.cli import main
from chuncheng.core.models import OrgUnit
from chuncheng.monitoring import bulletin
from chuncheng.monitoring.models import IndicatorSnapshot

pytestmark = pytest.mark.django_db
NOW, BEFORE = date(2026, 10, 31), date(2026, 9, 30)
TODAY = date(2026, 11, 23)

# (indicator, org code): (value on 2026-10-31, value on 2026-09-30); None = a snapshot row without a value.
FIGURES = {
    # nursing-bed share, higher is better, S ≥60 (its 2025-12-31 target date has passed: compared directly).
    ("nursing_bed_share", "530100"): (50, 45),
    ("nursing_bed_share", "530102"): (62, 58),  # 五华区
    ("nursing_bed_share", "530103"): (48, 50),  # 盘龙区
    ("nursing_bed_share", "530111"): (62, 55),  # 官渡区
    ("nursing_bed_share", "530112"): (None, 40),  # 西山区: no value now
    # government-operated bed share, lower is better, no target in S (only O).
    ("government_operated_bed_share", "530102"): (30, 35),
    ("government_operated_bed_share", "530103"): (20, 25),
    ("government_operated_bed_share", "530111"): (20, None),
    # caregivers trained: a city-only target (S ≥12,000), not applicable to counties.
    ("caregivers_trained", "530100"): (13000, None),
    ("caregivers_trained", "530102"): (500, None),
    ("caregivers_trained", "530103"): (800, None),
    # a reported indicator (approved values enter the snapshot like computed ones), S ≥95.
    ("basic_pension_coverage", "530100"): (96, 94),
    ("basic_pension_coverage", "530102"): (94, None),
    # 五华区's townships, for the county's bulletin.
    ("nursing_bed_share", "530102001"): (70, 60),
    ("nursing_bed_share", "530102002"): (55, 58),
}


@pytest.fixture
def snapshots(org_tree, catalogue):
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={code for _k, code in FIGURES})}
    rows = []
    for (key, code), (now, before) in FIGURES.items():
        for day, value in ((NOW, now), (BEFORE, before)):
            rows.append(
                IndicatorSnapshot(
                    indicator=key,
                    org_unit=units[code],
                    date=day,
                    value=None if value is None else Decimal(value),
                    status="ok" if value is not None else "no_denominator",
                )
            )
    # An earlier snapshot inside October: the bulletin takes the latest date of the period.
    rows.append(
        IndicatorSnapshot(
            indicator="nursing_bed_share", org_unit=units["530102"], date=date(2026, 10, 15), value=1, status="ok"
        )
    )
    IndicatorSnapshot.objects.bulk_create(rows)


def city_bulletin(period="2026-10", set_code=None):
    return bulletin.build(OrgUnit.objects.get(code="530100"), period, set_code, today=TODAY)


def test_city_bulletin_ranks_counties_and_counts_attainment(snapshots):
    b = city_bulletin()
    assert (b.as_of, b.previous_as_of, b.target_set.code) == (NOW, BEFORE, "S")
    assert b.title == "昆明市养老服务监测指标通报（2026年10月）"
    blocks = {blk.indicator.key: blk for blk in b.blocks}
    assert set(blocks) == {
        "nursing_bed_share",
        "government_operated_bed_share",
        "caregivers_trained",
        "basic_pension_coverage",
    }
    assert len(b.no_data) == len(list(bulletin.queries.indicators(NOW))) - 4

    nursing = blocks["nursing_bed_share"]
    # 五华 62 and 官渡 62 share rank 1, 盘龙 48 is 3rd; 西山 (no value) and the ten counties without a snapshot last.
    top = [(f.rank, f.unit.code, f.value, f.previous, f.change, f.previous_rank, f.status) for f in nursing.ranking[:4]]
    assert top == [
        (1, "530102", 62, 58, 4, 1, "attained"),
        (1, "530111", 62, 55, 7, 2, "attained"),
        (3, "530103", 48, 50, -2, 3, "off_track"),
        (None, "530112", None, 40, None, 4, "no_value"),
    ]
    assert len(nursing.ranking) == 14 and all(f.rank is None for f in nursing.ranking[3:])
    assert nursing.ranking[1].rank_change == 1 and nursing.ranking[1].change_text == "+7.00"
    assert (nursing.own.value, nursing.own.change, nursing.own.status) == (50, 5, "off_track")  # 50 < 60
    # Lower is better: 盘龙 20 and 官渡 20 share rank 1, 五华 30 is 3rd; no target in S → no attainment.
    gov = blocks["government_operated_bed_share"]
    assert [(f.rank, f.unit.code, f.status) for f in gov.ranking[:3]] == [
        (1, "530103", ""),
        (1, "530111", ""),
        (3, "530102", ""),
    ]
    assert gov.trend(gov.ranking[2]) == 1  # 五华 35 → 30 is better when lower is better
    # The city-only target applies to the city (13,000 ≥ 12,000) and not to counties.
    caregivers = blocks["caregivers_trained"]
    assert caregivers.own.status == "attained"
    assert (caregivers.decimals, nursing.decimals, nursing.own.change_text) == (0, 2, "+5.00")
    assert {f.status for f in caregivers.ranking} == {"not_applicable"}

    # The city over S: nursing off track (1 not attained); pension 96 ≥95 and caregivers attained (2);
    # better than September: nursing +5, pension +2.
    own = b.own
    assert (own.attained, own.not_attained, own.no_value, own.improved, own.worsened) == (2, 1, 0, 2, 0)
    # Counties: 五华 nursing attained, pension 94 <95 not attained; better: nursing +4, government share -5.
    #           官渡 nursing attained, no pension value; better: nursing +7.
    #           盘龙 nursing off track, no pension value; better: government share -5; worse: nursing -2.
    #           西山 and the other ten: no nursing or pension value.
    areas = {a.unit.code: a for a in b.areas}
    summary = {
        code: (a.rank, a.attained, a.not_attained, a.no_value, a.improved, a.worsened) for code, a in areas.items()
    }
    assert summary["530102"] == (1, 1, 1, 0, 2, 0)
    assert summary["530111"] == (1, 1, 0, 1, 1, 0)
    assert summary["530103"] == (3, 0, 1, 1, 1, 1)
    assert summary["530112"] == (3, 0, 0, 2, 0, 0)
    assert [a.unit.code for a in b.areas[:4]] == ["530102", "530111", "530103", "530112"]
    assert len(b.areas) == 14


def test_another_target_set_and_a_quarter(snapshots):
    # Against O (nursing ≥40, government share ≤50; the others have no O target): the city's 50 ≥40 attained.
    b = city_bulletin(set_code="O")
    assert (b.own.attained, b.own.not_attained) == (1, 0)
    gov = {blk.indicator.key: blk for blk in b.blocks}["government_operated_bed_share"]
    assert [f.status for f in gov.ranking[:3]] == ["attained"] * 3
    # The third quarter: its latest snapshot is 2026-09-30; nothing in the second quarter.
    q3 = city_bulletin("2026-Q3")
    assert (q3.as_of, q3.previous_as_of, q3.period.label_zh) == (BEFORE, None, "2026年第三季度")
    nursing = {blk.indicator.key: blk for blk in q3.blocks}["nursing_bed_share"]
    assert [(f.unit.code, f.rank, f.change) for f in nursing.ranking[:2]] == [("530102", 1, None), ("530111", 2, None)]


@pytest.mark.parametrize(
    ("period", "set_code", "code"),
    [
        ("2026-13", None, "monitoring_bad_period"),
        ("2026", None, "monitoring_bad_period"),  # a bulletin is monthly or quarterly
        ("2026-12", None, "monitoring_future_period"),
        ("2026-10", "X", "monitoring_unknown_target_set"),
    ],
)
def test_refusals(snapshots, period, set_code, code):
    with pytest.raises(ValidationError) as exc:
        city_bulletin(period, set_code)
    assert bulletin.refusal_message(exc.value)[0] == code


def test_county_bulletin_ranks_its_townships(snapshots):
    b = bulletin.build(OrgUnit.objects.get(code="530102"), "2026-10", today=TODAY)
    assert b.title == "五华区养老服务监测指标通报（2026年10月）" and b.child_level_zh == "街道（乡镇）"
    nursing = {blk.indicator.key: blk for blk in b.blocks}["nursing_bed_share"]
    assert (nursing.own.value, nursing.own.previous, nursing.own.status) == (62, 58, "attained")
    assert [(f.unit.code, f.rank, f.change, f.status) for f in nursing.ranking[:2]] == [
        ("530102001", 1, 10, "attained"),
        ("530102002", 2, -3, "off_track"),
    ]
    assert len(nursing.ranking) == 11  # 五华区's 11 streets
    # The county itself: nursing attained; pension 94 not attained; caregivers' city-only target not applicable.
    assert (b.own.attained, b.own.not_attained, b.own.no_value) == (1, 1, 0)
    with pytest.raises(ValidationError) as exc:
        bulletin.build(OrgUnit.objects.get(code="530102001"), "2026-10", today=TODAY)
    assert bulletin.refusal_message(exc.value)[0] == "monitoring_bulletin_level"


def test_xlsx_reads_back(snapshots):
    buffer = io.BytesIO()
    bulletin.write_xlsx(city_bulletin(), buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert wb.sheetnames == ["概况", "各地达标排名", "分指标排名"]
    summary = wb["概况"]
    assert summary["A1"].value == "昆明市养老服务监测指标通报（2026年10月）"
    rows = [list(r) for r in summary.iter_rows(values_only=True)]
    assert rows[3][:4] == ["本期数据日期", "2026-10-31", "上期数据日期", "2026-09-30"]
    assert rows[4][:6] == ["已达标", 2, "未达标", 1, "无数值", 0]
    nursing = next(r for r in rows if r[0] == "养老机构护理型床位占比")
    assert nursing[2:7] == [50, 45, 5, "≥60%", "进度滞后"]
    caregivers = next(r for r in summary.iter_rows() if r[0].value == "培养养老护理员（累计）")
    assert (caregivers[2].value, caregivers[2].number_format, summary["C10"].number_format) == (13000, "0", "0.00")
    areas = [list(r) for r in wb["各地达标排名"].iter_rows(values_only=True)]
    assert areas[0] == ["名次", "县（市、区）", "区划代码", "已达标", "未达标", "无数值", "较上期改善", "较上期退步"]
    assert areas[1] == [1, "五华区", "530102", 1, 1, 0, 2, 0]
    assert areas[2] == [1, "官渡区", "530111", 1, 0, 1, 1, 0]
    assert len(areas) == 15
    ranking = [list(r) for r in wb["分指标排名"].iter_rows(values_only=True)]
    first = [r for r in ranking if r[0] == "养老机构护理型床位占比"][:3]
    assert [r[1:] for r in first] == [
        [1, 1, "五华区", "530102", 62, 58, 4, "已达标"],
        [1, 2, "官渡区", "530111", 62, 55, 7, "已达标"],
        [3, 3, "盘龙区", "530103", 48, 50, -2, "进度滞后"],
    ]


def test_pages_api_cli_and_scope(snapshots, personas, login, tmp_path, capsys):
    city = login(personas.city)
    page = city.get("/monitoring/bulletin/?period=2026-10")
    assert page.status_code == 200
    body = page.content.decode()
    assert "昆明市养老服务监测指标通报（2026年10月）" in body and 'data-testid="bulletin-areas"' in body
    assert 'data-testid="xlsx-link"' in body and 'href="/monitoring/bulletin/"' in body  # the menu entry
    printed = city.get("/monitoring/bulletin/print/?period=2026-10&org=530100").content.decode()
    assert "chuncheng/bulletin.css" in printed and "<nav" not in printed and "已达标 <strong>2</strong> 项" in printed
    xlsx = city.get("/monitoring/bulletin/xlsx/?period=2026-10&org=530102")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content))["概况"]["B2"].value == "五华区"
    refused = city.get("/monitoring/bulletin/?period=2026-13")
    assert refused.status_code == 422 and "monitoring_bad_period" in refused.content.decode()

    wuhua = login(personas.wuhua)
    own = wuhua.get("/monitoring/bulletin/?period=2026-10").content.decode()
    assert "五华区养老服务监测指标通报" in own and 'data-code="530102001"' in own
    for url in ("/monitoring/bulletin/", "/monitoring/bulletin/print/", "/monitoring/bulletin/xlsx/"):
        assert wuhua.get(f"{url}?org=530111&period=2026-10").status_code == 404  # 官渡区
        assert wuhua.get(f"{url}?org=530100&period=2026-10").status_code == 404  # the city
    for user in (personas.operator, personas.sysadmin, personas.community):
        assert login(user).get("/monitoring/bulletin/?period=2026-10").status_code == 404
    township = login(personas.huashan).get("/monitoring/bulletin/?period=2026-10")
    assert township.status_code == 422 and "monitoring_bulletin_level" in township.content.decode()

    data = city.get("/api/v1/monitoring/bulletin/?org=530100&period=2026-10").json()
    assert (data["summary"]["attained"], data["summary"]["not_attained"], data["as_of"]) == (2, 1, "2026-10-31")
    assert [a["code"] for a in data["areas"][:2]] == ["530102", "530111"]
    nursing = next(i for i in data["indicators"] if i["key"] == "nursing_bed_share")
    assert nursing["ranking"][0] == {
        "code": "530102",
        "name": "五华区",
        "value": 62.0,
        "previous": 58.0,
        "change": 4.0,
        "rank": 1,
        "previous_rank": 1,
        "attainment": "attained",
    }
    assert (
        city.get("/api/v1/monitoring/bulletin/?org=530100&period=2099-01").json()["code"] == "monitoring_future_period"
    )
    assert wuhua.get("/api/v1/monitoring/bulletin/?org=530111&period=2026-10").status_code == 404
    assert wuhua.get("/api/v1/monitoring/bulletin/xlsx/?org=530100&period=2026-10").status_code == 404
    api_xlsx = wuhua.get("/api/v1/monitoring/bulletin/xlsx/?period=2026-10")
    assert openpyxl.load_workbook(io.BytesIO(api_xlsx.content))["各地达标排名"]["B1"].value == "街道（乡镇）"

    out = tmp_path / "通报.xlsx"
    assert main(["indicators", "bulletin", "--org", "530100", "--period", "2026-10", "--xlsx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "昆明市养老服务监测指标通报（2026年10月）" in text and "已达标 2 项，未达标 1 项" in text
    assert openpyxl.load_workbook(out)["各地达标排名"]["B2"].value == "五华区"
    assert main(["indicators", "bulletin", "--org", "530100", "--period", "2026-10", "--json", "--user", "city"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["attained"] == 2
    assert main(["indicators", "bulletin", "--org", "530111", "--period", "2026-10", "--user", "wuhua"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "monitoring_unknown_org"
    assert main(["indicators", "bulletin", "--org", "530100", "--period", "2026", "--user", "city"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "monitoring_bad_period"


def test_bulletin_query_count_does_not_grow_with_areas(snapshots):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for code in ("530100", "530102"):  # 14 counties; 11 townships
        with CaptureQueriesContext(connection) as ctx:
            bulletin.build(OrgUnit.objects.get(code=code), "2026-10", today=TODAY)
        counts.append(len(ctx))
    assert counts == [11, 11]  # the unit, catalogue, set, children, two dates, values, indicators, targets, sets
