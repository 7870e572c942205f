"""The vendor webhook: a signed event becomes an open alarm; a wrong signature, a timestamp outside the window, a
replayed event id, an unknown device or a bad body are refused with a stable code and nothing is written."""

from __future__ import annotations

import logging
import time

import pytest

from chuncheng.alarms.models import Alarm, Vendor
from chuncheng.alarms.services import vendor_secret
from chuncheng.core.models import AuditEntry
from tests.alarms.conftest import event, signed_post

pytestmark = pytest.mark.django_db


def _state():
    return Alarm.objects.count(), AuditEntry.objects.count()


def test_a_signed_event_becomes_an_open_alarm_of_the_devices_elder(setup, client):
    response = signed_post(client, "ankang", setup.secret, event())
    assert response.status_code == 201, response.content
    alarm = Alarm.objects.get(public_id=response.json()["id"])
    assert (alarm.status, alarm.kind, alarm.elder, alarm.device) == ("open", "fall", setup.elder, setup.device)
    assert alarm.org_unit == setup.elder.org_unit
    assert AuditEntry.objects.filter(model="alarms.alarm", object_id=str(alarm.public_id)).count() == 1


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("wrong_signature", 401, "bad_signature"),
        ("other_secret", 401, "bad_signature"),
        ("no_signature", 401, "bad_signature"),
        ("unknown_vendor", 401, "bad_signature"),
        ("old_timestamp", 401, "stale_timestamp"),
        ("future_timestamp", 401, "stale_timestamp"),
        ("bad_timestamp", 401, "stale_timestamp"),
        ("unknown_device", 422, "unknown_device"),
        ("bad_kind", 422, "bad_event"),
        ("not_json", 422, "bad_event"),
        ("no_event_id", 422, "bad_event"),
    ],
)
def test_refusals_write_nothing(setup, client, caplog, case, status, code):
    now = int(time.time())
    kwargs: dict = {}
    vendor, secret, body = "ankang", setup.secret, event()
    if case == "wrong_signature":
        kwargs["signature"] = "0" * 64
    elif case == "other_secret":
        secret = "not-the-secret"
    elif case == "no_signature":
        kwargs["signature"] = ""
    elif case == "unknown_vendor":
        vendor = "nobody"
    elif case == "old_timestamp":
        kwargs["timestamp"] = now - 301
    elif case == "future_timestamp":
        kwargs["timestamp"] = now + 301
    elif case == "bad_timestamp":
        kwargs["timestamp"] = "yesterday"
    elif case == "unknown_device":
        body = event(device="W-9999")
    elif case == "bad_kind":
        body = event(kind="fire")
    elif case == "not_json":
        body = b"{not json"
    elif case == "no_event_id":
        body = {"device": "W-0001", "kind": "sos"}
    before = _state()
    with caplog.at_level(logging.WARNING):
        response = signed_post(client, vendor, secret, body, **kwargs)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert _state() == before
    # the log names the vendor and the reason, never the elder or the device
    assert "赵报警" not in caplog.text and "W-0001" not in caplog.text


def test_the_window_is_a_setting(setup, client, settings):
    settings.ALARMS_WEBHOOK_WINDOW_SECONDS = 30
    assert signed_post(client, "ankang", setup.secret, event(), timestamp=int(time.time()) - 60).status_code == 401
    assert signed_post(client, "ankang", setup.secret, event(), timestamp=int(time.time()) - 20).status_code == 201


def test_a_replayed_event_is_refused(setup, client):
    assert signed_post(client, "ankang", setup.secret, event("e-7")).status_code == 201
    before = _state()
    response = signed_post(client, "ankang", setup.secret, event("e-7"))
    assert response.status_code == 409
    assert response.json()["code"] == "replayed"
    assert _state() == before


def test_an_inactive_vendor_is_refused(setup, client):
    Vendor.objects.filter(pk=setup.vendor.pk).update(active=False)
    assert signed_post(client, "ankang", setup.secret, event()).json()["code"] == "bad_signature"


def test_the_secret_is_stored_encrypted_and_bound_to_its_row(setup):
    vendor = Vendor.objects.get(pk=setup.vendor.pk)
    assert setup.secret not in vendor.secret_enc
    assert vendor_secret(vendor) == setup.secret
    entry = AuditEntry.objects.get(model="alarms.vendor")
    assert setup.secret not in str(entry.changes)
