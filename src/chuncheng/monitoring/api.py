"""Monitoring API: the catalogue (indicators with targets per set) and an area's values on a date. Thin: reads in
``queries``, scoped by area (another area's code is 404)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from chuncheng.core.scope import permitted
from chuncheng.monitoring import queries


def _num(value):
    return None if value is None else float(value)


def _indicator(ind) -> dict:
    return {
        "key": ind.key,
        "name": ind.name_zh,
        "name_en": ind.name_en,
        "theme": ind.theme,
        "numerator": ind.numerator,
        "denominator": ind.denominator,
        "unit": ind.unit,
        "direction": ind.direction,
        "department": ind.department,
        "source_kind": ind.source_kind,
        "target_level": ind.target_level,
        "supplementary": ind.supplementary,
        "baseline": ind.baseline,
        "targets": [
            {
                "set": t.target_set.code,
                "value": _num(t.value),
                "comparison": t.comparison,
                "text": t.text,
                "source": t.source,
                "note": t.note,
            }
            for t in ind.targets.all()
        ],
    }


@extend_schema(responses={200: dict})
@api_view(["GET"])
def indicators_view(request):
    """The indicator catalogue in force, with targets per target set (S, P, O) and their sources."""
    if not permitted(request.user, queries.RESOURCE):
        raise Http404
    catalogue = queries.services.current_catalogue()
    return Response(
        {
            "version": catalogue.version if catalogue else None,
            "indicators": [_indicator(i) for i in queries.indicators()],
        }
    )


@extend_schema(parameters=[OpenApiParameter("org", str), OpenApiParameter("date", str)], responses={200: dict})
@api_view(["GET"])
def values_view(request):
    """Every indicator's value, numerator, denominator, status and attainment per target set for an area."""
    unit = queries.area_for(request.user, request.query_params.get("org") or None)
    try:
        day = queries.parse_date(request.query_params.get("date"))
    except DjangoValidationError as exc:
        raise DjangoValidationError({"date": exc.error_list}) from exc
    rows = queries.area_table(unit, day)
    return Response(
        {
            "org": {"code": unit.code, "name": unit.name, "level": unit.level},
            "date": day.isoformat(),
            "values": [
                {
                    "key": r.indicator.key,
                    "name": r.indicator.name_zh,
                    "unit": r.indicator.unit,
                    "value": _num(r.value),
                    "numerator": _num(r.numerator),
                    "denominator": _num(r.denominator),
                    "status": r.status,
                    "stored": r.stored,
                    "targets": [
                        {
                            "set": t.code,
                            "value": _num(t.value),
                            "text": t.text,
                            "attainment": t.status,
                            "projected": _num(t.projected),
                        }
                        for t in r.targets
                    ],
                }
                for r in rows
            ],
        }
    )
