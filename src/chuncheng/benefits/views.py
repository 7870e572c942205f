"""Benefits pages: the programme catalogue with its versions, and a beneficiary's eligibility (reasons table)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chuncheng.benefits import queries, services
from chuncheng.benefits.choices import BeneficiaryKind
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.views import require_permission


@login_required
def programmes_view(request):
    require_permission(request, "benefit")
    return render(request, "benefits/programmes.html", {"programmes": queries.programmes()})


@login_required
def eligibility_view(request, kind: str, public_id):
    require_permission(request, "benefit")
    beneficiary = services.beneficiary_for(request.user, kind, public_id)
    error = None
    results: list = []
    try:
        on = queries.parse_date(request.GET.get("date"))
        results = services.eligibility(beneficiary, kind, on, request.GET.get("programme") or None)
    except QuoteError as exc:
        on = None
        error = exc.as_dict()
    return render(
        request,
        "benefits/eligibility.html",
        {
            "beneficiary": beneficiary,
            "kind_label": BeneficiaryKind(kind).label,
            "on": on,
            "results": results,
            "error": error,
        },
    )
