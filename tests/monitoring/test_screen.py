"""The big screen's page and JSON data endpoint: figures worked out by hand, scoped by area."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_screen_page_and_data(personas, login, wuhua, catalogue):
    city = login(personas.city)
    page = city.get("/screen/?date=2025-06-30")
    assert page.status_code == 200
    body = page.content.decode()
    # No inline script or style (strict CSP): scripts are files, ECharts is the vendored copy.
    assert "<style" not in body and "style=" not in body and "<script>" not in body
    assert "vendor/echarts-5.6.0/echarts.min.js" in body and "chuncheng/screen.js" in body
    assert 'data-url="/screen/data/?org=530100&amp;date=2025-06-30"' in body
    data = city.get("/screen/data/?org=530100&date=2025-06-30").json()
    assert data["org"]["code"] == "530100" and data["date"] == "2025-06-30"
    head = {h["key"]: h["value"] for h in data["headlines"]}
    # City: 甲院 100 + 乙院 50 + 华山颐养院 100 + 关上康养中心 100 = 350 beds; nursing 60 + 10 + 50 + 50 = 170.
    assert head["nursing_bed_share"] == pytest.approx(48.5714, abs=1e-4)  # 170 / 350
    assert head["beds_per_1000_elders"] == 35.0  # 350 × 1000 / 10,000 (五华区's row, the only county row)
    kids = {c["code"]: c for c in data["children"]}
    assert len(kids) == 14
    assert (kids["530102"]["beds"], kids["530102"]["nursing_share"]) == (250.0, 48.0)
    assert (kids["530111"]["beds"], kids["530111"]["nursing_share"]) == (100.0, 50.0)
    assert (kids["530112"]["beds"], kids["530112"]["nursing_share"]) == (0.0, None)
    counts = {c["status"]: c["count"] for c in data["attainment"]["counts"]}
    from chuncheng.monitoring.models import Target

    assert sum(counts.values()) == Target.objects.filter(target_set__code="S").count()  # each S target once
    assert counts["off_track"] >= 1  # nursing share 48.57 < S ≥60 with no history: off track
    assert set(counts) == {"attained", "on_track", "at_risk", "off_track", "no_value"}


def test_screen_is_scoped(personas, login, wuhua, catalogue):
    county = login(personas.wuhua)
    assert county.get("/screen/").status_code == 200
    data = county.get("/screen/data/").json()
    assert data["org"]["code"] == "530102" and len(data["children"]) == 11
    assert county.get("/screen/?org=530111").status_code == 404
    assert county.get("/screen/data/?org=530111").status_code == 404
    assert county.get("/screen/data/?org=530100").status_code == 404
    for user in (personas.operator, personas.sysadmin, personas.community):
        assert login(user).get("/screen/").status_code == 404
        assert login(user).get("/screen/data/").status_code == 404


def test_screen_data_has_every_panel_and_a_fixed_query_count(personas, login, wuhua, catalogue):
    from datetime import date

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.monitoring import activity

    city = login(personas.city)
    url = "/screen/data/?org=530100&date=2025-06-30"
    city.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as empty:
        data = city.get(url).json()
    assert [d["count"] for d in data["meals"]] == [0] * 30 and len(data["visits"]) == 30
    assert data["alarms"]["received_today"] == 0 and data["alarms"]["acknowledge"]["median"] is None
    built = activity.build(personas, date(2025, 6, 30))
    # Within one refresh interval the screen serves the figures it computed (every wall screen of the area polls).
    assert city.get(url).json() == data
    cache.clear()
    with CaptureQueriesContext(connection) as full:
        data = city.get(url).json()
    # activity.py: 32 residents (every third in 官渡区) at known levels; 15 alarms, one received on the day.
    levels = {c["level"]: c["count"] for c in data["capability"]}
    assert levels == {"intact": 6, "mild": 9, "moderate": 7, "severe": 5, "total": 3, "not_assessed": 2}
    assert sum(levels.values()) == built["residents"]
    assert sum(d["count"] for d in data["visits"]) == built["visits"]
    assert data["meals"][-1]["date"] == "2025-06-30" and sum(d["count"] for d in data["meals"]) > 0
    assert data["alarms"]["received_today"] == 1 and data["alarms"]["acknowledge"]["count"] == 12
    assert len(full.captured_queries) == len(empty.captured_queries)
    # 五华区's screen counts only its own residents: two of every three.
    county = login(personas.wuhua).get("/screen/data/?date=2025-06-30").json()
    assert sum(c["count"] for c in county["capability"]) == 21  # 32 less the 11 of n = 0, 3, …, 30
