"""Handling alarms: the state machine (dispatch → acknowledge → close, time-stamped and audited), response-time
figures, and the pages, API and command line scoped by area (another county is 404 and changes nothing)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from chuncheng.alarms import services, stats
from chuncheng.alarms.models import Alarm, Device, Vendor
from chuncheng.cli import main
from chuncheng.core.models import AuditEntry
from tests.alarms.conftest import event, signed_post

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _code(exc):
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    return next(e.code for errs in errors.values() for e in errs)


def _refused(code, *args, **kwargs):
    before = (list(Alarm.objects.values()), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as info:
        services.transition(*args, **kwargs)
    assert _code(info.value) == code
    assert (list(Alarm.objects.values()), AuditEntry.objects.count()) == before


def test_the_state_machine(setup, personas):
    alarm = services.record_call(setup.elder, actor=personas.community)
    assert alarm.source == "hotline" and alarm.status == "open"
    _refused("bad_transition", alarm, "acknowledge", actor=personas.community)
    _refused("bad_transition", alarm, "close", actor=personas.community, outcome="x")
    _refused("bad_responder", alarm, "dispatch", actor=personas.community, responder=setup.guandu_worker)
    _refused("permission_denied", alarm, "dispatch", actor=personas.city)  # the city reads only
    _refused("permission_denied", alarm, "dispatch", actor=setup.guandu_worker)  # another county
    alarm = services.transition(alarm, "dispatch", actor=personas.huashan, responder=personas.community)
    assert alarm.status == "dispatched" and alarm.responder == personas.community and alarm.dispatched_at
    alarm = services.transition(alarm, "acknowledge", actor=personas.community)
    assert alarm.acknowledged_at >= alarm.dispatched_at
    _refused("required", alarm, "close", actor=personas.community, outcome="  ")
    alarm = services.transition(alarm, "close", actor=personas.community, outcome="已送医")
    assert alarm.status == "closed" and alarm.closed_at >= alarm.acknowledged_at
    _refused("bad_transition", alarm, "dispatch", actor=personas.community)
    states = AuditEntry.objects.filter(model="alarms.alarm", action="state").order_by("id")
    assert [e.changes["status"] for e in states] == [
        ["open", "dispatched"],
        ["dispatched", "acknowledged"],
        ["acknowledged", "closed"],
    ]


def test_percentiles():
    assert stats.percentile([], 50) is None
    assert stats.percentile([7], 90) == 7
    assert stats.percentile([1, 2, 3, 4], 50) == 2.5
    assert stats.percentile(list(range(1, 11)), 90) == pytest.approx(9.1)
    assert stats.summarise([60, 120, 180]) == {"count": 3, "median": 120, "p90": 168}


def _handled(elder, received, ack_after, close_after, actor):
    alarm = services.record_call(elder, actor=actor)
    Alarm.objects.filter(pk=alarm.pk).update(
        received_at=received,
        status="closed" if close_after is not None else "acknowledged",
        responder=actor,
        dispatched_at=received,
        acknowledged_at=received + timedelta(seconds=ack_after),
        closed_at=None if close_after is None else received + timedelta(seconds=close_after),
    )


def test_response_times_per_county_for_a_month(setup, personas, login, capsys):
    start = datetime(2026, 10, 5, 9, 0, tzinfo=SHANGHAI)
    for ack, close in [(60, 600), (120, 900), (300, None)]:
        _handled(setup.elder, start, ack, close, personas.community)
    _handled(setup.guandu_elder, start, 30, 300, setup.guandu_worker)
    _handled(setup.elder, datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI), 5, 5, personas.community)  # next month
    city = login(personas.city).get("/api/v1/alarms/stats/?month=2026-10").json()
    by_area = {row["area"]: row for row in city["areas"]}
    assert set(by_area) == {"530102", "530111"}
    wuhua = by_area["530102"]
    assert wuhua["alarms"] == 3
    assert wuhua["acknowledge"] == {"count": 3, "median": 120.0, "p90": 264.0}
    assert wuhua["close"] == {"count": 2, "median": 750.0, "p90": 870.0}
    county = login(personas.wuhua).get("/api/v1/alarms/stats/?month=2026-10&level=township").json()
    assert [row["area"] for row in county["areas"]] == ["530102001"]
    page = login(personas.wuhua).get("/alarms/stats/?month=2026-10")
    assert page.status_code == 200 and "264.0" in page.content.decode()
    assert main(["alarms", "stats", "--month", "2026-10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {row["area"] for row in out["areas"]} == {"530102", "530111"}
    assert main(["alarms", "stats", "--month", "2026-13"]) == 2


def test_pages_list_open_first_and_act(setup, personas, login, client):
    signed_post(client, "ankang", setup.secret, event("p-1"))
    signed_post(client, "ankang", setup.secret, event("p-2", device="W-0002"))
    first = Alarm.objects.get(event_id="p-1")
    closed = services.record_call(setup.elder, actor=personas.community)
    for step, extra in [("dispatch", {}), ("acknowledge", {}), ("close", {"outcome": "误报"})]:
        services.transition(closed, step, actor=personas.community, **extra)
    page = login(personas.community)
    body = page.get("/alarms/").content.decode()
    assert "钱报警" not in body  # 官渡区
    assert body.index(f"/alarms/{first.public_id}/") < body.index(f"/alarms/{closed.public_id}/")  # open first
    url = f"/alarms/{first.public_id}/"
    assert page.post(url + "dispatch/", {"next": "list"}).status_code == 302
    assert page.post(url + "acknowledge/", {}).status_code == 302
    assert page.post(url + "close/", {"outcome": "已处置"}).status_code == 302
    first.refresh_from_db()
    assert first.status == "closed" and first.responder == personas.community
    assert page.get(url).status_code == 200
    assert page.post(url + "explode/", {}).status_code == 404
    other = Alarm.objects.get(event_id="p-2")
    before = list(Alarm.objects.values())
    assert page.get(f"/alarms/{other.public_id}/").status_code == 404
    assert page.post(f"/alarms/{other.public_id}/dispatch/", {}).status_code == 404
    assert login(personas.guandu).get(url).status_code == 404
    assert login(personas.operator).get("/alarms/").status_code == 404
    assert list(Alarm.objects.values()) == before


def test_api_alarms_scope_and_transitions(setup, personas, login, client):
    signed_post(client, "ankang", setup.secret, event("a-1"))
    signed_post(client, "ankang", setup.secret, event("a-2", device="W-0002"))
    own, other = Alarm.objects.get(event_id="a-1"), Alarm.objects.get(event_id="a-2")
    assert client.get(f"/api/v1/alarms/{own.public_id}/").status_code == 401
    api = login(personas.community)
    assert [a["id"] for a in api.get("/api/v1/alarms/").json()["results"]] == [str(own.public_id)]
    assert api.get(f"/api/v1/alarms/{own.public_id}/").status_code == 200
    response = api.get(f"/api/v1/alarms/{other.public_id}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    before = list(Alarm.objects.values())
    assert api.post(f"/api/v1/alarms/{other.public_id}/dispatch/", {}).status_code == 404
    assert list(Alarm.objects.values()) == before
    response = api.post(f"/api/v1/alarms/{own.public_id}/acknowledge/", {}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "bad_transition"
    response = api.post(
        f"/api/v1/alarms/{own.public_id}/dispatch/", {"responder": "huashan"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["responder"] == "huashan"
    assert login(personas.city).get(f"/api/v1/alarms/{other.public_id}/").status_code == 200
    call = api.post(
        "/api/v1/alarms/", {"elder": str(setup.elder.public_id), "kind": "sos"}, content_type="application/json"
    )
    assert call.status_code == 201 and call.json()["source"] == "hotline"
    assert (
        api.post(
            "/api/v1/alarms/", {"elder": str(setup.guandu_elder.public_id)}, content_type="application/json"
        ).status_code
        == 404
    )


def test_devices_and_vendors(setup, personas, login, capsys):
    api = login(personas.community)
    assert [d["serial"] for d in api.get("/api/v1/alarms/devices/").json()["results"]] == ["W-0001"]
    response = api.post(
        "/api/v1/alarms/devices/",
        {"vendor": "ankang", "serial": "W-0003", "elder": str(setup.elder.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 201
    response = api.post(
        "/api/v1/alarms/devices/",
        {"vendor": "ankang", "serial": "W-0003", "elder": str(setup.elder.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["code"] == "device_exists"
    assert (
        api.post(
            "/api/v1/alarms/devices/",
            {"vendor": "ankang", "serial": "W-0004", "elder": str(setup.guandu_elder.public_id)},
            content_type="application/json",
        ).status_code
        == 404
    )
    page = login(personas.community)
    assert "W-0002" not in page.get("/alarms/devices/").content.decode()
    assert (
        page.post(
            "/alarms/devices/", {"vendor": "ankang", "serial": "W-0005", "elder": str(setup.elder.public_id)}
        ).status_code
        == 302
    )
    assert Device.objects.filter(serial="W-0005").exists()
    # vendors: the city adds; the secret appears in the creation's answer only
    city = login(personas.city)
    response = city.post("/alarms/vendors/", {"name": "Second Vendor", "code": "second"})
    assert response.status_code == 200
    secret_line = response.content.decode()
    assert 'data-testid="secret"' in secret_line
    listing = city.get("/alarms/vendors/").content.decode()
    assert 'data-testid="secret"' not in listing and "second" in listing
    response = city.post("/api/v1/alarms/vendors/", {"name": "Third"}, content_type="application/json")
    assert response.status_code == 201 and len(response.json()["secret"]) >= 32
    assert "secret" not in city.get("/api/v1/alarms/vendors/").json()[0]
    assert page.post("/alarms/vendors/", {"name": "x"}).status_code == 404  # a community worker may not
    response = api.post("/api/v1/alarms/vendors/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert main(["alarms", "vendor-add", "CLI Vendor", "--code", "cli-vendor"]) == 0
    out = json.loads(capsys.readouterr().out)
    vendor = Vendor.objects.get(code="cli-vendor")
    assert out["secret"] not in vendor.secret_enc
    assert main(["alarms", "vendor-add", "CLI Vendor", "--code", "cli-vendor"]) == 2
