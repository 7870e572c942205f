"""The scoring function: the standard as data, each level boundary, each C.4 adjustment, bad input, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuncheng.assessment.scoring import ScoringError, level_index, load_standard, score, validate
from tests.assessment.helpers import answers_totalling, best_answers

STANDARD = load_standard()


def test_the_standard_has_26_items_in_4_dimensions_totalling_90():
    assert len(STANDARD.items) == 26
    maxima = {d["code"]: d["max"] for d in STANDARD.dimensions}
    assert maxima == {"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15}
    for dimension, top in maxima.items():
        items = [i for i in STANDARD.items if i["dimension"] == dimension]
        assert sum(max(o["points"] for o in i["options"]) for i in items) == top
    assert STANDARD.max_total == 90
    assert STANDARD.item("B.2.4")["name"] == "上下楼梯"
    assert [o["points"] for o in STANDARD.item("B.2.4")["options"]] == [3, 2, 1, 0]
    assert [o["points"] for o in STANDARD.item("B.3.9")["options"]] == [2, 1, 0]
    assert STANDARD.raw["sources"]  # the data file cites where it was read
    assert STANDARD.reassessment_months == 12


def test_level_bands_cover_0_to_90_without_gaps():
    covered = sorted(t for level in STANDARD.levels for t in range(level["min"], level["max"] + 1))
    assert covered == list(range(91))


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (90, "intact"),
        (89, "mild"),
        (66, "mild"),
        (65, "moderate"),
        (46, "moderate"),
        (45, "severe"),
        (30, "severe"),
        (29, "total"),
        (0, "total"),
    ],
)
def test_level_boundaries(total, level):
    result = score(answers_totalling(total))
    assert result.total == total
    assert result.preliminary_level == level
    assert result.final_level == level
    assert result.adjustments == []


def test_sub_scores_per_dimension():
    answers = best_answers()
    answers["B.1.1"] = 2
    answers["B.2.4"] = 0
    answers["B.3.7"] = 0
    answers["B.4.4"] = 1
    result = score(answers)
    assert result.dimension_scores == {"B.1": 30, "B.2": 12, "B.3": 27, "B.4": 13}
    assert result.total == 82


def test_coma_gives_total_disability_whatever_the_score():
    answers = best_answers()
    answers["B.3.9"] = 0
    answers["coma"] = True
    result = score(answers)
    assert result.total == 88
    assert result.preliminary_level == "mild"
    assert result.adjustments == ["coma"]
    assert result.final_level == "total"


def test_coma_needs_consciousness_scored_0():
    with pytest.raises(ScoringError) as exc:
        score(best_answers() | {"coma": True})
    assert exc.value.code == "coma_inconsistent"


@pytest.mark.parametrize("key", ["diagnosis_dementia", "diagnosis_psychiatric"])
def test_dementia_or_psychiatric_diagnosis_raises_one_level(key):
    result = score(answers_totalling(70, **{key: True}))
    assert (result.preliminary_level, result.final_level) == ("mild", "moderate")
    assert result.adjustments == ["dementia_or_psychiatric"]


def test_both_diagnoses_raise_only_one_level():
    result = score(answers_totalling(70, diagnosis_dementia=True, diagnosis_psychiatric=True))
    assert result.final_level == "moderate"


@pytest.mark.parametrize(("events", "level"), [(0, "mild"), (1, "mild"), (2, "moderate"), (5, "moderate")])
def test_two_or_more_risk_events_in_30_days_raise_one_level(events, level):
    result = score(answers_totalling(70, risk_events_30d=events))
    assert result.final_level == level
    assert result.adjustments == (["care_risk_events"] if events >= 2 else [])


def test_diagnosis_and_risk_events_add_up():
    result = score(answers_totalling(70, diagnosis_dementia=True, risk_events_30d=2))
    assert result.final_level == "severe"
    assert result.adjustments == ["dementia_or_psychiatric", "care_risk_events"]


def test_intact_with_a_diagnosis_becomes_mild():
    assert score(best_answers() | {"diagnosis_psychiatric": True}).final_level == "mild"


def test_adjustments_are_capped_at_total_disability():
    result = score(answers_totalling(35, diagnosis_dementia=True, risk_events_30d=3))
    assert (result.preliminary_level, result.final_level) == ("severe", "total")
    result = score(answers_totalling(10, diagnosis_dementia=True, risk_events_30d=3))
    assert result.final_level == "total"


def test_missing_answer_is_refused():
    answers = best_answers()
    del answers["B.2.3"]
    del answers["risk_events_30d"]
    with pytest.raises(ScoringError) as exc:
        score(answers)
    assert exc.value.code == "answer_missing"
    assert exc.value.keys == ["B.2.3", "risk_events_30d"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("B.2.4", 4), ("B.3.7", 2), ("B.1.1", -1), ("B.1.1", "4"), ("B.1.1", True), ("coma", 1), ("risk_events_30d", -1)],
)
def test_option_that_does_not_exist_is_refused(key, value):
    with pytest.raises(ScoringError) as exc:
        score(best_answers() | {key: value})
    assert exc.value.code == "option_unknown"
    assert exc.value.keys == [key]


def test_unknown_indicator_is_refused():
    with pytest.raises(ScoringError) as exc:
        score(best_answers() | {"B.5.1": 1})
    assert exc.value.code == "indicator_unknown"


def test_partial_answers_validate_without_scoring():
    assert validate({"B.1.1": 3}, partial=True) == {"B.1.1": 3}
    with pytest.raises(ScoringError):
        validate({"B.1.1": 9}, partial=True)


# ---- properties ------------------------------------------------------------------------------------------------


@st.composite
def answer_sets(draw):
    answers = {item["code"]: draw(st.sampled_from([o["points"] for o in item["options"]])) for item in STANDARD.items}
    coma = draw(st.booleans())
    if coma:
        answers["B.3.9"] = 0
    answers.update(
        coma=coma,
        diagnosis_dementia=draw(st.booleans()),
        diagnosis_psychiatric=draw(st.booleans()),
        risk_events_30d=draw(st.integers(min_value=0, max_value=5)),
    )
    return answers


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_total_never_exceeds_the_maximum(answers):
    result = score(answers)
    assert 0 <= result.total <= STANDARD.max_total
    maxima = {d["code"]: d["max"] for d in STANDARD.dimensions}
    assert all(0 <= result.dimension_scores[d] <= maxima[d] for d in maxima)
    assert sum(result.dimension_scores.values()) == result.total
    assert level_index(result.final_level) >= level_index(result.preliminary_level)


@settings(max_examples=300, deadline=None)
@given(answer_sets(), st.sampled_from(STANDARD.item_codes))
def test_a_better_answer_never_gives_a_worse_level(answers, code):
    options = sorted(o["points"] for o in STANDARD.item(code)["options"])
    better = [p for p in options if p > answers[code]]
    if not better or (code == "B.3.9" and answers["coma"]):
        return
    improved = answers | {code: better[0]}
    assert level_index(score(improved).final_level) <= level_index(score(answers).final_level)
