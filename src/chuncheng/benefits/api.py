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


# ---------------------------------------------------------------------------------------------------------------
# Batches, entitlements, ledger


@extend_schema(responses={200: dict})
@api_view(["GET"])
def batch_view(request, public_id):
    """A payment batch: state and progress, and the review (totals by area, change against last period, new and
    dropped beneficiaries) over the entitlements in the user's scope."""
    from chuncheng.benefits import batches
    from chuncheng.benefits.models import Entitlement, PaymentBatch

    if not permitted(request.user, "benefit_batch"):
        raise Http404
    batch = PaymentBatch.objects.select_related("programme", "policy_version").filter(public_id=public_id).first()
    if batch is None:
        raise Http404
    review = batches.review(batch, Entitlement.objects.for_user(request.user))
    return Response(
        {
            "id": str(batch.public_id),
            "programme": batch.programme.code,
            "period": f"{batch.period:%Y-%m}",
            "status": batch.status,
            "percent": batch.percent,
            "created": batch.created_count,
            "chunks": batch.chunks,
            "policy_version": batch.policy_version.label if batch.policy_version else None,
            "review": {
                **{k: v for k, v in review.items() if k not in ("by_area", "previous_period")},
                "amount": str(review["amount"]),
                "previous_amount": str(review["previous_amount"]),
                "change_amount": str(review["change_amount"]),
                "previous_period": f"{review['previous_period']:%Y-%m}",
                "by_area": [{**r, "amount": str(r["amount"])} for r in review["by_area"]],
            },
        }
    )


@extend_schema(responses={200: dict})
@api_view(["GET"])
def entitlement_view(request, public_id):
    """One entitlement through the user's scope (the beneficiary's org unit; another county: 404)."""
    from chuncheng.benefits.models import Entitlement
    from chuncheng.core.scope import get_for_user

    if not permitted(request.user, "benefit_entitlement"):
        raise Http404
    e = get_for_user(Entitlement.objects.select_related("programme", "org_unit"), request.user, public_id=public_id)
    return Response(
        {
            "id": str(e.public_id),
            "programme": e.programme.code,
            "period": f"{e.period:%Y-%m}",
            "beneficiary_kind": e.beneficiary_kind,
            "org_unit": e.org_unit.code,
            "amount": str(e.amount),
            "fund_shares": {
                "province": str(e.province_share),
                "city": str(e.city_share),
                "county": str(e.county_share),
            },
            "breakdown": e.breakdown,
            "status": e.status,
            "pause_reason": e.pause_reason,
        }
    )


@extend_schema(
    parameters=[OpenApiParameter("by", str, description="programme, area, year or kind")], responses={200: dict}
)
@api_view(["GET"])
def ledger_totals_view(request):
    """Ledger totals with each fund's share, grouped by programme, area (county), year or kind, in the user's scope."""
    from chuncheng.benefits.models import LedgerEntry

    if not permitted(request.user, "benefit_entitlement"):
        raise Http404
    by = request.query_params.get("by", "programme")
    try:
        rows = queries.ledger_totals(LedgerEntry.objects.for_user(request.user), by)
    except QuoteError as exc:
        return _refusal(exc)
    return Response({"by": by, "rows": rows})
