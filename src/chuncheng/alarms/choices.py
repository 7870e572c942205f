"""Choices, the alarm state machine and error codes of the alarms module."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlarmKind(models.TextChoices):
    FALL = "fall", _("Fall")
    SOS = "sos", _("SOS")
    NO_MOTION = "no_motion", _("No motion")
    LEAVE_SAFE_ZONE = "leave_safe_zone", _("Left the safe zone")
    CALL = "call", _("Emergency call")


class AlarmSource(models.TextChoices):
    DEVICE = "device", _("Device")
    HOTLINE = "hotline", _("Hotline")


class AlarmStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISPATCHED = "dispatched", _("Dispatched")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


# The explicit state machine: from a state, the transitions allowed (action name -> new state).
TRANSITIONS: dict[str, dict[str, str]] = {
    AlarmStatus.OPEN: {"dispatch": AlarmStatus.DISPATCHED},
    AlarmStatus.DISPATCHED: {"acknowledge": AlarmStatus.ACKNOWLEDGED},
    AlarmStatus.ACKNOWLEDGED: {"close": AlarmStatus.CLOSED},
    AlarmStatus.CLOSED: {},
}
ACTIONS = ("dispatch", "acknowledge", "close")

# Open alarms first in every list.
STATUS_ORDER = {AlarmStatus.OPEN: 0, AlarmStatus.DISPATCHED: 1, AlarmStatus.ACKNOWLEDGED: 2, AlarmStatus.CLOSED: 3}

# Webhook headers (docs/alarms.md).
HEADER_TIMESTAMP = "X-Chuncheng-Timestamp"
HEADER_SIGNATURE = "X-Chuncheng-Signature"
DEFAULT_WINDOW_SECONDS = 300


class AreaLevel(models.TextChoices):
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Street / township")


AREA_DIGITS = {AreaLevel.COUNTY: 6, AreaLevel.TOWNSHIP: 9}


class ErrorCode(StrEnum):
    """Stable English error codes (API ``code``, CLI, tests)."""

    PERMISSION_DENIED = "permission_denied"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    REPLAYED = "replayed"
    UNKNOWN_DEVICE = "unknown_device"
    BAD_EVENT = "bad_event"
    BAD_TRANSITION = "bad_transition"
    BAD_RESPONDER = "bad_responder"
    DEVICE_EXISTS = "device_exists"
    VENDOR_EXISTS = "vendor_exists"
    ELDER_OUT_OF_SCOPE = "elder_out_of_scope"
    BAD_MONTH = "bad_month"
