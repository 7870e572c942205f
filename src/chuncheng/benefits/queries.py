"""Reads shared by pages and API: the programme catalogue with its versions, and the date a request asks about."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

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
