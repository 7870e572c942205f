"""The MQTT consumer (``chuncheng alarms mqtt``): device events published by vendors to
``chuncheng/alarms/<vendor>/events`` go through the very checks of the webhook (``services.receive_event``).

A message is a JSON envelope ``{"timestamp": "<unix seconds>", "signature": "<hex HMAC-SHA256>", "body": "<event
JSON as a string>"}``, signed exactly as the webhook: HMAC of ``timestamp + "." + body`` with the vendor's secret.
Refused messages are logged with the vendor code and the reason only (no payload: it names a person's device) and
nothing is written. Callbacks run in the calling thread (``loop()``), so database work stays on its connection.
"""

from __future__ import annotations

import json
import logging
import os
import time

from chuncheng.alarms import services, webhook

logger = logging.getLogger(__name__)
TOPIC = "chuncheng/alarms/+/events"


def vendor_of(topic: str) -> str:
    parts = topic.split("/")
    return parts[2] if len(parts) == 4 and parts[:2] == ["chuncheng", "alarms"] and parts[3] == "events" else ""


def handle(topic: str, payload: bytes) -> str:
    """Check and store one message; returns ``"created"`` or the refusal code."""
    vendor = vendor_of(topic)
    try:
        envelope = json.loads(payload)
        timestamp, signature, body = str(envelope["timestamp"]), str(envelope["signature"]), envelope["body"]
        if not isinstance(body, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        logger.warning("alarm mqtt refused: vendor=%s reason=bad_envelope", vendor[:40])
        return "bad_envelope"
    try:
        services.receive_event(vendor, timestamp, signature, body.encode())
    except webhook.WebhookRefused as exc:
        return exc.code
    return "created"


def consume(
    host: str = "127.0.0.1",
    port: int = 1883,
    topic: str = TOPIC,
    *,
    max_messages: int | None = None,
    seconds: float | None = None,
    on_subscribed=None,
) -> dict[str, int]:
    """Subscribe and handle messages until ``max_messages`` were handled or ``seconds`` passed (default: forever).
    Returns the count per outcome. QoS 1: the broker redelivers what was not acknowledged; a redelivered event is
    refused as ``replayed`` by its event id, so it is never stored twice."""
    import paho.mqtt.client as mqtt

    counts: dict[str, int] = {}
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"chuncheng-alarms-{os.getpid()}")
    if os.environ.get("CHUNCHENG_MQTT_USERNAME"):
        client.username_pw_set(os.environ["CHUNCHENG_MQTT_USERNAME"], os.environ.get("CHUNCHENG_MQTT_PASSWORD"))

    def on_connect(client, userdata, flags, reason_code, properties):
        client.subscribe(topic, qos=1)

    def on_subscribe(client, userdata, mid, reason_codes, properties):
        if on_subscribed is not None:
            on_subscribed()

    def on_message(client, userdata, message):
        outcome = handle(message.topic, message.payload)
        counts[outcome] = counts.get(outcome, 0) + 1

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect(host, port, keepalive=30)
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        while max_messages is None or sum(counts.values()) < max_messages:
            if deadline is not None and time.monotonic() > deadline:
                break
            client.loop(timeout=0.5)
    finally:
        client.disconnect()
    return counts


def publish(host: str, port: int, vendor: str, secret: str, event: dict, *, timestamp: int | None = None) -> None:
    """Publish one signed event (what a vendor does; used by tests and for trying the consumer out)."""
    import paho.mqtt.publish as mqtt_publish

    body = json.dumps(event)
    ts = str(int(time.time()) if timestamp is None else timestamp)
    envelope = {"timestamp": ts, "signature": webhook.sign(secret, ts, body.encode()), "body": body}
    mqtt_publish.single(f"chuncheng/alarms/{vendor}/events", json.dumps(envelope), qos=1, hostname=host, port=port)
