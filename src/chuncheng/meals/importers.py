"""``meal-records``: a card or ID swipe file from a site's reader, through the core import pipeline.

Columns: ``card_no`` 卡号 (a meal card or an ID number used as one), ``site_code`` 站点编码 (a canteen or meal
point of the registry), ``served_on`` 就餐日期, ``slot`` 餐次 (breakfast/lunch/dinner or 早餐/午餐/晚餐), ``price`` 价格.
An unknown card, an unknown site, a site outside the actor's area, a settled month, a future date: row errors, and
then nothing is written (unless ``--partial``). Natural key: card, site, date, slot; a meal already recorded is
``unchanged``, so re-importing the same file changes nothing. The month(s) imported are scanned for flags."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from chuncheng.core.imports import CellError, Column, Importer, RowError, choice_parser, parse_date, parse_decimal
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.institutions.models import Facility
from chuncheng.meals import flags, services
from chuncheng.meals.choices import ErrorCode, MealSlot, MealSource
from chuncheng.meals.models import MealCard, MealRecord, MealSettlement

SLOT_ALIASES = {"早餐": MealSlot.BREAKFAST, "午餐": MealSlot.LUNCH, "晚餐": MealSlot.DINNER}


def parse_price(value: str) -> Decimal:
    price = parse_decimal(value)
    if price < 0:
        raise CellError(ErrorCode.NEGATIVE_PRICE, _("The price cannot be negative."))
    return price


class MealRecordImporter(Importer):
    kind = "meal-records"
    model = MealRecord
    resource = "meal_record"
    natural_key = ""
    columns = [
        Column("card_no", "卡号", required=True, mask=services.mask_card),
        Column("site_code", "站点编码", required=True),
        Column("served_on", "就餐日期", required=True, parse=parse_date),
        Column("slot", "餐次", required=True, parse=choice_parser(MealSlot, SLOT_ALIASES)),
        Column("price", "价格", required=True, parse=parse_price),
    ]

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        values["card_index"] = services.card_index(values["card_no"])
        return values

    def check_batch(self, rows: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
        """Resolve cards and sites in a few queries, then check each row and duplicates inside the file."""
        errors: list[RowError] = []
        indexes = {v["card_index"] for _n, v in rows}
        cards: dict[str, int] = {}
        index_list = list(indexes)
        for i in range(0, len(index_list), 500):
            cards.update(
                MealCard.objects.filter(number_index__in=index_list[i : i + 500], active=True).values_list(
                    "number_index", "elder_id"
                )
            )
        codes = {v["site_code"] for _n, v in rows}
        sites = {
            s.code: s
            for s in Facility.objects.filter(code__in=codes, kind__in=services.SITE_KINDS).select_related("org_unit")
        }
        settled = set(MealSettlement.objects.filter(site__in=list(sites.values())).values_list("site_id", "month"))
        prefix = getattr(self.actor, "scope_prefix", None) if self.actor is not None else None
        seen: dict[tuple, int] = {}
        for number, v in rows:
            card = services.mask_card(v["card_no"])
            elder_id = cards.get(v["card_index"])
            site = sites.get(v["site_code"])
            if elder_id is None:
                errors.append(
                    RowError(number, "card_no", card, ErrorCode.CARD_UNKNOWN, _("No active meal card has this number."))
                )
            if site is None:
                errors.append(
                    RowError(
                        number,
                        "site_code",
                        v["site_code"],
                        ErrorCode.SITE_UNKNOWN,
                        _("No canteen or meal point has this code."),
                    )
                )
            elif self.actor is not None and (not prefix or not site.org_unit.code.startswith(prefix)):
                errors.append(
                    RowError(
                        number,
                        "site_code",
                        v["site_code"],
                        ErrorCode.SITE_OUT_OF_SCOPE,
                        _("This site is outside your area."),
                    )
                )
            elif (site.pk, v["served_on"].replace(day=1)) in settled:
                errors.append(
                    RowError(
                        number,
                        "served_on",
                        str(v["served_on"]),
                        ErrorCode.MONTH_SETTLED,
                        _("This site's month is already settled."),
                    )
                )
            if v["served_on"] > today():
                errors.append(
                    RowError(
                        number, "served_on", str(v["served_on"]), ErrorCode.FUTURE_DATE, _("The date is in the future.")
                    )
                )
            key = (v["card_index"], v["site_code"], v["served_on"], v["slot"])
            if key in seen:
                errors.append(
                    RowError(
                        number,
                        "card_no",
                        card,
                        "duplicate_in_file",
                        _("This value already appears in row %(row)d of the file.") % {"row": seen[key]},
                    )
                )
            else:
                seen[key] = number
            if elder_id is not None and site is not None:
                v["elder_id"], v["site"] = elder_id, site
        return errors

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        elders = Elder.objects.in_bulk({v["elder_id"] for v in rows})
        existing = set()
        elder_ids = list(elders)
        for i in range(0, len(elder_ids), 500):
            existing |= set(
                MealRecord.objects.filter(
                    elder_id__in=elder_ids[i : i + 500],
                    served_on__range=(min(v["served_on"] for v in rows), max(v["served_on"] for v in rows)),
                ).values_list("elder_id", "site_id", "served_on", "slot")
            )
        new = []
        for v in rows:
            if (v["elder_id"], v["site"].pk, v["served_on"], v["slot"]) in existing:
                continue
            group, subsidy = services.price_meal(elders[v["elder_id"]], v["slot"], v["served_on"], v["price"])
            new.append(
                MealRecord(
                    elder_id=v["elder_id"],
                    site=v["site"],
                    served_on=v["served_on"],
                    slot=v["slot"],
                    price=v["price"],
                    subsidy=subsidy,
                    subsidy_group=group,
                    source=MealSource.SWIPE_IMPORT,
                    recorded_by=self.actor if getattr(self.actor, "pk", None) else None,
                )
            )
        MealRecord.objects.bulk_create(new, batch_size=2000)
        for month in sorted({v["served_on"].replace(day=1) for v in rows}):
            flags.scan_month(month)
        return len(new), 0, len(rows) - len(new)
