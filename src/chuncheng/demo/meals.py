"""Demo meal assistance: cards for elders near canteens of 五华区 and 官渡区, three months of lunches (weekdays, most
elders most days), a few elders who also eat at a second canteen the same day (flagged), food-safety checks, and the
two older months settled into the benefits ledger (the latest left open). Idempotent: does nothing when demo cards
exist.

Records are written in bulk (the same pricing as the tablet page: ``services.price_meal``), then scanned and settled
by the module's own services.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from chuncheng.demo.benefits import _account, months_before
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Facility
from chuncheng.meals import flags, services
from chuncheng.meals.choices import MealSlot, MealSource
from chuncheng.meals.models import MealCard, MealRecord

SITES = 12
ELDERS_PER_SITE = 15
LUNCH = Decimal("12.00")
MONTHS = 3


def _days(month: date) -> list[date]:
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [month + timedelta(days=i) for i in range((end - month).days) if (month + timedelta(days=i)).weekday() < 5]


def _records_for(elder: Elder, site: Facility, days: list[date], salt: int) -> list[MealRecord]:
    """Lunch on most weekdays (a deterministic 3 days in 4), priced as the tablet page prices it."""
    eaten = [d for d in days if (elder.pk * 7 + d.toordinal() + salt) % 4]
    records, cache = [], {}
    for day in eaten:
        key = day >= elder.birth_date.replace(year=elder.birth_date.year + 80) if elder.birth_date else False
        if key not in cache:
            cache[key] = services.price_meal(elder, MealSlot.LUNCH, day, LUNCH)
        group, subsidy = cache[key]
        records.append(
            MealRecord(
                elder=elder,
                site=site,
                served_on=day,
                slot=MealSlot.LUNCH,
                price=LUNCH,
                subsidy=subsidy,
                subsidy_group=group,
                source=MealSource.SWIPE_IMPORT,
            )
        )
    return records


def build_meals(today: date) -> dict[str, int]:
    if MealCard.objects.filter(number_masked__startswith="DM").exists():
        return {"meal_cards": 0, "meal_records": 0}
    worker = _account("demo.meals.worker", "county_official", "530100")
    canteens = Facility.objects.select_related("org_unit").filter(kind="canteen").order_by("code")
    # Half in 五华区 and half in 官渡区, where the demo's county officials work.
    sites = [
        *canteens.filter(org_unit__code__startswith="530102")[: SITES // 2],
        *canteens.filter(org_unit__code__startswith="530111")[: SITES // 2],
    ]
    months = months_before(today, MONTHS)
    records: list[MealRecord] = []
    carded: set[int] = set()
    for n, site in enumerate(sites):
        township = site.org_unit.code[:9]
        elders = (
            Elder.objects.filter(status=ElderStatus.ACTIVE, org_unit__code__startswith=township)
            .exclude(admissions__discharged_on__isnull=True, admissions__isnull=False)  # residents eat in their home
            .order_by("pk")
        )
        for elder in elders.exclude(pk__in=carded)[:ELDERS_PER_SITE]:
            services.issue_card(elder, f"DM{elder.pk:08d}", actor=worker, issued_on=months[0])
            carded.add(elder.pk)
            for month in months:
                records += _records_for(elder, site, _days(month), n)
            # One elder in fifteen also swipes at the next canteen on some days: the same lunch twice (flagged).
            if elder.pk % ELDERS_PER_SITE == 0 and len(sites) > 1:
                other = sites[(n + 1) % len(sites)]
                records += _records_for(elder, other, _days(months[-1])[:3], n + 1)
    MealRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=False)
    for month in months:
        flags.scan_month(month)
        for site in sites[:3]:
            services.record_check(
                site,
                {"checked_on": month.replace(day=15), "inspector": "演示食品安全检查员", "result": "passed"},
                actor=worker,
            )
    for month in months[:-1]:
        services.settle_month(month, actor=worker)
    return {"meal_cards": len(carded), "meal_records": len(records)}
