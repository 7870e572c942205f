"""The attainment rule (pure) at its boundaries; numbers worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import partial

import pytest

from chuncheng.monitoring import attainment as rules
from chuncheng.monitoring.attainment import AttainmentRule, load_rules, meets, rule_on

# The numbers of the policy file's first version, written out here so the tests below are worked by hand.
RULE = AttainmentRule("test", date(2021, 1, 1), Decimal("0.10"), Decimal(1), 365)
attainment = partial(rules.attainment, rule=RULE)


def project(points, as_of, value, deadline):
    return rules.project(points, as_of, value, deadline, RULE.window_days)


DEADLINE = date(2025, 12, 31)
AS_OF = date(2025, 1, 1)  # 364 days before the deadline


def test_meets_at_the_boundary():
    assert meets(Decimal(60), Decimal(60), "gte")
    assert not meets(Decimal(60), Decimal(60), "gt")
    assert meets(Decimal(50), Decimal(50), "lte")
    assert not meets(Decimal(50), Decimal(50), "lt")
    assert not meets(Decimal("59.9999"), Decimal(60), "gte")


def test_no_value_and_attained():
    assert attainment(None, Decimal(60), "gte", AS_OF, DEADLINE) == ("no_value", None)
    assert attainment(Decimal(60), Decimal(60), "gte", AS_OF, DEADLINE) == ("attained", None)
    assert attainment(Decimal(50), Decimal(50), "lte", AS_OF, DEADLINE) == ("attained", None)
    # 70.01 > 70 strictly is attained; exactly 70 is not.
    assert attainment(Decimal("70.01"), Decimal(70), "gt", AS_OF, DEADLINE)[0] == "attained"
    assert attainment(Decimal(70), Decimal(70), "gt", AS_OF, DEADLINE)[0] != "attained"


def test_linear_projection_on_track_exactly_at_the_target():
    # 364 days ago 40, today 50: +10 per 364 days → 60 on the deadline, exactly the ≥60 target: on track.
    history = [(date(2024, 1, 3), Decimal(40))]
    status, projected = attainment(Decimal(50), Decimal(60), "gte", AS_OF, DEADLINE, history)
    assert projected == Decimal(60)
    assert status == "on_track"


def test_at_risk_and_off_track_by_the_ten_percent_margin():
    # Slope +5 per 364 days → 55 on the deadline against 60: short by 5 ≤ 6 (10% of 60): at risk.
    history = [(date(2024, 1, 3), Decimal(45))]
    assert attainment(Decimal(50), Decimal(60), "gte", AS_OF, DEADLINE, history) == ("at_risk", Decimal(55))
    # Flat at 54 (no history): short by exactly 6 → still at risk; at 53.99 short by 6.01 → off track.
    assert attainment(Decimal(54), Decimal(60), "gte", AS_OF, DEADLINE)[0] == "at_risk"
    assert attainment(Decimal("53.99"), Decimal(60), "gte", AS_OF, DEADLINE)[0] == "off_track"
    # Falling: 50 now, 60 a year ago → 40 projected: off track.
    assert attainment(Decimal(50), Decimal(60), "gte", AS_OF, DEADLINE, [(date(2024, 1, 3), Decimal(60))])[0] == (
        "off_track"
    )


def test_lower_is_better():
    # ≤50: 60 a year ago, 55 now → 50 on the deadline: on track. Flat 55: short by 5 ≤ 5 → at risk. 56 → off.
    assert attainment(Decimal(55), Decimal(50), "lte", AS_OF, DEADLINE, [(date(2024, 1, 3), Decimal(60))]) == (
        "on_track",
        Decimal(50),
    )
    assert attainment(Decimal(55), Decimal(50), "lte", AS_OF, DEADLINE)[0] == "at_risk"
    assert attainment(Decimal(56), Decimal(50), "lte", AS_OF, DEADLINE)[0] == "off_track"


def test_after_the_deadline_compare_directly():
    # On 2026-01-01 no projection: met or not.
    later = date(2026, 1, 1)
    history = [(date(2025, 1, 1), Decimal(10))]
    assert attainment(Decimal("59.99"), Decimal(60), "gte", later, DEADLINE, history) == ("off_track", None)
    assert attainment(Decimal(60), Decimal(60), "gte", later, DEADLINE, history) == ("attained", None)
    # On the deadline itself a projection still runs (zero days ahead = the value): 59.99 is at risk.
    assert attainment(Decimal("59.99"), Decimal(60), "gte", DEADLINE, DEADLINE)[0] == "at_risk"


def test_projection_uses_only_the_last_year():
    # A point older than 365 days is ignored: the projection is flat.
    old = [(date(2023, 1, 1), Decimal(0))]
    assert project(old, AS_OF, Decimal(50), DEADLINE) == Decimal(50)
    # Least squares through (−364, 40), (−182, 45), (0, 50): slope 10/364 → 60 at +364.
    pts = [(date(2024, 1, 3), Decimal(40)), (date(2024, 7, 3), Decimal(45))]
    assert round(project(pts, AS_OF, Decimal(50), DEADLINE), 4) == Decimal(60)


def test_the_rule_numbers_come_from_the_policy_file():
    rule = rule_on(date(2025, 6, 30))
    assert (rule.risk_margin, rule.zero_target_margin, rule.window_days) == (Decimal("0.10"), Decimal(1), 365)
    assert rule.effective_from == date(2021, 1, 1)


def test_a_wider_margin_turns_off_track_into_at_risk():
    # Flat at 53 against ≥60: short by 7. Under 10 % (6) off track; under 12 % (7.2) at risk.
    wide = AttainmentRule("wide", date(2021, 1, 1), Decimal("0.12"), Decimal(1), 365)
    assert rules.attainment(Decimal(53), Decimal(60), "gte", AS_OF, DEADLINE, rule=RULE)[0] == "off_track"
    assert rules.attainment(Decimal(53), Decimal(60), "gte", AS_OF, DEADLINE, rule=wide)[0] == "at_risk"
    # A zero target: ≤0 with the value 0.5 is short by 0.5 ≤ 1 unit → at risk; with a zero margin of 0.4 off track.
    tight = AttainmentRule("tight", date(2021, 1, 1), Decimal("0.10"), Decimal("0.4"), 365)
    assert rules.attainment(Decimal("0.5"), Decimal(0), "lte", AS_OF, DEADLINE, rule=RULE)[0] == "at_risk"
    assert rules.attainment(Decimal("0.5"), Decimal(0), "lte", AS_OF, DEADLINE, rule=tight)[0] == "off_track"
    # A 100-day window drops the point 364 days back: flat at 50 against 60 → off track instead of on track.
    short = AttainmentRule("short", date(2021, 1, 1), Decimal("0.10"), Decimal(1), 100)
    history = [(date(2024, 1, 3), Decimal(40))]
    assert rules.attainment(Decimal(50), Decimal(60), "gte", AS_OF, DEADLINE, history, rule=short)[0] == "off_track"


def test_the_version_in_force_by_effective_date(tmp_path):
    doc = {
        "source": "test",
        "versions": [
            {
                "version": "b",
                "effective_from": "2025-01-01",
                "risk_margin": {"value": "0.05"},
                "zero_target_margin": {"value": "1"},
                "window_days": {"value": 180},
            },
            {
                "version": "a",
                "effective_from": "2021-01-01",
                "risk_margin": {"value": "0.10"},
                "zero_target_margin": {"value": "1"},
                "window_days": {"value": 365},
            },
        ],
    }
    path = tmp_path / "attainment.json"
    path.write_text(json.dumps(doc))
    loaded = load_rules(path)
    assert [r.version for r in loaded] == ["a", "b"]
    assert rule_on(date(2024, 12, 31), loaded).version == "a"
    assert rule_on(date(2025, 1, 1), loaded).risk_margin == Decimal("0.05")
    assert rule_on(date(2020, 1, 1), loaded).version == "a"  # before the first version: the first
    doc["versions"][0]["risk_margin"]["value"] = "1.5"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError):
        load_rules(path)
