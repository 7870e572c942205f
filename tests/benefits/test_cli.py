"""``chuncheng benefits quote PROGRAMME --input FILE.json [--date]`` and ``load-policy`` (in-process)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from chuncheng.benefits.models import PolicyVersion
from chuncheng.cli import main
from tests.benefits.helpers import b1_facts

pytestmark = pytest.mark.django_db


def run(capsys, tmp_path, programme, facts, *extra) -> tuple[int, dict]:
    path = tmp_path / "facts.json"
    path.write_text(facts if isinstance(facts, str) else json.dumps(facts), encoding="utf-8")
    code = main(["benefits", "quote", programme, "--input", str(path), *extra])
    return code, json.loads(capsys.readouterr().out)


def test_quote_b1_prints_the_full_result(policy, capsys, tmp_path):
    facts = b1_facts(property="leased", lease_years=5, approved_beds=40, nursing_type=True, nursing_occupancy=60)
    code, out = run(capsys, tmp_path, "B1_bed_construction", facts, "--date", "2024-06-30")
    assert code == 0
    assert out["eligible"] is True
    assert out["amount"] == "240000.00"
    assert [line["item"] for line in out["breakdown"]] == ["per_bed", "nursing_supplement"]
    assert out["policy_version"]["label"] == "2019"
    assert out["fund_shares"] == {"province": "120000.00", "city": "60000.00", "county": "60000.00"}
    assert sum(Decimal(v) for v in out["fund_shares"].values()) == Decimal(out["amount"])
    assert {r["condition"] for r in out["reasons"]} >= {"occupancy", "approved_beds", "lease_years", "not_sanctioned"}


def test_quote_b2_under_the_version_in_force(policy, capsys, tmp_path):
    old = {"kind": "private_forprofit", "approved_beds": 10, "months_in_use": 12, "residents": 5}
    code, out = run(capsys, tmp_path, "B2_operating", old, "--date", "2021-06-01")
    assert (code, out["policy_version"]["label"], out["amount"]) == (0, "2018", "6000.00")
    new = {"kind": "private_forprofit", "residents_by_level": {"severe": 2}, "months": 1}
    code, out = run(capsys, tmp_path, "B2_operating", new, "--date", "2023-01-01")
    assert (code, out["policy_version"]["label"], out["amount"]) == (0, "2022", "300.00")


@pytest.mark.parametrize(
    ("programme", "facts", "extra", "code"),
    [
        ("B9_unknown", b1_facts(), [], "programme_unknown"),
        ("B1_bed_construction", b1_facts(), ["--date", "2018-06-01"], "policy_not_in_force"),
        ("B1_bed_construction", {"kind": "private_nonprofit"}, [], "input_missing_key"),
        ("B1_bed_construction", b1_facts(approved_beds=-5), [], "input_negative"),
        ("B1_bed_construction", b1_facts(occupancy="lots"), [], "input_invalid"),
        ("B1_bed_construction", "{broken", [], "input_invalid"),
        ("B1_bed_construction", b1_facts(), ["--date", "2024-13-01"], "input_invalid"),
        ("B5_centre_operation", {"centre_type": "city", "grade": "优", "county": "530102"}, [], "policy_not_in_force"),
    ],
)
def test_bad_input_exits_2_with_code_and_chinese_message(policy, capsys, tmp_path, programme, facts, extra, code):
    versions = PolicyVersion.objects.count()
    status, out = run(capsys, tmp_path, programme, facts, *extra)
    assert status == 2
    assert out["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out["message"])
    assert PolicyVersion.objects.count() == versions


def test_load_policy_command_is_idempotent(db, capsys):
    assert main(["benefits", "load-policy"]) == 0
    count = PolicyVersion.objects.count()
    assert main(["benefits", "load-policy"]) == 0
    assert PolicyVersion.objects.count() == count
