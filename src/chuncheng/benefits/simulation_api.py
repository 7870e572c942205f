"""Budget simulation API: the same result as the page and ``chuncheng benefits simulate`` (money as decimal strings).
Reads only; the rows are those of the caller's scope."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from chuncheng.benefits import simulation
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.scope import permitted

STATUS = {"programme_unknown": 404}


@extend_schema(
    request=dict,
    responses={200: dict},
    examples=[
        OpenApiExample(
            "Raise one county's 80–89 amount",
            value={"year": 2023, "parameters": {"per_month_by_county": {"530102": {"80-89": "70"}}}},
            request_only=True,
        )
    ],
)
@api_view(["POST"])
def simulate_view(request, programme: str):
    """Cost per county and year of ``programme`` under the version in force and under a draft (the version's
    parameters with ``parameters`` applied, never saved), with who gains or loses eligibility. Body: ``{"year": 2026,
    "parameters": {...}}`` or ``{"from": "2026-01", "to": "2026-06", "parameters": {...}}``; a parameter key may be a
    dotted path (``"per_month_by_county.530102.80-89": "70"``). Nothing is written."""
    if not permitted(request.user, simulation.RESOURCE):
        raise Http404
    body = request.data
    try:
        if not isinstance(body, Mapping):
            raise QuoteError("input_invalid", "请求体须为 JSON 对象")
        months = simulation.months_for(body.get("year"), body.get("from"), body.get("to"))
        result = simulation.simulate(programme, months, body.get("parameters"), user=request.user)
    except QuoteError as exc:
        return Response(exc.as_dict(), status=STATUS.get(exc.code, 422))
    return Response(result.as_dict())
