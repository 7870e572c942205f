"""Reads shared by pages and API: the programme catalogue with its versions, and the date a request asks about."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from chuncheng.benefits.models import Programme
from chuncheng.benefits.rules import QuoteError


def programmes() -> QuerySet:
    return Programme.objects.prefetch_related("versions").order_by("code")


def programme_dict(programme: Programme) -> dict[str, Any]:
    return {
        "code": programme.code,
        "name": programme.name,
        "beneficiary": programme.beneficiary,
        "shape": programme.shape,
        "source": programme.source,
        "versions": [
            {
                "label": v.label,
                "area": v.area,
                "effective_from": v.effective_from.isoformat(),
                "effective_to": v.effective_to.isoformat() if v.effective_to else None,
                "source": v.source,
                "parameters": v.parameters,
            }
            for v in programme.versions.all()
        ],
    }


def parse_date(value: str | None) -> date:
    """``YYYY-MM-DD``, or today when absent; anything else is ``input_invalid``."""
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise QuoteError("input_invalid", f"日期无效：{value}（应为 YYYY-MM-DD）", "date") from exc


# ---------------------------------------------------------------------------------------------------------------
# Ledger totals (by programme, area, fund and year), through the user's scope

LEDGER_GROUPS = ("programme", "area", "year", "kind")
LEDGER_GROUP_NAMES = {
    "programme": gettext_lazy("programme"),
    "area": gettext_lazy("area"),
    "year": gettext_lazy("year"),
    "kind": gettext_lazy("ledger entry kind"),
}


def _ledger_labels(by: str, keys: list[Any]) -> dict[Any, str]:
    """Readable names of the group keys: programme names, county names, entry kinds."""
    from chuncheng.benefits.choices import LedgerKind
    from chuncheng.core.models import OrgUnit

    if by == "programme":
        return dict(Programme.objects.filter(code__in=keys).values_list("code", "name"))
    if by == "area":
        return dict(OrgUnit.objects.filter(code__in=keys).values_list("code", "name"))
    if by == "kind":
        return {k: str(LedgerKind(k).label) for k in keys if k in LedgerKind.values}
    return {}


def ledger_totals(entries: QuerySet, by: str = "programme") -> list[dict[str, Any]]:
    """Sum of amount and of each fund's share per group; ``by`` is programme, area (county), year or kind."""
    from decimal import Decimal

    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractYear, Substr

    from chuncheng.benefits.rules import money

    if by not in LEDGER_GROUPS:
        raise QuoteError("input_invalid", f"分组无效：{by}（可选 {'、'.join(LEDGER_GROUPS)}）", "by")
    key = {
        "programme": ("programme__code", None),
        "area": ("area", Substr("org_unit__code", 1, 6)),
        "year": ("year", ExtractYear("period")),
        "kind": ("kind", None),
    }[by]
    qs = entries.annotate(**{key[0]: key[1]}) if key[1] is not None else entries
    rows = (
        qs.values(key[0])
        .annotate(
            entries=Count("pk"),
            amount=Sum("amount"),
            province=Sum("province_share"),
            city=Sum("city_share"),
            county=Sum("county_share"),
        )
        .order_by(key[0])
    )
    rows = list(rows)
    labels = _ledger_labels(by, [r[key[0]] for r in rows])
    return [
        {
            "group": row[key[0]],
            "label": labels.get(row[key[0]], str(row[key[0]])),
            "entries": row["entries"],
            **{k: str(money(Decimal(str(row[k] or 0)))) for k in ("amount", "province", "city", "county")},
        }
        for row in rows
    ]
