"""Pure calculations of meal assistance (no database): the elder's subsidy group, the subsidy of one meal, the
usual daily count of a site and whether a day is a spike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from statistics import median

from chuncheng.meals.choices import SubsidyGroup

CENT = Decimal("0.01")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def subsidy_group(flags: Mapping[str, bool], birth: date, on: date, order: Sequence[str]) -> str:
    """The first group of ``order`` the elder belongs to on ``on`` (categories are the elder's boolean columns)."""
    for group in order:
        if group == SubsidyGroup.AGE_80_PLUS:
            if age_on(birth, on) >= 80:
                return group
        elif group == SubsidyGroup.GENERAL or flags.get(group):
            return group
    return SubsidyGroup.GENERAL


def meal_subsidy(table: Mapping[str, Mapping[str, Decimal]], group: str, slot: str, price: Decimal) -> Decimal:
    """The group's subsidy for the slot, never more than the price."""
    amount = Decimal(table.get(group, {}).get(slot, Decimal("0")))
    return min(amount, price).quantize(CENT)


def usual_count(daily: Iterable[int], window_days: int) -> tuple[Decimal, int]:
    """The median daily meals over the window (days without meals count as 0) and the number of days with meals."""
    counts = list(daily)
    history = sum(1 for n in counts if n > 0)
    counts = counts + [0] * (window_days - len(counts))
    return Decimal(str(median(counts))) if counts else Decimal("0"), history


def is_spike(meals: int, usual: Decimal, history: int, *, factor: Decimal, min_meals: int, min_history: int) -> bool:
    """A day is a spike when meals > factor × usual, at least ``min_meals``, and the site has a usual to compare."""
    return history >= min_history and meals >= min_meals and Decimal(meals) > factor * usual
