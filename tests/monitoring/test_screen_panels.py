"""The big screen's activity panels, on records built by hand in 五华区 and 官渡区 (numbers worked out by hand):
capability structure of residents, canteen meals and verified visits per day over 30 days, alarms of the day and
response times; each panel's query count is fixed (it does not grow with the records)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.monitoring import panels
from tests.monitoring.conftest import make_elder, make_facility

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)
SH = ZoneInfo("Asia/Shanghai")


def stay(elder, institution, admitted_on, discharged_on=None):
    from chuncheng.institutions.models import Admission

    return Admission.objects.create(
        elder=elder, institution=institution, admitted_on=admitted_on, discharged_on=discharged_on
    )


def test_capability_structure_of_residents(personas):
    home, guandu_home = personas.wuhua_home, personas.guandu_home
    stay(make_elder("530102001", capability="severe"), home, date(2026, 1, 1))
    stay(make_elder("530102001", capability="severe"), home, date(2026, 1, 1))
    stay(make_elder("530102001", capability="intact"), home, DAY)  # admitted on the day: counts
    stay(make_elder("530102001", capability=""), home, date(2025, 1, 1))  # never assessed
    stay(make_elder("530102001", capability="total"), home, date(2025, 1, 1), DAY)  # left on the day: not
    stay(make_elder("530102001", capability="mild"), home, DAY + timedelta(days=1))  # not yet
    stay(make_elder("530111001", capability="total"), guandu_home, date(2026, 1, 1))  # 官渡区
    wuhua = {r["level"]: r["count"] for r in panels.capability_structure("530102", DAY)}
    assert wuhua == {"intact": 1, "mild": 0, "moderate": 0, "severe": 2, "total": 0, "not_assessed": 1}
    city = {r["level"]: r["count"] for r in panels.capability_structure("530100", DAY)}
    assert (city["severe"], city["total"], sum(city.values())) == (2, 1, 5)


def test_meals_per_day_over_thirty_days(personas):
    from chuncheng.meals.models import MealRecord

    canteen = make_facility("530102001", "canteen")
    guandu = make_facility("530111001", "canteen")
    a, b = make_elder("530102001"), make_elder("530102001")

    def meal(elder, site, day, slot="lunch"):
        MealRecord.objects.create(
            elder=elder,
            site=site,
            served_on=day,
            slot=slot,
            price=Decimal(10),
            subsidy=Decimal(0),
            subsidy_group="none",
            source="tablet",
        )

    meal(a, canteen, DAY)
    meal(a, canteen, DAY, "dinner")
    meal(b, canteen, DAY)
    meal(a, canteen, DAY - timedelta(days=29))  # the first of the 30 days
    meal(a, canteen, DAY - timedelta(days=30))  # one day too early
    meal(a, canteen, DAY + timedelta(days=1))  # after the screen's date
    meal(b, guandu, DAY)  # a 五华 elder eating in 官渡区 counts where the site is
    series = panels.meals_per_day("530102", DAY)
    assert len(series) == 30 and series[0]["date"] == "2026-10-22" and series[-1]["date"] == "2026-11-20"
    assert (series[0]["count"], series[-1]["count"], sum(d["count"] for d in series)) == (1, 3, 4)
    city = panels.meals_per_day("530100", DAY)
    assert city[-1]["count"] == 4 and sum(d["count"] for d in city) == 5


def test_verified_visits_per_day(personas):
    from chuncheng.homecare import services
    from tests.homecare.conftest import hire, make_visit, usccs

    services.load_catalogue()
    provider = services.register_provider(
        {
            "name": "华山居家服务社",
            "uscc": usccs("530102001", "华山居家服务社证照"),
            "org_unit": personas.wuhua.org_unit,
            "areas": ["530102"],
        },
        actor=personas.city,
    )
    carers = [
        services.add_caregiver(
            provider, hire(personas.wuhua_home, f"护理{n}", 60 + n, personas.city), actor=personas.city
        )
        for n in range(4)
    ]
    elder, guandu_elder = make_elder("530102001"), make_elder("530111001")
    at = datetime(2026, 11, 20, 9, 0, tzinfo=SH)
    make_visit(None, start=at, minutes=40, caregiver=carers[0], elder=elder)  # verified
    make_visit(None, start=at - timedelta(days=1), minutes=40, caregiver=carers[1], elder=elder)  # the day before
    make_visit(None, start=at, minutes=40, caregiver=carers[2], elder=elder, confirmed=False)  # not confirmed
    make_visit(None, start=at, minutes=40, caregiver=carers[3], elder=elder, closed=False)  # still open
    make_visit(None, start=at + timedelta(hours=2), minutes=40, caregiver=carers[0], elder=guandu_elder)
    wuhua = panels.visits_per_day("530102", DAY)
    assert (wuhua[-1]["count"], wuhua[-2]["count"], sum(d["count"] for d in wuhua)) == (1, 1, 2)
    assert panels.visits_per_day("530100", DAY)[-1]["count"] == 2
    assert panels.visits_per_day("530111", DAY)[-1]["count"] == 1


def test_alarms_of_the_day_and_response_times(personas):
    from chuncheng.alarms.models import Alarm
    from chuncheng.core.models import OrgUnit

    elder = make_elder("530102001")
    village = OrgUnit.objects.get(code="530102001")

    def alarm(received, ack_after=None, close_after=None, org=village):
        fields = {}
        if ack_after is not None:
            fields.update(
                status="acknowledged",
                responder=personas.city,
                dispatched_at=received,
                acknowledged_at=received + timedelta(seconds=ack_after),
            )
        if close_after is not None:
            fields.update(status="closed", closed_at=received + timedelta(seconds=close_after))
        return Alarm.objects.create(
            source="hotline",
            kind="sos",
            elder=elder,
            org_unit=org,
            occurred_at=received,
            received_at=received,
            **fields,
        )

    morning = datetime(2026, 11, 20, 8, 0, tzinfo=SH)
    alarm(morning, 60, 600)  # today, closed: ack 60 s, close 600 s
    alarm(morning + timedelta(hours=1), 120)  # today, acknowledged, not closed
    alarm(morning + timedelta(hours=2))  # today, open
    alarm(datetime(2026, 11, 20, 0, 0, tzinfo=SH) - timedelta(seconds=1), 180, 1200)  # yesterday 23:59:59, closed
    alarm(morning - timedelta(days=10))  # ten days ago, still open
    alarm(morning - timedelta(days=40), 999, 9999)  # outside the 30 days
    alarm(morning + timedelta(days=1))  # tomorrow: not yet
    alarm(morning, 30, 300, org=OrgUnit.objects.get(code="530111001"))  # 官渡区
    figures = panels.alarms("530102", DAY)
    assert (figures["received_today"], figures["closed_today"], figures["open_today"]) == (3, 1, 2)
    assert figures["open_now"] == 3  # two of today's, the one of ten days ago (tomorrow's not yet received)
    # Acknowledged within the 30 days: 60, 120, 180 → median 120, p90 = 120 + 0.8 × 60 = 168.
    assert figures["acknowledge"] == {"count": 3, "median": 120.0, "p90": 168.0}
    # Closed: 600 and 1200 → median 900, p90 = 600 + 0.9 × 600 = 1140.
    assert figures["close"] == {"count": 2, "median": 900.0, "p90": 1140.0}
    city = panels.alarms("530100", DAY)
    assert (city["received_today"], city["closed_today"]) == (4, 2)


def test_panels_read_a_fixed_number_of_queries(personas):
    for _n in range(3):
        stay(make_elder("530102001", capability="mild"), personas.wuhua_home, date(2026, 1, 1))
    for fn, most in (
        (panels.capability_structure, 2),
        (panels.meals_per_day, 2),
        (panels.visits_per_day, 2),
        (panels.alarms, 3),
    ):
        for code in ("530100", "530102"):
            with CaptureQueriesContext(connection) as ctx:
                fn(code, DAY)
            assert len(ctx.captured_queries) <= most, (fn.__name__, code, ctx.captured_queries)
