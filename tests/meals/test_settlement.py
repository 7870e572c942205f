"""Monthly settlement: totals per site, rejected records left out, ledger entries, idempotence, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chuncheng.benefits.models import LedgerEntry
from chuncheng.meals import services
from chuncheng.meals.models import MealRecord, MealSettlement
from tests.meals.conftest import MONTH, meal

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(world, personas):
    meal(world.poor, world.canteen, date(2025, 3, 3), "lunch", "10")  # tekun lunch: 8
    meal(world.poor, world.canteen, date(2025, 3, 3), "dinner", "5")  # tekun dinner 6, capped at 5
    meal(world.plain, world.canteen, date(2025, 3, 4), "lunch", "10")  # general lunch: 2
    twin_a = meal(world.old, world.canteen, date(2025, 3, 5), "lunch", "10")  # 85: age_80_plus lunch 3
    twin_b = meal(world.old, world.point, date(2025, 3, 5), "lunch", "10")
    meal(world.guandu, world.guandu_site, date(2025, 3, 6), "lunch", "12")  # general: 2
    meal(world.poor, world.canteen, date(2025, 4, 1), "lunch", "10")  # next month
    return twin_a, twin_b


def test_totals_exclude_rejected_records_and_feed_the_ledger(month, world, personas):
    from chuncheng.meals import flags

    flags.scan_month(MONTH)
    twin_a, twin_b = month
    services.review_record(twin_b, "rejected", actor=personas.wuhua, note="同一午餐两处刷卡")
    services.review_record(twin_a, "accepted", actor=personas.wuhua)
    created = services.settle_month(MONTH, actor=personas.city)
    by_site = {s.site_id: s for s in created}
    assert set(by_site) == {world.canteen.pk, world.point.pk, world.guandu_site.pk}
    canteen = by_site[world.canteen.pk]
    assert (canteen.meals, canteen.subsidy_total, canteen.price_total) == (4, Decimal("18"), Decimal("35"))
    point = by_site[world.point.pk]
    assert (point.meals, point.excluded, point.subsidy_total) == (0, 1, Decimal("0"))
    entry = LedgerEntry.objects.get(pk=canteen.ledger_entry_id)
    assert (entry.kind, entry.beneficiary_kind, entry.beneficiary_id) == ("entitlement", "facility", world.canteen.pk)
    assert entry.amount == Decimal("18")
    assert entry.province_share + entry.city_share + entry.county_share == entry.amount
    assert entry.programme.code == services.PROGRAMME_CODE
    assert entry.period == MONTH


def test_settlement_is_idempotent(month, personas):
    first = services.settle_month(MONTH, actor=personas.city)
    entries = LedgerEntry.objects.count()
    assert services.settle_month(MONTH, actor=personas.city) == []
    assert MealSettlement.objects.count() == len(first) == 3
    assert LedgerEntry.objects.count() == entries


def test_the_database_refuses_a_second_settlement(month, world, personas):
    services.settle_month(MONTH, actor=personas.city)
    with pytest.raises(IntegrityError), transaction.atomic():
        MealSettlement.objects.create(
            site=world.canteen,
            month=MONTH,
            meals=1,
            price_total=1,
            subsidy_total=0,
            created_at=MealSettlement.objects.first().created_at,
        )


def test_a_county_official_settles_only_the_county(month, world, personas):
    from chuncheng.meals import queries

    created = services.settle_month(
        MONTH, actor=personas.wuhua, sites=queries.sites_for(personas.wuhua, "meal_settlement", "add")
    )
    assert {s.site_id for s in created} == {world.canteen.pk, world.point.pk}


def test_refusals_after_and_before(month, world, personas):
    services.settle_month(MONTH, actor=personas.city)
    count = MealRecord.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.record_meal(
            world.plain,
            world.canteen,
            {"served_on": date(2025, 3, 20), "slot": "lunch", "price": "10"},
            actor=personas.community,
        )
    assert exc.value.error_list[0].code == "month_settled"
    assert MealRecord.objects.count() == count
    from chuncheng.elders.queries import today

    with pytest.raises(ValidationError) as exc:
        services.settle_month(today().replace(day=1), actor=personas.city)
    assert exc.value.error_list[0].code == "month_not_ended"


def test_cli_settle(month, capsys):
    from chuncheng.cli import main

    assert main(["meals", "settle", "--month", "2025-03"]) == 0
    assert '"settled_sites": 3' in capsys.readouterr().out
    assert main(["meals", "settle", "--month", "2025-03"]) == 0
    assert '"settled_sites": 0' in capsys.readouterr().out
    assert main(["meals", "settle", "--month", "2025-3x"]) == 2
    assert "month_format" in capsys.readouterr().out
