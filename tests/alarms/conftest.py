"""Alarm fixtures: a vendor with its secret, devices registered to elders of 五华区 and 官渡区, a signed poster."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest

from tests.elders.conftest import fake_id, villages, years_ago  # noqa: F401  (villages is a fixture)


@dataclass
class Setup:
    vendor: object
    secret: str
    elder: object  # 五华
    guandu_elder: object
    device: object  # 五华 elder's watch
    guandu_device: object
    guandu_worker: object


def _elder(actor, name, years, seq, org):
    from chuncheng.elders import services

    return services.register_elder(
        {"id_number": fake_id(years_ago(years, days=40), seq), "name": name, "org_unit": org}, actor=actor
    )


@pytest.fixture
def setup(personas, villages) -> Setup:  # noqa: F811
    from chuncheng.alarms import services
    from tests.conftest import make_user

    village, _other, guandu_village = villages
    guandu_worker = make_user("guandu_worker", "community_worker", org=guandu_village.code)
    vendor, secret = services.add_vendor("安康科技", code="ankang", actor=personas.city)
    elder = _elder(personas.city, "赵报警", 82, 41, village)
    guandu_elder = _elder(personas.city, "钱报警", 79, 42, guandu_village)
    device = services.register_device(vendor, "W-0001", elder, actor=personas.community)
    guandu_device = services.register_device(vendor, "W-0002", guandu_elder, actor=guandu_worker)
    return Setup(vendor, secret, elder, guandu_elder, device, guandu_device, guandu_worker)


def signed_post(
    client, vendor_code: str, secret: str, event: dict | bytes, *, timestamp: int | None = None, signature=None
):
    from chuncheng.alarms.webhook import sign

    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_CHUNCHENG_TIMESTAMP": ts,
        "HTTP_X_CHUNCHENG_SIGNATURE": signature if signature is not None else sign(secret, ts, body),
    }
    return client.post(f"/api/v1/alarms/webhook/{vendor_code}/", body, content_type="application/json", **headers)


def event(event_id="e-1", device="W-0001", kind="fall", occurred_at="2026-11-23T10:00:00+08:00"):
    return {"event_id": event_id, "device": device, "kind": kind, "occurred_at": occurred_at}
