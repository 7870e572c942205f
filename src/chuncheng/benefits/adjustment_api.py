"""Adjustments API: back pay or recovery as one ledger entry (``adjustments.adjust``, shared with the page and the CLI).
A beneficiary outside the caller's area is a 404, as if it did not exist."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from chuncheng.benefits import adjustments
from chuncheng.benefits.rules import QuoteError

STATUS = {"programme_unknown": 404}


@extend_schema(
    request=dict,
    responses={201: dict},
    examples=[
        OpenApiExample(
            "Back pay of one month",
            value={
                "kind": "back_pay",
                "programme": "P1_longevity_allowance",
                "period": "2023-06",
                "beneficiary": "elder:6f1c1d4e-0000-4000-8000-000000000000",
                "amount": "60.00",
                "note": "late decision",
            },
            request_only=True,
        )
    ],
)
@api_view(["POST"])
def adjustments_view(request):
    """Record a back pay (``kind`` = ``back_pay``) or the recovery of an overpayment (``recovery``) for one
    beneficiary (``KIND:PUBLIC_ID``) and month; 201 with the ledger entry. Refusals: 422 with ``code`` and a Chinese
    ``message``; 404 for a beneficiary outside the caller's area."""
    if not adjustments.allowed(request.user):
        raise Http404
    body = request.data
    if not isinstance(body, Mapping):
        return Response({"code": "input_invalid", "message": "请求体须为 JSON 对象"}, status=422)
    asked = adjustments.Request(
        kind=str(body.get("kind", "")),
        programme=str(body.get("programme", "")),
        period=str(body.get("period", "")),
        beneficiary=str(body.get("beneficiary", "")),
        amount=body.get("amount", ""),
        note=str(body.get("note", "")),
    )
    try:
        entry = adjustments.adjust(request.user, asked)
    except QuoteError as exc:
        if exc.code == "beneficiary_not_found":
            raise Http404 from exc
        return Response(exc.as_dict(), status=STATUS.get(exc.code, 422))
    return Response(adjustments.entry_dict(entry), status=status.HTTP_201_CREATED)
