"""Demo time bank and alarms, through the modules' own services.

- Time bank: volunteers of 华山街道 (some of them elders), a month of confirmed services (hours deposited), one
  rejected, one awaiting confirmation, and withdrawals for the volunteers' registered relatives.
- Alarms: one vendor, a device for each of a few elders, a month of signed device events received through the same
  check as the webhook (signature, window, replay), most dispatched, acknowledged and closed. The steps are made now
  by the services; the demo then dates them minutes after each event, so the response-time page has a month to show.

Idempotent: each part does nothing when its demo rows exist.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from chuncheng.alarms import services as alarms
from chuncheng.alarms import webhook
from chuncheng.alarms.models import Alarm, Vendor
from chuncheng.core.models import OrgUnit
from chuncheng.demo.benefits import _account, months_before
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.timebank import services as timebank
from chuncheng.timebank.models import Volunteer

TOWNSHIP = "530102001"
VOLUNTEERS = 6
DEVICES = 5
KINDS = ["fall", "sos", "no_motion", "leave_safe_zone"]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _elders(offset: int, count: int) -> list[Elder]:
    qs = Elder.objects.filter(status=ElderStatus.ACTIVE, org_unit__code__startswith=TOWNSHIP).order_by("pk")
    return list(qs[offset : offset + count])


def build_timebank(today: date) -> int:
    if Volunteer.objects.filter(name__endswith="（演示）").exists():
        return 0
    worker = _account(f"demo.community.worker.{TOWNSHIP}", "township_worker", TOWNSHIP)
    unit = OrgUnit.objects.get(code=TOWNSHIP)
    month = months_before(today, 1)[0]
    elders = _elders(8, VOLUNTEERS * 2)
    made = 0
    for i in range(VOLUNTEERS):
        as_elder = elders[i] if i % 2 == 0 else None  # every other volunteer is an elder themself
        volunteer = timebank.register_volunteer(f"志愿者{i + 1}（演示）", unit, elder=as_elder, actor=worker)
        relative = elders[VOLUNTEERS + i]
        timebank.register_relative(volunteer, relative, "parent", actor=worker)
        for week in range(4):
            service = timebank.record_service(
                volunteer,
                {"served_on": month + timedelta(days=7 * week + i % 5), "hours": "2", "description": "陪伴聊天、代购"},
                actor=worker,
            )
            if (i + week) % 9 == 4:
                timebank.reject_service(service, actor=worker)
            elif not (i == 0 and week == 3):  # one service still awaits confirmation
                timebank.confirm_service(service, actor=worker)
                made += 1
        if i % 3 == 1:
            timebank.withdraw(volunteer, "3", beneficiary=relative, relation="parent", note="助浴服务", actor=worker)
    return made


def build_alarms(today: date) -> int:
    if Vendor.objects.filter(code="demo-vendor").exists():
        return 0
    worker = _account(f"demo.community.worker.{TOWNSHIP}", "township_worker", TOWNSHIP)
    city = _account("demo.community.city", "city_official", "530100")  # vendors are registered by the city
    vendor, secret = alarms.add_vendor("演示智能设备厂商", code="demo-vendor", actor=city)
    devices = [
        alarms.register_device(vendor, f"DEMO-{n:04d}", elder, actor=worker)
        for n, elder in enumerate(_elders(20, DEVICES), start=1)
    ]
    month = months_before(today, 1)[0]
    received = 0
    for n in range(24):
        device = devices[n % len(devices)]
        at = _at(month + timedelta(days=n + n // 6), 7 + (n * 5) % 14, (n * 17) % 60)
        body = json.dumps(
            {"event_id": f"demo-{n:04d}", "device": device.serial, "kind": KINDS[n % 4], "occurred_at": at.isoformat()}
        ).encode()
        stamp = str(int(at.timestamp()))
        alarm = alarms.receive_event(vendor.code, stamp, webhook.sign(secret, stamp, body), body, now=at)
        received += 1
        if n >= 21:
            continue  # the latest three are still open
        for action in ("dispatch", "acknowledge", "close"):
            alarm = alarms.transition(
                alarm, action, actor=worker, outcome="已电话确认老人安全" if action == "close" else ""
            )
        # Dated as a month of real responses: acknowledged within 2–16 minutes, closed within 20–95 minutes.
        Alarm.objects.filter(pk=alarm.pk).update(
            dispatched_at=at + timedelta(minutes=1),
            acknowledged_at=at + timedelta(minutes=2 + (n * 7) % 15),
            closed_at=at + timedelta(minutes=20 + (n * 13) % 76),
        )
    return received
