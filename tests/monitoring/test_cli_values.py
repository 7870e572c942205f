"""``chuncheng indicators --org CODE [--date] [--json]`` (issue 7 item 9) on the hand-built 五华区 of conftest."""

from __future__ import annotations

import json

import pytest

from chuncheng.cli import main
from tests.monitoring.conftest import DAY

pytestmark = pytest.mark.django_db


def test_every_indicator_of_an_area_as_json(wuhua, catalogue, capsys):
    assert main(["indicators", "--org", "530102", "--date", DAY.isoformat(), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["org"], doc["date"]) == ("530102", "2025-06-30")
    by_key = {v["key"]: v for v in doc["values"]}
    # 70 nursing of 150 approved beds (see test_compute.test_bed_indicators): 46.6667, printed in the unit (a share).
    nursing = by_key["nursing_bed_share"]
    assert (nursing["value"], nursing["numerator"], nursing["denominator"], nursing["unit"]) == (
        "46.6667",
        "70",
        "150",
        "percent",
    )
    assert set(nursing["targets"]) >= {"S"} and nursing["targets"]["S"]["attainment"]
    # Every catalogue indicator is listed, those without a source say so instead of a value.
    assert len(by_key) >= 50
    assert any(v["status"] == "no_data_source" and v["value"] == "" for v in by_key.values())


def test_the_table_and_the_refusals(wuhua, catalogue, capsys):
    assert main(["indicators", "--org", "530102", "--date", DAY.isoformat()]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("五华区 (530102) 2025-06-30")
    row = next(line.split("\t") for line in lines if line.startswith("nursing_bed_share\t"))
    assert row[1:5] == ["46.6667", "70", "150", "percent"]
    assert main(["indicators", "--org", "999999"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "not_found"
    assert main(["indicators", "--org", "530102", "--date", "2025-13-01"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "monitoring_bad_date"
