"""``chuncheng assessment score FILE.json``: scores and level as JSON; bad files are refused with a code."""

from __future__ import annotations

import json

from chuncheng.cli import main
from tests.assessment.helpers import answers_totalling


def _run(capsys, tmp_path, content) -> tuple[int, dict]:
    path = tmp_path / "answers.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    code = main(["assessment", "score", str(path)])
    return code, json.loads(capsys.readouterr().out)


def test_score_prints_sub_scores_total_and_levels(capsys, tmp_path):
    code, out = _run(capsys, tmp_path, answers_totalling(66, risk_events_30d=2))
    assert code == 0
    assert out["total"] == 66
    assert sum(out["dimension_scores"].values()) == 66
    assert out["preliminary_level"] == "mild"
    assert out["adjustments"] == ["care_risk_events"]
    assert out["final_level"] == "moderate"


def test_missing_indicator_is_refused(capsys, tmp_path):
    answers = answers_totalling(80)
    del answers["B.4.5"]
    code, out = _run(capsys, tmp_path, answers)
    assert code == 2
    assert out["code"] == "answer_missing"
    assert out["keys"] == ["B.4.5"]


def test_unknown_option_and_bad_json_are_refused(capsys, tmp_path):
    code, out = _run(capsys, tmp_path, answers_totalling(80) | {"B.4.1": 3})
    assert (code, out["code"]) == (2, "option_unknown")
    code, out = _run(capsys, tmp_path, "{not json")
    assert (code, out["code"]) == (2, "json_invalid")
    code = main(["assessment", "score", str(tmp_path / "absent.json")])
    assert code == 2
    assert json.loads(capsys.readouterr().out)["code"] == "file_missing"
