"""Alarms: emergency calls and device events (fall, SOS, no motion, leaving a safe zone) for registered elders.

Device events arrive through a signed webhook per vendor (``webhook.py``); each becomes an ``Alarm`` that goes
open → dispatched → acknowledged → closed, every step time-stamped and audited. The vendor's shared secret is kept
encrypted with the field cipher (it must be recovered to verify HMACs, so it cannot be hashed)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuncheng.alarms.choices import AlarmKind, AlarmSource, AlarmStatus
from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.models import Elder


class Vendor(models.Model):
    """A device vendor sending events to ``/api/v1/alarms/webhook/<code>/`` signed with its secret."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    secret_enc = models.TextField(editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    encrypted_fields = ("secret_enc",)

    class Meta:
        verbose_name = _("device vendor")
        verbose_name_plural = _("device vendors")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Device(models.Model):
    """A device (fall detector, SOS button, motion sensor, watch) of a vendor, registered to an elder."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    vendor = models.ForeignKey(Vendor, models.PROTECT, related_name="devices")
    serial = models.CharField(_("serial number"), max_length=64)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="alarm_devices")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "alarm"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["vendor__code", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "serial"],
                name="alarms_device_serial",
                violation_error_code="device_exists",
                violation_error_message=_("This device is already registered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor.code}:{self.serial}"


class Alarm(models.Model):
    """One alarm: a device event or a hotline call, and its handling with timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=AlarmSource.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=AlarmKind.choices)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="alarms")
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("community"))
    vendor = models.ForeignKey(Vendor, models.PROTECT, null=True, blank=True, related_name="alarms")
    device = models.ForeignKey(Device, models.PROTECT, null=True, blank=True, related_name="alarms")
    event_id = models.CharField(_("vendor event id"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=AlarmStatus.choices, default=AlarmStatus.OPEN)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("responder")
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "alarm"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "event_id"],
                condition=~models.Q(event_id=""),
                name="alarms_event_once",
                violation_error_code="replayed",
                violation_error_message=_("This event was already received."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=AlarmStatus.OPEN)
                | models.Q(dispatched_at__isnull=False, responder__isnull=False),
                name="alarms_dispatched_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[AlarmStatus.OPEN, AlarmStatus.DISPATCHED])
                | models.Q(acknowledged_at__isnull=False),
                name="alarms_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AlarmStatus.CLOSED) | models.Q(closed_at__isnull=False),
                name="alarms_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="alarms_status_received")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_at:%Y-%m-%d %H:%M}"
