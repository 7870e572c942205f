"""Bulletin pages (item 8): the bulletin of the city or a county for a month or quarter (``?org=&period=&set=``),
its print-ready A4 page and its XLSX. Thin: the figures come from ``monitoring.bulletin``; the area is read through
the user's scope (another area is 404)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chuncheng.core.roles import Action
from chuncheng.core.views import require_permission
from chuncheng.monitoring import bulletin, periods, queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_period() -> str:
    return periods.last_complete(periods.MONTH, timezone.localdate()).label


def _build(request, action: str = Action.VIEW):
    """(unit, the form's values, the bulletin or None, the refusal or None)."""
    require_permission(request, queries.RESOURCE, action)
    unit = queries.area_for(request.user, request.GET.get("org") or None, action)
    form = {
        "org": unit.code,
        "period": request.GET.get("period") or _default_period(),
        "set": request.GET.get("set") or bulletin.default_target_set(),
    }
    try:
        result = bulletin.build(unit, form["period"], form["set"])
    except ValidationError as exc:
        return unit, form, None, bulletin.refusal_message(exc)
    return unit, form, result, None


def _units(request):
    """The areas the user may make a bulletin for: their own and, for the city, its counties."""
    unit = request.user.org_unit
    if unit is None or unit.level not in bulletin.BULLETIN_LEVELS:
        return []
    kids = list(queries.children(unit, timezone.localdate())) if unit.level == "city" else []
    return [unit, *kids]


@login_required
def bulletin_view(request):
    unit, form, result, problem = _build(request)
    catalogue = queries.services.current_catalogue()
    return render(
        request,
        "monitoring/bulletin.html",
        {
            "unit": unit,
            "form": form,
            "b": result,
            "problem": problem,
            "units": _units(request),
            "sets": catalogue.target_sets.all() if catalogue else [],
        },
        status=200 if problem is None else 422,
    )


@login_required
def print_view(request):
    unit, form, result, problem = _build(request)
    return render(
        request,
        "monitoring/bulletin_print.html",
        {"unit": unit, "form": form, "b": result, "problem": problem},
        status=200 if problem is None else 422,
    )


@login_required
def xlsx_view(request):
    unit, form, result, problem = _build(request, Action.EXPORT)
    if result is None:
        return render(
            request,
            "monitoring/bulletin_print.html",
            {"unit": unit, "form": form, "b": None, "problem": problem},
            status=422,
        )
    buffer = io.BytesIO()
    bulletin.write_xlsx(result, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _disposition(bulletin.xlsx_name(result))
    return response


def _disposition(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"bulletin.xlsx\"; filename*=UTF-8''{quote(name)}"
