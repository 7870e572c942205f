"""Drill-down to the records behind a number, and the family care beds indicator (numbers worked out by hand on the
五华区 fixture of conftest.py plus the personas' homes: 华山颐养院 in 530102001 with 100 beds, 50 nursing, and 关上康养中心
in 官渡区)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.monitoring import compute, queries
from tests.monitoring.conftest import DAY, make_elder, make_facility, make_staff

pytestmark = pytest.mark.django_db


def bed(elder, institution, start, end=None, status="active"):
    from chuncheng.familybeds.models import HomeCareBed

    return HomeCareBed.objects.create(
        elder=elder,
        institution=institution,
        capability_level="severe",
        start_date=start,
        end_date=end,
        status=status,
        plan=[{"kind": "cleaning", "visits_per_month": 2}],
        planned_visits=2,
    )


def test_family_care_beds_as_on_the_date(personas, catalogue):
    home = personas.wuhua_home
    bed(make_elder("530102001"), home, date(2025, 1, 1))  # counts
    bed(make_elder("530102002"), home, DAY)  # set up on the day: counts
    bed(make_elder("530102001"), home, date(2025, 1, 1), date(2025, 7, 31), "closed")  # closed after the day: counts
    bed(make_elder("530102001"), home, date(2024, 1, 1), DAY, "closed")  # closed on the day: no longer
    bed(make_elder("530102001"), home, date(2025, 7, 1))  # not yet
    bed(make_elder("530111001"), personas.guandu_home, date(2025, 1, 1))  # 官渡区
    value = lambda code, level: compute.compute("family_care_beds", compute.Area(code, level, DAY)).value  # noqa: E731
    assert value("530102", "county") == Decimal(3)
    assert value("530102001", "township") == Decimal(2)
    assert value("530100", "city") == Decimal(4)
    table = queries.drill(personas.city, _unit("530102"), DAY, "family_care_beds")
    assert table.count == 3 and table.total is None


def _unit(code):
    from chuncheng.core.models import OrgUnit

    return OrgUnit.objects.get(code=code)


def test_the_records_behind_the_nursing_bed_share(personas, login, wuhua, catalogue):
    county = login(personas.wuhua)
    page = county.get("/monitoring/530102/records/nursing_bed_share/?date=2025-06-30")
    assert page.status_code == 200
    body = page.content.decode()
    # 甲院 60 + 乙院 10 + 华山颐养院 50 = 120 nursing beds, the numerator of 48.00%; not 丙院 (exited), 丁院 (opens
    # 2026) or 关上康养中心 (官渡区).
    assert 'data-testid="records-total">120<' in body
    assert "甲院" in body and "乙院" in body and "华山颐养院" in body
    assert "丙院" not in body and "丁院" not in body and "关上康养中心" not in body
    township = county.get("/monitoring/530102001/records/nursing_bed_share/?date=2025-06-30").content.decode()
    assert 'data-testid="records-total">110<' in township and "乙院" not in township
    # On 2026-06-30 丁院 (1,000 nursing beds) has opened.
    later = county.get("/monitoring/530102/records/nursing_bed_share/?date=2026-06-30").content.decode()
    assert 'data-testid="records-total">1120<' in later
    # The dashboard links the numerator to this page; the ranking links each child area's numerator.
    dashboard = county.get("/monitoring/?date=2025-06-30").content.decode()
    assert 'href="/monitoring/530102/records/nursing_bed_share/?date=2025-06-30"' in dashboard
    assert 'href="/monitoring/530102001/records/nursing_bed_share/?date=2025-06-30"' in dashboard
    # No record list behind a reported figure or a no-data-source indicator: no link.
    assert "/records/life_expectancy/" not in dashboard and "/records/elder_volunteer_share/" not in dashboard


def test_drill_is_scoped(personas, login, wuhua, catalogue):
    county = login(personas.wuhua)
    assert county.get("/monitoring/530111/records/nursing_bed_share/").status_code == 404  # 官渡区
    assert county.get("/monitoring/530100/records/nursing_bed_share/").status_code == 404  # above the area
    assert county.get("/monitoring/530102/records/nope/").status_code == 404
    assert county.get("/monitoring/530102/records/life_expectancy/").status_code == 404  # reported
    assert county.get("/monitoring/530102/records/tekun_disabled_concentrated/").status_code == 404  # no list
    assert login(personas.huashan).get("/monitoring/530102/records/nursing_bed_share/").status_code == 404
    for user in (personas.operator, personas.sysadmin, personas.community):
        assert login(user).get("/monitoring/530102/records/nursing_bed_share/").status_code == 404
    city = login(personas.city).get("/monitoring/530100/records/nursing_bed_share/?date=2025-06-30")
    assert 'data-testid="records-total">170<' in city.content.decode()  # 120 + 关上康养中心 50


# Indicators whose numerator is the number of records the drill lists (the rest sum a column, or count areas).
COUNTED = {
    "canteens_stock",
    "new_canteens_per_year",
    "social_workers_per_1000_elders",
    "social_workers_per_100_beds",
    "caregivers_trained",
    "medical_integration_coverage",
    "family_care_beds",
}


def test_every_drill_lists_the_records_its_number_is_made_of(personas, wuhua, catalogue):
    a, b = wuhua
    make_facility("530102001", "canteen", opened_on=date(2025, 3, 1))
    make_facility("530102002", "canteen", opened_on=date(2019, 3, 1))
    make_facility("530102002", "canteen", status="closed")
    make_facility("530102001001", "day_care")
    make_facility("530102001", "street_center")
    make_staff("530102001", "social_worker", institution=a)
    make_staff("530102001", "social_worker")  # a community centre's
    make_staff("530102001", "social_worker", institution=b, left_on=date(2025, 1, 1))  # gone
    make_staff("530102001", "caregiver", institution=a, trained=True)
    make_staff("530102001", "caregiver", institution=a, trained=False)
    bed(make_elder("530102001"), a, date(2025, 1, 1))
    unit = _unit("530102")
    checked = 0
    for key, spec in compute.DRILLS.items():
        result = compute.compute(key, compute.Area.of(unit, DAY))
        table = queries.drill(personas.city, unit, DAY, key)
        if spec.total:
            assert Decimal(table.total or 0) == result.numerator, key
            checked += 1
        elif key in COUNTED:
            assert Decimal(table.count) == result.numerator, key
            checked += 1
    assert checked == 6 + len(COUNTED)  # every bed indicator sums, every counted one counts
    # By hand: canteens 2 in operation (one opened 2025: new that year); social workers 1 + 1 in post.
    assert queries.drill(personas.city, unit, DAY, "canteens_stock").count == 2
    assert queries.drill(personas.city, unit, DAY, "new_canteens_per_year").count == 1
    assert queries.drill(personas.city, unit, DAY, "social_workers_per_1000_elders").count == 2
    assert queries.drill(personas.city, unit, DAY, "social_workers_per_100_beds").count == 1


def test_records_page_query_count_does_not_grow(personas, login, wuhua, catalogue):
    client = login(personas.wuhua)
    url = "/monitoring/530102/records/caregivers_trained/?date=2025-06-30"
    make_staff("530102001", "caregiver", institution=wuhua[0], trained=True)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _n in range(5):
        make_staff("530102001", "caregiver", institution=wuhua[0], trained=True)
    with CaptureQueriesContext(connection) as more:
        body = client.get(url).content.decode()
    assert body.count("<tr>") == 1 + 6  # the header row and six caregivers
    assert len(more.captured_queries) == len(few.captured_queries)
