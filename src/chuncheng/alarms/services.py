"""Every write of the alarms module: vendors (secret generated and shown once), devices, hotline calls, webhook
events, and the state machine open → dispatched → acknowledged → closed. Transactional and audited."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chuncheng.alarms import webhook
from chuncheng.alarms.choices import (
    DEFAULT_WINDOW_SECONDS,
    TRANSITIONS,
    AlarmKind,
    AlarmSource,
    ErrorCode,
)
from chuncheng.alarms.models import Alarm, Device, Vendor
from chuncheng.core import audit
from chuncheng.core.cipher import get_cipher
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.models import Elder

logger = logging.getLogger(__name__)
DEVICE_KINDS = {AlarmKind.FALL, AlarmKind.SOS, AlarmKind.NO_MOTION, AlarmKind.LEAVE_SAFE_ZONE}


def _require(actor, resource: str, action: str) -> None:
    if actor is not None and not permitted(actor, resource, action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))


def window_seconds() -> int:
    """How old a webhook's timestamp may be (setting ``ALARMS_WEBHOOK_WINDOW_SECONDS``, default 300 s)."""
    return int(getattr(settings, "ALARMS_WEBHOOK_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def _encrypt_secret(vendor: Vendor, secret: str) -> str:
    return get_cipher().encrypt(secret, table="alarms_vendor", column="secret_enc", row=str(vendor.public_id))


def vendor_secret(vendor: Vendor) -> str:
    return get_cipher().decrypt(
        vendor.secret_enc, table="alarms_vendor", column="secret_enc", row=str(vendor.public_id)
    )


@transaction.atomic
def add_vendor(name: str, *, code: str = "", actor=None) -> tuple[Vendor, str]:
    """Register a vendor; returns it and its secret, which is shown this once and stored only encrypted."""
    _require(actor, "alarm_vendor", Action.ADD)
    name = (name or "").strip()
    code = slugify(code or name) or ""
    if not code:
        raise refusal("code", "required", _("Give the vendor a code of Latin letters, digits and hyphens."))
    if Vendor.objects.filter(code=code).exists():
        raise refusal("code", ErrorCode.VENDOR_EXISTS, _("A vendor with this code already exists."))
    secret = secrets.token_urlsafe(32)
    vendor = Vendor(name=name, code=code)
    vendor.secret_enc = _encrypt_secret(vendor, secret)
    vendor.full_clean()
    vendor.save()
    audit.record_create(actor, vendor)
    return vendor, secret


@transaction.atomic
def register_device(vendor: Vendor, serial: str, elder: Elder, *, actor) -> Device:
    """Register a vendor's device to an elder of the actor's area."""
    _require(actor, "alarm", Action.ADD)
    elder = Elder.objects.for_user(actor).select_related("org_unit").filter(pk=elder.pk).first()
    if elder is None:
        raise refusal("elder", ErrorCode.ELDER_OUT_OF_SCOPE, _("This elder is outside your area."))
    serial = (serial or "").strip()
    if Device.objects.filter(vendor=vendor, serial=serial).exists():
        raise refusal("serial", ErrorCode.DEVICE_EXISTS, _("This device is already registered."))
    device = Device(vendor=vendor, serial=serial, elder=elder)
    device.full_clean()
    device.save()
    audit.record_create(actor, device, org_code=elder.org_unit.code)
    return device


@transaction.atomic
def record_call(elder: Elder, kind: str = AlarmKind.CALL, *, actor) -> Alarm:
    """A hotline operator (an area worker) records an emergency call for an elder of the area."""
    _require(actor, "alarm", Action.ADD)
    elder = Elder.objects.for_user(actor).select_related("org_unit").filter(pk=elder.pk).first()
    if elder is None:
        raise refusal("elder", ErrorCode.ELDER_OUT_OF_SCOPE, _("This elder is outside your area."))
    if kind not in AlarmKind.values:
        raise refusal("kind", ErrorCode.BAD_EVENT, _("Unknown alarm kind."))
    now = timezone.now()
    alarm = Alarm(
        source=AlarmSource.HOTLINE, kind=kind, elder=elder, org_unit=elder.org_unit, occurred_at=now, received_at=now
    )
    alarm.full_clean()
    alarm.save()
    audit.record_create(actor, alarm, org_code=elder.org_unit.code)
    return alarm


def _refuse(vendor_code: str, code: str, message: str, status: int) -> webhook.WebhookRefused:
    # The vendor's code and the reason only: never the body (it names a device of a person).
    logger.warning("alarm webhook refused: vendor=%s reason=%s", vendor_code[:40], code)
    return webhook.WebhookRefused(code, message, status)


def receive_event(
    vendor_code: str, timestamp: str, signature: str, body: bytes, *, now: datetime | None = None
) -> Alarm:
    """Check and store one vendor event. Refusals raise ``WebhookRefused`` before anything is written: unknown
    vendor or wrong signature (401), timestamp outside the window (401), a bad body (422), an unknown or inactive
    device (422), an event id already received (409)."""
    now = now or timezone.now()
    vendor = Vendor.objects.filter(code=vendor_code, active=True).first()
    if vendor is None or not webhook.signature_ok(vendor_secret(vendor), timestamp or "", body, signature):
        raise _refuse(vendor_code, ErrorCode.BAD_SIGNATURE, _("The signature is not valid."), 401)
    if not webhook.timestamp_ok(timestamp, now, window_seconds()):
        raise _refuse(vendor_code, ErrorCode.STALE_TIMESTAMP, _("The timestamp is outside the allowed window."), 401)
    try:
        event = json.loads(body)
        event_id = str(event["event_id"]).strip()
        serial = str(event["device"]).strip()
        kind = str(event["kind"])
        occurred_at = parse_datetime(str(event.get("occurred_at") or "")) or now
    except (ValueError, KeyError, TypeError) as exc:
        raise _refuse(vendor_code, ErrorCode.BAD_EVENT, _("The event is not valid."), 422) from exc
    if not event_id or len(event_id) > 100 or kind not in DEVICE_KINDS or timezone.is_naive(occurred_at):
        raise _refuse(vendor_code, ErrorCode.BAD_EVENT, _("The event is not valid."), 422)
    device = Device.objects.select_related("elder__org_unit").filter(vendor=vendor, serial=serial, active=True).first()
    if device is None:
        raise _refuse(vendor_code, ErrorCode.UNKNOWN_DEVICE, _("This device is not registered."), 422)
    if Alarm.objects.filter(vendor=vendor, event_id=event_id).exists():
        raise _refuse(vendor_code, ErrorCode.REPLAYED, _("This event was already received."), 409)
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                source=AlarmSource.DEVICE,
                kind=kind,
                elder=device.elder,
                org_unit=device.elder.org_unit,
                vendor=vendor,
                device=device,
                event_id=event_id,
                occurred_at=occurred_at,
                received_at=now,
            )
            audit.record_create(None, alarm, org_code=device.elder.org_unit.code)
    except IntegrityError as exc:  # the same event delivered twice at once: the unique constraint decides
        raise _refuse(vendor_code, ErrorCode.REPLAYED, _("This event was already received."), 409) from exc
    return alarm


@transaction.atomic
def transition(alarm: Alarm, action: str, *, actor, responder=None, outcome: str = "") -> Alarm:
    """Move an alarm one step along the state machine (``choices.TRANSITIONS``), time-stamped and audited.

    ``dispatch`` names a responder (an account that can see the alarm); ``close`` needs an outcome."""
    _require(actor, "alarm", Action.CHANGE)
    alarm = (
        Alarm.objects.for_user(actor, Action.CHANGE)
        .select_for_update(of=("self",))
        .select_related("org_unit")
        .filter(pk=alarm.pk)
        .first()
    )
    if alarm is None:
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This alarm is outside your area."))
    target = TRANSITIONS[alarm.status].get(action)
    if target is None:
        raise refusal(None, ErrorCode.BAD_TRANSITION, _("This step is not possible in the alarm's current state."))
    before = audit.snapshot(alarm)
    now = timezone.now()
    if action == "dispatch":
        responder = responder or actor
        if not Alarm.objects.for_user(responder, Action.CHANGE).filter(pk=alarm.pk).exists():
            raise refusal("responder", ErrorCode.BAD_RESPONDER, _("The responder cannot handle alarms of this area."))
        alarm.responder = responder
        alarm.dispatched_at = now
    elif action == "acknowledge":
        alarm.acknowledged_at = now
    elif action == "close":
        outcome = (outcome or "").strip()
        if not outcome:
            raise refusal("outcome", "required", _("Say how the alarm was resolved."))
        alarm.outcome = outcome[:2000]
        alarm.closed_at = now
    alarm.status = target
    alarm.full_clean()
    alarm.save()
    audit.record(
        actor, AuditAction.STATE, alarm, audit.diff(before, audit.snapshot(alarm)), org_code=alarm.org_unit.code
    )
    return alarm
