"""Benefits API: the programme catalogue, a quote on posted facts (the same JSON as ``chuncheng benefits quote``), and
the eligibility of a registered beneficiary read through the user's scope (another area: 404)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from chuncheng.benefits import queries, services
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.scope import permitted

STATUS = {"programme_unknown": 404}


def _refusal(exc: QuoteError) -> Response:
    return Response(exc.as_dict(), status=STATUS.get(exc.code, 422))


def _require(request) -> None:
    if not permitted(request.user, "benefit"):
        raise Http404


@extend_schema(responses={200: dict})
@api_view(["GET"])
def programmes_view(request):
    """Every programme with its policy versions (effective dates, parameters with their sources)."""
    _require(request)
    return Response({"programmes": [queries.programme_dict(p) for p in queries.programmes()]})


@extend_schema(
    parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD (default today)")],
    request=dict,
    responses={200: dict},
)
@api_view(["POST"])
def quote_view(request, programme: str):
    """Quote one beneficiary's facts (the request body) under the version in force on ``date``; nothing is written."""
    _require(request)
    try:
        on = queries.parse_date(request.query_params.get("date"))
        return Response(services.quote(programme, request.data, on))
    except QuoteError as exc:
        return _refusal(exc)


@extend_schema(
    parameters=[OpenApiParameter("programme", str), OpenApiParameter("date", str, description="YYYY-MM-DD")],
    responses={200: dict},
)
@api_view(["GET"])
def eligibility_view(request, kind: str, public_id):
    """Each condition, the value seen and pass/fail for a registered institution, staff member or elder."""
    _require(request)
    beneficiary = services.beneficiary_for(request.user, kind, public_id)
    try:
        on = queries.parse_date(request.query_params.get("date"))
        results = services.eligibility(beneficiary, kind, on, request.query_params.get("programme") or None)
    except QuoteError as exc:
        return _refusal(exc)
    return Response(
        {
            "kind": kind,
            "id": str(beneficiary.public_id),
            "name": beneficiary.name,
            "date": on.isoformat(),
            "results": results,
        }
    )
