"""The attainment rule (pure) at its boundaries; numbers worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chuncheng.monitoring.attainment import attainment, meets, project

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
