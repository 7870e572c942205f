"""Monitoring page and API: an area user sees their area and its children; another area is 404; operators and the
three administrators see nothing."""

from __future__ import annotations

import pytest

from tests.monitoring.conftest import DAY

pytestmark = pytest.mark.django_db


def test_area_page(personas, login, wuhua, catalogue):
    client = login(personas.wuhua)
    page = client.get("/monitoring/?date=2025-06-30")
    assert page.status_code == 200
    body = page.content.decode()
    assert "五华区" in body and "nursing_bed_share" in body and 'data-testid="child-areas"' in body
    assert "48.00" in body  # (70 + 华山颐养院's 50) / (150 + 100) nursing beds
    assert client.get("/monitoring/530102001/?date=2025-06-30").status_code == 200
    assert client.get("/monitoring/530111/").status_code == 404  # 官渡区
    assert client.get("/monitoring/530100/").status_code == 404  # above the user's area
    assert client.get("/monitoring/530102001001/").status_code == 404  # a village: no indicator table
    city = login(personas.city).get("/monitoring/").content.decode()
    assert "昆明市" in city and "530111" in city
    assert 'href="/monitoring/"' in city  # the menu entry of the "Monitoring" group
    assert login(personas.huashan).get("/monitoring/530102/").status_code == 404
    for user in (personas.operator, personas.sysadmin, personas.community):
        assert login(user).get("/monitoring/").status_code == 404


def test_api(personas, login, wuhua, catalogue):
    from chuncheng.monitoring import services

    services.take_snapshot(DAY)
    client = login(personas.wuhua)
    indicators = client.get("/api/v1/monitoring/indicators/").json()
    assert indicators["version"] == "2025.1"
    nursing = next(i for i in indicators["indicators"] if i["key"] == "nursing_bed_share")
    assert [t["set"] for t in nursing["targets"]] == ["O", "P", "S"]
    values = client.get("/api/v1/monitoring/values/?org=530102&date=2025-06-30").json()
    row = next(v for v in values["values"] if v["key"] == "nursing_bed_share")
    assert (row["value"], row["numerator"], row["denominator"], row["stored"]) == (48.0, 120.0, 250.0, True)
    # O's 2020 target date has passed: compared directly, 48 ≥ 40 attained. P (≥55) and S (≥60) with no history:
    # flat at 48, short by more than 10% of the target → off track.
    assert {t["set"]: t["attainment"] for t in row["targets"]} == {
        "O": "attained",
        "P": "off_track",
        "S": "off_track",
    }
    # A city-only target is not applied to a county.
    caregivers = next(v for v in values["values"] if v["key"] == "caregivers_trained")
    assert caregivers["targets"][0]["attainment"] == "not_applicable"
    assert client.get("/api/v1/monitoring/values/?org=530111").status_code == 404
    bad = client.get("/api/v1/monitoring/values/?org=530102&date=2025-13-01")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date"
    assert login(personas.operator).get("/api/v1/monitoring/indicators/").status_code == 404
    assert login(personas.operator).get("/api/v1/monitoring/values/").status_code == 404


def test_values_read_from_snapshots_in_a_fixed_number_of_queries(personas, login, wuhua, catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuncheng.monitoring import services

    services.take_snapshot(DAY)
    client = login(personas.city)
    counts = []
    for code in ("530100", "530102", "530102001"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/monitoring/values/?org={code}&date=2025-06-30").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] == 13  # session and user, the unit, snapshots, history, catalogue, indicators, targets, sets
