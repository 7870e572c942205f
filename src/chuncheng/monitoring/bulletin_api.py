"""Bulletin API (item 8): the bulletin of the city or a county for a month or quarter as JSON, and as XLSX. The area
is read through the caller's scope (another area: 404); a bad period or target set is 422 with its code."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from chuncheng.core.roles import Action
from chuncheng.core.views import require_permission
from chuncheng.monitoring import bulletin, periods, queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARAMS = [OpenApiParameter("org", str), OpenApiParameter("period", str), OpenApiParameter("set", str)]


def _build(request, action: str = Action.VIEW) -> bulletin.Bulletin:
    require_permission(request, queries.RESOURCE, action)
    unit = queries.area_for(request.user, request.query_params.get("org") or None, action)
    period = request.query_params.get("period") or periods.last_complete(periods.MONTH, timezone.localdate()).label
    return bulletin.build(unit, period, request.query_params.get("set") or None)


@extend_schema(parameters=PARAMS, responses={200: dict})
@api_view(["GET"])
def bulletin_view(request):
    """The bulletin: the area's own figures and counts, the child areas ranked by indicators attained, every
    indicator's ranking with the changes since the period before."""
    return Response(bulletin.as_dict(_build(request)))


@extend_schema(parameters=PARAMS, responses={(200, XLSX): bytes})
@api_view(["GET"])
def bulletin_xlsx_view(request):
    """The same bulletin as an XLSX workbook (sheets 概况, 各地达标排名, 分指标排名)."""
    result = _build(request, Action.EXPORT)
    buffer = io.BytesIO()
    bulletin.write_xlsx(result, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{result.unit.code}-{result.period.label}.xlsx"'
    return response
