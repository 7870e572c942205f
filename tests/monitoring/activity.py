"""Records for the big screen's activity panels, written straight to the tables (test setup, not the action under
test): residents of 五华区's homes at each capability level, canteen meals, verified visits and alarms over the 30
days up to ``day``. Deterministic; small enough for a browser test."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tests.monitoring.conftest import make_elder, make_facility

SH = ZoneInfo("Asia/Shanghai")


def build(personas, day) -> dict[str, int]:
    from chuncheng.alarms.models import Alarm
    from chuncheng.core.models import OrgUnit
    from chuncheng.homecare import services as homecare
    from chuncheng.institutions.models import Admission
    from chuncheng.meals.models import MealRecord
    from tests.homecare.conftest import hire, make_visit, usccs

    levels = ["intact"] * 6 + ["mild"] * 9 + ["moderate"] * 7 + ["severe"] * 5 + ["total"] * 3 + [""] * 2
    for n, level in enumerate(levels):
        home = personas.wuhua_home if n % 3 else personas.guandu_home
        code = "530102001" if n % 3 else "530111001"
        Admission.objects.create(
            elder=make_elder(code, capability=level), institution=home, admitted_on=day - timedelta(days=200 + n)
        )
    canteen = make_facility("530102001", "canteen")
    diners = [make_elder("530102001") for _n in range(12)]
    MealRecord.objects.bulk_create(
        MealRecord(
            elder=elder,
            site=canteen,
            served_on=day - timedelta(days=back),
            slot="lunch",
            price=Decimal(10),
            subsidy=Decimal(0),
            subsidy_group="none",
            source="tablet",
        )
        for back in range(30)
        for i, elder in enumerate(diners)
        if ((i + back) % 7 not in (0, 3) and (day - timedelta(days=back)).weekday() != 6) or i < 3
    )
    homecare.load_catalogue()
    provider = homecare.register_provider(
        {
            "name": "华山居家服务社",
            "uscc": usccs("530102001", "华山居家服务社证照"),
            "org_unit": personas.wuhua.org_unit,
            "areas": ["530102"],
        },
        actor=personas.city,
    )
    carers = [
        homecare.add_caregiver(
            provider, hire(personas.wuhua_home, f"护理{n}", 70 + n, personas.city), actor=personas.city
        )
        for n in range(3)
    ]
    served = [make_elder("530102001") for _n in range(4)]
    visits = 0
    for back in range(30):
        d = day - timedelta(days=back)
        for hour, carer in enumerate(carers):
            if (back + hour) % 4 == 0 and d.weekday() == 6:
                continue
            start = datetime.combine(d, time(9 + 2 * hour), tzinfo=SH)
            make_visit(None, start=start, minutes=45, caregiver=carer, elder=served[(back + hour) % 4])
            visits += 1
    village = OrgUnit.objects.get(code="530102001")
    alarms = 0
    for back, (ack, close) in enumerate([(90, 1500), (40, 900), (300, None), (None, None), (120, 2400)] * 3):
        received = datetime.combine(day - timedelta(days=back * 2), time(8 + back % 9), tzinfo=SH)
        fields = {}
        if ack is not None:
            fields = dict(status="acknowledged", responder=personas.city, dispatched_at=received)
            fields["acknowledged_at"] = received + timedelta(seconds=ack)
        if close is not None:
            fields.update(status="closed", closed_at=received + timedelta(seconds=close))
        Alarm.objects.create(
            source="hotline",
            kind="sos",
            elder=served[0],
            org_unit=village,
            occurred_at=received,
            received_at=received,
            **fields,
        )
        alarms += 1
    return {"residents": len(levels), "visits": visits, "alarms": alarms}
