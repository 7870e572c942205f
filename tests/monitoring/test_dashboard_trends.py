"""Dashboard trends: the sparkline (pure, points by hand), the history the page reads (bounded by date), the
attainment projection through stored snapshots under the rule in force, and the page's query budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.monitoring import queries, sparkline
from tests.monitoring.conftest import DAY


def test_monthly_points_keep_each_months_latest():
    points = [
        (date(2023, 5, 31), D(1)),  # 26 months before: outside 24 months
        (date(2023, 7, 31), D(2)),  # the first month of the 24
        (date(2025, 5, 10), D(3)),
        (date(2025, 5, 31), D(4)),  # May's latest
        (date(2025, 6, 30), D(5)),
        (date(2025, 7, 31), D(9)),  # after the date
    ]
    assert sparkline.monthly(points, date(2025, 6, 30), 24) == [
        (date(2023, 7, 31), D(2)),
        (date(2025, 5, 31), D(4)),
        (date(2025, 6, 30), D(5)),
    ]


def test_draw_scales_dates_and_values_into_the_box():
    # 120×28 box, 3 px padding: x from 3 to 117 by day (0, 10, 20 days), y from 25 (low) to 3 (high).
    line = sparkline.draw([(date(2025, 1, 1), D(10)), (date(2025, 1, 11), D(20)), (date(2025, 1, 21), D(15))])
    assert line.points == "3.0,25.0 60.0,3.0 117.0,14.0"
    assert (line.last_x, line.last_y, line.low, line.high, line.count) == (117.0, 14.0, D(10), D(20), 3)
    flat = sparkline.draw([(date(2025, 1, 1), D(7)), (date(2025, 2, 1), D(7))])
    assert flat.points == "3.0,14.0 117.0,14.0"  # a flat line sits in the middle
    assert sparkline.draw([(date(2025, 1, 1), D(7))]) is None  # one point is no trend


@pytest.mark.django_db
def test_history_read_is_bounded_by_date(personas, wuhua, catalogue):
    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring.models import IndicatorSnapshot

    county = OrgUnit.objects.get(code="530102")
    for d in (date(2023, 5, 31), date(2023, 6, 15), date(2023, 7, 31), date(2024, 7, 1), date(2025, 6, 29)):
        IndicatorSnapshot.objects.create(
            indicator="nursing_bed_share", org_unit=county, date=d, value=D(1), status="ok"
        )
    got = [d for d, _v in queries.unit_history(county, DAY, 365)["nursing_bed_share"]]
    # 2023-05-31 is a month-end 25 months back; 2023-06-15 neither a month-end nor in the year's window; 2024-07-01
    # is inside the 365 days (2024-06-30 onwards) though no month-end.
    assert got == [date(2023, 7, 31), date(2024, 7, 1), date(2025, 6, 29)]
    assert queries.month_ends(date(2025, 3, 15), 3) == [date(2025, 2, 28), date(2025, 1, 31), date(2024, 12, 31)]


@pytest.mark.django_db
def test_projection_through_the_snapshots_and_the_sparkline(personas, login, wuhua, catalogue):
    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring.models import IndicatorSnapshot

    county = OrgUnit.objects.get(code="530102")
    # 五华区 now: 120 / 250 = 48%. A year earlier (2024-06-30, 365 days back) 30%: +18 per 365 days, so on
    # 2025-12-31 (184 days on) 48 + 18 × 184 / 365 = 57.07. P (≥55) on track; S (≥60) short by 2.93 ≤ 6 (10%
    # of 60, the policy file's margin): at risk. O's target date has passed: 48 ≥ 40 attained. The snapshot of
    # 2024-03-31 (20%) is older than the 365-day window: in the sparkline, not in the projection.
    for d, v in ((date(2024, 3, 31), 20), (date(2024, 6, 30), 30)):
        IndicatorSnapshot.objects.create(
            indicator="nursing_bed_share", org_unit=county, date=d, value=D(v), status="ok"
        )
    row = next(r for r in queries.area_table(county, DAY) if r.indicator.key == "nursing_bed_share")
    targets = {t.code: (t.status, t.projected) for t in row.targets}
    assert round(targets["P"][1], 2) == D("57.07") and targets["P"][0] == "on_track"
    assert targets["S"] == ("at_risk", targets["P"][1])
    assert targets["O"] == ("attained", None)
    assert row.lead_status == "attained"  # the first target set listed (O)
    # The sparkline: 2024-03-31, 2024-06-30 and today's 48 → three points.
    assert row.trend.count == 3 and (row.trend.first, row.trend.last) == (D(20), D(48))
    body = login(personas.wuhua).get("/monitoring/?date=2025-06-30").content.decode()
    spark = body.split('data-key="nursing_bed_share"')[1].split("</tr>")[0]
    assert 'data-testid="sparkline"' in spark and f'points="{row.trend.points}"' in spark
    assert "style=" not in body  # strict CSP: classes only


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_history(personas, login, wuhua, catalogue):
    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring.models import IndicatorSnapshot

    client = login(personas.wuhua)
    url = "/monitoring/?date=2025-06-30"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    county = OrgUnit.objects.get(code="530102")
    IndicatorSnapshot.objects.bulk_create(
        IndicatorSnapshot(indicator=key, org_unit=county, date=d, value=D(n), status="ok")
        for n, d in enumerate(queries.month_ends(DAY, 24))
        for key in ("nursing_bed_share", "beds_per_1000_elders", "canteens_stock")
    )
    with CaptureQueriesContext(connection) as after:
        body = client.get(url).content.decode()
    assert body.count('data-testid="sparkline"') >= 3
    assert len(after.captured_queries) == len(before.captured_queries)
