"""The MQTT path: the same checks as the webhook (signature, window, replay), through an envelope; and, when the
local broker (127.0.0.1:1883) is up, a real publish → consume → alarm round trip."""

from __future__ import annotations

import json
import socket
import time

import pytest

from chuncheng.alarms import mqtt
from chuncheng.alarms.models import Alarm
from chuncheng.alarms.webhook import sign
from tests.alarms.conftest import event

pytestmark = pytest.mark.django_db
TOPIC = "chuncheng/alarms/ankang/events"


def _envelope(secret, body: dict, ts: int | None = None, signature: str | None = None) -> bytes:
    text = json.dumps(body)
    stamp = str(int(time.time()) if ts is None else ts)
    return json.dumps(
        {"timestamp": stamp, "signature": signature or sign(secret, stamp, text.encode()), "body": text}
    ).encode()


def test_handle_applies_the_webhook_checks(setup):
    assert mqtt.handle(TOPIC, _envelope(setup.secret, event("m-1"))) == "created"
    assert Alarm.objects.filter(event_id="m-1", status="open").count() == 1
    before = Alarm.objects.count()
    assert mqtt.handle(TOPIC, _envelope(setup.secret, event("m-1"))) == "replayed"
    assert mqtt.handle(TOPIC, _envelope(setup.secret, event("m-2"), signature="0" * 64)) == "bad_signature"
    assert mqtt.handle(TOPIC, _envelope(setup.secret, event("m-3"), ts=int(time.time()) - 600)) == "stale_timestamp"
    assert mqtt.handle("chuncheng/alarms/other/events", _envelope(setup.secret, event("m-4"))) == "bad_signature"
    assert mqtt.handle(TOPIC, b"not json") == "bad_envelope"
    assert mqtt.handle(TOPIC, json.dumps({"timestamp": "1", "signature": "x", "body": {}}).encode()) == "bad_envelope"
    assert Alarm.objects.count() == before


def _broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _broker_up(), reason="no MQTT broker on 127.0.0.1:1883")
def test_round_trip_through_the_broker(setup):
    def publish():
        mqtt.publish("127.0.0.1", 1883, "ankang", setup.secret, event("mq-1", kind="sos"))

    counts = mqtt.consume(topic=TOPIC, max_messages=1, seconds=10, on_subscribed=publish)
    assert counts == {"created": 1}
    alarm = Alarm.objects.get(event_id="mq-1")
    assert (alarm.kind, alarm.elder) == ("sos", setup.elder)
