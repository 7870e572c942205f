"""Demo home services: two providers (a 五华区 and a 官渡区 township), their caregivers from the staff registry, and two
months of weekly orders for elders at home, each delivered as a verified visit (check-in, the elder's code,
check-out) through the module's own services; a realistic few are anomalous (too short, checked in away from home,
not confirmed by the elder), then the months are scanned. The provider's steps (accept, assign) are taken by a provider
operator account of each provider; the first month is settled and approved (the benefits ledger gets one entry per
provider), the second is left for the demo officials to settle. Idempotent: does nothing when a demo provider exists.

Demo elders have no home coordinates; the served elders get one near their township (the verification compares
check-in places with it).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from chuncheng.core.models import OrgUnit, User
from chuncheng.core.validators import uscc_check_char
from chuncheng.demo.benefits import _account, months_before
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.homecare import services, settlements
from chuncheng.homecare.models import Provider
from chuncheng.institutions.models import Staff

ELDERS = 8
CAREGIVERS = 3
KINDS = ["cleaning", "bathing", "medical_escort", "shopping"]
# Township centres (approximate), from which the demo homes are spread by a few hundred metres.
PLACES = {
    "530102001": (Decimal("25.0420"), Decimal("102.7050")),
    "530111001": (Decimal("25.0200"), Decimal("102.7450")),
}


def _uscc(n: int) -> str:
    body = f"52530100MJ{n:07d}"
    return body + uscc_check_char(body)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _provider_account(provider: Provider) -> User:
    """The provider's operator that accepts and assigns its orders (no password: the demo login is ``provider``)."""
    username = f"demo.homecare.provider.{provider.uscc}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role="provider_operator", provider=provider)
        user.set_unusable_password()
        user.save()
    return user


def build_homecare(today: date) -> dict[str, int]:
    if Provider.objects.filter(name__endswith="（演示）").exists():
        return {"providers": 0, "visits": 0, "settlements": 0}
    visits = 0
    months = months_before(today, 2)
    for n, (township, (lat, lng)) in enumerate(sorted(PLACES.items())):
        unit = OrgUnit.objects.get(code=township)
        county = _account(f"demo.homecare.county.{township[:6]}", "county_official", township[:6])
        worker = _account(f"demo.homecare.worker.{township}", "township_worker", township)
        provider = services.register_provider(
            {
                "name": f"{unit.name}居家养老服务有限公司（演示）",
                "uscc": _uscc(n + 1),
                "org_unit": unit,
                "contact_name": "演示联系人",
                "areas": [township],
                "qualifications": "居家养老服务（演示）",
            },
            actor=county,
        )
        operator = _provider_account(provider)
        staff = Staff.objects.filter(role="caregiver", institution__org_unit__code__startswith=township[:6])
        caregivers = [services.add_caregiver(provider, s, actor=county) for s in staff.order_by("pk")[:CAREGIVERS]]
        elders = list(
            Elder.objects.filter(status=ElderStatus.ACTIVE, org_unit__code__startswith=township)
            .exclude(admissions__discharged_on__isnull=True, admissions__isnull=False)
            .order_by("pk")[:ELDERS]
        )
        for i, elder in enumerate(elders):
            elder.lat, elder.lng = lat + Decimal(i) / 1000, lng + Decimal(i) / 1000
            Elder.objects.filter(pk=elder.pk).update(lat=elder.lat, lng=elder.lng)
        for month in months:
            for week in range(4):
                day = month + timedelta(days=7 * week + 1)
                for i, elder in enumerate(elders):
                    order = services.create_order(elder, provider, KINDS[(i + week) % len(KINDS)], day, actor=worker)
                    services.accept_order(order, actor=operator)
                    services.assign_order(order, caregivers[i % len(caregivers)], actor=operator)
                    home = (elder.lat, elder.lng)
                    # One visit in 16 starts a kilometre away; one in 20 lasts five minutes; one in 25 is not confirmed.
                    start = (home[0] + Decimal("0.01"), home[1]) if (i + week) % 16 == 3 else home
                    visit, code = services.check_in(order, *start, actor=worker, now=_at(day, 9 + i % 8))
                    minutes = 5 if (i * 3 + week) % 20 == 7 else 60
                    confirm = "" if (i + week * 5) % 25 == 11 else code
                    services.check_out(
                        visit, *home, confirm, actor=worker, now=_at(day, 9 + i % 8) + timedelta(minutes=minutes)
                    )
                    visits += 1
    for month in months:
        services.scan_anomalies(month.strftime("%Y-%m"))
    made = settlements.settle_month(months[0], actor=None, scan=False)
    settlements.approve_settlements(made, actor=_account("demo.homecare.city", "city_official", "530100"))
    return {"providers": len(PLACES), "visits": visits, "settlements": len(made)}
