"""Schedules and late / missed-visit alerts (issue 6 item 3), at and around the thresholds.

An order of 2026-11-10 with a window from 09:00 (Kunming); ``late_after_minutes`` = 30 (policy data), so the visit is
late from 09:30:00 when no check-in came at or before 09:30:00; missed from 2026-11-11 00:00 when no visit came that day.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.elders.queries import SHANGHAI
from chuncheng.homecare import services
from chuncheng.homecare.models import ScheduleAlert, ServiceOrder, Visit
from tests.homecare.conftest import HOME

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 10)
START = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
LATE_AT = START + timedelta(minutes=30)
DAY_END = datetime(2026, 11, 11, 0, 0, tzinfo=SHANGHAI)
SECOND = timedelta(seconds=1)


def order_for(world, actor, *, elder=None, provider=None, start=time(9), day=DAY):
    return services.create_order(
        elder or world.elder,
        provider or world.provider,
        "cleaning",
        day,
        window_start=start,
        window_end=time(11) if start else None,
        actor=actor,
    )


def check_in_at(order, at: datetime, caregiver):
    """A visit of the order written straight to the table (exact check-in times)."""
    return Visit.objects.create(
        order=order,
        elder=order.elder,
        caregiver=caregiver,
        kind=order.kind,
        visit_date=at.astimezone(SHANGHAI).date(),
        status="closed",
        check_in_at=at,
        check_in_epoch=int(at.timestamp()),
        check_in_lat=HOME[0],
        check_in_lng=HOME[1],
        check_out_at=at + timedelta(hours=1),
        check_out_epoch=int(at.timestamp()) + 3600,
        duration_s=3600,
        code_hash="x",
        confirmed=True,
    )


def alerts(order=None):
    qs = ScheduleAlert.objects.all() if order is None else ScheduleAlert.objects.filter(order=order)
    return sorted(qs.values_list("kind", flat=True))


def test_window_start_is_stored_as_kunming_epoch(world, personas):
    order = order_for(world, personas.community)
    assert order.window_start_epoch == int(START.timestamp())
    assert order_for(world, personas.community, start=None).window_start_epoch is None


def test_late_from_exactly_n_minutes_after_the_start(world, personas):
    order = order_for(world, personas.community)
    assert services.scan_schedule(DAY, now=LATE_AT - SECOND) == {"late": 0, "missed": 0}
    assert alerts(order) == []
    assert services.scan_schedule(DAY, now=LATE_AT) == {"late": 1, "missed": 0}
    assert alerts(order) == ["late"]


def test_a_check_in_at_the_threshold_is_on_time_one_second_later_is_late(world, personas):
    on_time, late = order_for(world, personas.community), order_for(world, personas.community)
    check_in_at(on_time, LATE_AT, world.carer)
    check_in_at(late, LATE_AT + SECOND, world.carer2)
    services.scan_schedule(DAY, now=LATE_AT + timedelta(hours=2))
    assert alerts(on_time) == [] and alerts(late) == ["late"]


def test_an_early_check_in_is_not_late(world, personas):
    order = order_for(world, personas.community)
    check_in_at(order, START - timedelta(minutes=10), world.carer)
    assert services.scan_schedule(DAY, now=DAY_END) == {"late": 0, "missed": 0}


def test_missed_from_the_end_of_the_scheduled_day(world, personas):
    order = order_for(world, personas.community, start=None)  # no window: only "missed" applies
    assert services.scan_schedule(DAY, now=DAY_END - SECOND) == {"late": 0, "missed": 0}
    assert services.scan_schedule(DAY, now=DAY_END) == {"late": 0, "missed": 1}
    assert alerts(order) == ["missed"]


def test_a_visit_late_in_the_day_is_late_but_not_missed(world, personas):
    order = order_for(world, personas.community)
    check_in_at(order, DAY_END - timedelta(hours=1), world.carer)
    services.scan_schedule(DAY, now=DAY_END)
    assert alerts(order) == ["late"]


def test_a_visit_after_the_day_does_not_save_it_from_missed(world, personas):
    order = order_for(world, personas.community, start=None)
    check_in_at(order, DAY_END, world.carer)
    services.scan_schedule(DAY, now=DAY_END + timedelta(hours=2))
    assert alerts(order) == ["missed"]


def test_cancelled_orders_and_other_days_raise_nothing(world, personas):
    cancelled = order_for(world, personas.community)
    services.cancel_order(cancelled, "老人住院", actor=personas.community)
    tomorrow = order_for(world, personas.community, day=DAY + timedelta(days=1))
    services.scan_schedule(DAY, now=DAY_END + timedelta(days=3))
    assert alerts(cancelled) == [] and alerts(tomorrow) == []


def test_the_scan_is_idempotent_one_statement_per_rule_and_keeps_acknowledgements(world, personas):
    order = order_for(world, personas.community)
    with CaptureQueriesContext(connection) as ctx:
        assert services.scan_schedule(DAY, now=DAY_END) == {"late": 1, "missed": 1}
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT INTO homecare_schedulealert")]
    assert len(inserts) == 2
    alert = ScheduleAlert.objects.get(order=order, kind="late")
    services.acknowledge_alert(alert, note="已电话联系服务商", actor=personas.wuhua)
    assert services.scan_schedule(DAY, now=DAY_END) == {"late": 0, "missed": 0}
    assert ScheduleAlert.objects.count() == 2
    alert.refresh_from_db()
    assert (alert.status, alert.note, alert.acknowledged_by) == ("acknowledged", "已电话联系服务商", personas.wuhua)
    with pytest.raises(ValidationError) as exc:
        services.acknowledge_alert(alert, actor=personas.wuhua)
    assert exc.value.error_list[0].code == "alert_already_acknowledged"


def test_acknowledging_needs_a_supervisor(world, personas):
    order_for(world, personas.community)
    services.scan_schedule(DAY, now=DAY_END)
    alert = ScheduleAlert.objects.first()
    with pytest.raises(ValidationError) as exc:
        services.acknowledge_alert(alert, actor=personas.community)  # community workers read alerts only
    assert exc.value.error_list[0].code == "permission_denied"
    assert ScheduleAlert.objects.filter(status="open").count() == 2


def test_the_late_threshold_is_policy_data(world, personas):
    from chuncheng.homecare.models import HomecareSetting

    HomecareSetting.objects.filter(key="late_after_minutes").update(value=10)
    order = order_for(world, personas.community)
    check_in_at(order, START + timedelta(minutes=15), world.carer)
    services.scan_schedule(DAY, now=START + timedelta(minutes=20))
    assert alerts(order) == ["late"]


# ---- page, scope, CLI, periodic task -----------------------------------------------------------------------------


@pytest.fixture
def two_areas(world, personas, org_tree):
    from tests.conftest import make_user

    village = org_tree.filter(code__startswith="530111001", level="village").order_by("code").first()
    gd_worker = make_user("gd_worker", "community_worker", org=village.code)
    wuhua = order_for(world, personas.community)
    guandu = order_for(world, gd_worker, elder=world.guandu_elder, provider=world.guandu_provider)
    services.scan_schedule(DAY, now=LATE_AT)
    return (
        ScheduleAlert.objects.get(order=wuhua),
        ScheduleAlert.objects.get(order=guandu),
    )


def test_alerts_page_is_scoped_and_acknowledges(world, personas, login, client, two_areas):
    own, other = two_areas
    assert client.get("/homecare/alerts/").status_code == 302
    wuhua = login(personas.wuhua)
    page = wuhua.get("/homecare/alerts/")
    assert page.status_code == 200
    text = page.content.decode()
    assert world.elder.name in text and world.guandu_elder.name not in text
    assert wuhua.post(f"/homecare/alerts/{other.public_id}/acknowledge/", {"note": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.status == "open"
    assert wuhua.post(f"/homecare/alerts/{own.public_id}/acknowledge/", {"note": "ok"}).status_code == 302
    own.refresh_from_db()
    assert own.status == "acknowledged"
    city = login(personas.city).get("/homecare/alerts/").content.decode()
    assert world.elder.name in city and world.guandu_elder.name in city
    assert login(personas.community).post(f"/homecare/alerts/{own.public_id}/acknowledge/").status_code in (403, 404)
    for persona in (personas.operator, personas.sysadmin):
        assert world.elder.name not in login(persona).get("/homecare/alerts/").content.decode()


def test_alerts_page_query_count_does_not_grow(world, personas, login, two_areas, django_assert_max_num_queries):
    city = login(personas.city)
    city.get("/homecare/alerts/")
    with django_assert_max_num_queries(12):
        assert city.get("/homecare/alerts/").status_code == 200


def test_cli_scan_schedule(world, personas, capsys):
    from chuncheng.cli import main

    order_for(world, personas.community)
    capsys.readouterr()
    assert main(["homecare", "scan-schedule", "--date", "2026-11-10"]) == 0  # now is long after that day
    out = json.loads(capsys.readouterr().out)
    assert out == {"date": "2026-11-10", "alerts_added": {"late": 1, "missed": 1}}
    assert main(["homecare", "scan-schedule", "--date", "2026-11-10"]) == 0
    assert json.loads(capsys.readouterr().out)["alerts_added"] == {"late": 0, "missed": 0}
    assert main(["homecare", "scan-schedule", "--date", "2026-11-31"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "bad_date"


def test_periodic_task_scans_yesterday_and_today(world, personas, monkeypatch):
    from chuncheng.homecare import tasks

    monkeypatch.setattr("chuncheng.elders.queries.today", lambda: DAY + timedelta(days=1))
    order_for(world, personas.community)
    result = tasks.scan_recent_schedules()
    assert set(result) == {"2026-11-10", "2026-11-11"}
    assert result["2026-11-10"] == {"late": 1, "missed": 1}
    assert ServiceOrder.objects.count() == 1
