"""Pure calculations of home care (no database): target group, price, distance, the confirmation code's hash."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from chuncheng.homecare.choices import TargetGroup

EARTH_RADIUS_M = 6_371_000.0


def month_range(day: date) -> tuple[date, date]:
    """The first and last day of the month of ``day``."""
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def target_group(categories: list[str] | set[str]) -> str:
    """The elder's price group: the first of tekun, dibao, dibao_edge that applies, else general."""
    for group in (TargetGroup.TEKUN, TargetGroup.DIBAO, TargetGroup.DIBAO_EDGE):
        if group.value in categories:
            return group.value
    return TargetGroup.GENERAL.value


@dataclass(frozen=True)
class Quote:
    market_amount: Decimal
    elder_amount: Decimal
    subsidy_amount: Decimal


def quote(market_price: Decimal, elder_price: Decimal, quantity: int) -> Quote:
    """Amounts of an order: the elder pays the group price per unit, the subsidy covers the rest up to market."""
    market = (market_price * quantity).quantize(Decimal("0.01"))
    paid = (min(elder_price, market_price) * quantity).quantize(Decimal("0.01"))
    return Quote(market, paid, market - paid)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def new_code() -> str:
    """A six-digit one-time code for the elder to confirm the visit."""
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(visit_key: str, code: str) -> str:
    """Keyed hash of the code (bound to the visit), so a leaked table cannot be brute-forced without the key."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"homecare:{visit_key}:{code.strip()}".encode(), hashlib.sha256).hexdigest()


def code_matches(visit_key: str, code: str, stored: str) -> bool:
    return hmac.compare_digest(code_hash(visit_key, code), stored)


def valid_coordinates(lat: float, lng: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lng <= 180


@dataclass(frozen=True)
class Allowance:
    """The monthly subsidy allowance of the elder's group, what the month's orders already use, what remains."""

    allowance: Decimal
    used: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(Decimal("0.00"), self.allowance - self.used)


def entitled_quote(base: Quote, *, entitled: bool, allowance: Allowance) -> Quote:
    """The order's amounts after the entitlement check: no subsidy when the basic service list does not entitle the
    elder, else the catalogue subsidy capped by what remains of the month's allowance; the elder pays the rest of
    the market amount (nothing is refused: a paying elder may always buy)."""
    subsidy = min(base.subsidy_amount, allowance.remaining) if entitled else Decimal("0.00")
    subsidy = subsidy.quantize(Decimal("0.01"))
    return Quote(base.market_amount, base.market_amount - subsidy, subsidy)


def late_deadline(start_epoch: int, late_after_minutes: float) -> int:
    """Epoch second from which a visit without check-in is late (the scheduled start plus N minutes)."""
    return start_epoch + int(late_after_minutes * 60)
