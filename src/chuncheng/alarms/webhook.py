"""Verification of vendor webhooks: HMAC-SHA256 over ``timestamp + "." + body`` with the vendor's secret, a
timestamp window against replays of old requests, and (in ``services.receive_event``) the vendor's event id kept
unique so the same event cannot be delivered twice. Pure functions; no Django models here."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime


class WebhookRefused(Exception):
    """A refused delivery: a stable code, a message and the HTTP status; nothing has been written."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a vendor sends: hex HMAC-SHA256 of ``timestamp.body`` under the shared secret."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    given = (signature or "").strip().lower().removeprefix("sha256=")
    return hmac.compare_digest(sign(secret, timestamp, body), given)


def timestamp_ok(timestamp: str, now: datetime, window_seconds: int) -> bool:
    """Unix seconds within ``window_seconds`` of now, either side (a clock slightly ahead is tolerated)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(now.timestamp() - sent) <= window_seconds
