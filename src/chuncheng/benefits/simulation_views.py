"""Budget simulation page: choose a programme and a year, edit the parameters of the version in force (pre-filled),
see the cost per county and year under the current version and the draft, and who gains or loses. Writes nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from chuncheng.benefits import simulation
from chuncheng.benefits.models import Programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.views import require_permission

FIELD = "p-"  # form field of a parameter: p-<name>


def display(value: Any) -> str:
    """A parameter value as the page shows it in an input (numbers bare, tables and lists as JSON)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def parse_display(text: str) -> Any:
    """What a user typed into a parameter's input: JSON, or else the text itself."""
    try:
        return json.loads(text.strip())
    except ValueError:
        return text.strip()


def parameter_fields(programme: Programme, months: list[date]) -> list[dict[str, Any]]:
    """The parameters of the versions in force over ``months`` to pre-fill (a city-wide version's first; those only an
    area version has, after), each with its shown value, source and whether a draft may change it."""
    by_month = simulation.versions_by_month(programme, months)
    fields: dict[str, dict[str, Any]] = {}
    ordered = sorted({v.pk: v for vs in by_month.values() for v in vs}.values(), key=lambda v: (v.area != "", v.pk))
    for version in ordered:
        for name, spec in version.parameters.items():
            meta = spec if isinstance(spec, Mapping) else {"value": spec}
            if name in fields:
                continue
            fields[name] = {
                "name": name,
                "text": display(meta.get("value")),
                "multiline": isinstance(meta.get("value"), list | dict),
                "editable": simulation.editable(meta.get("value")),
                "doc": meta.get("doc", ""),
                "source": meta.get("source", ""),
                "open": bool(meta.get("open")),
                "unverified": bool(meta.get("unverified")),
                "version": version.label,
            }
    return list(fields.values())


def _overrides(fields: list[dict], data) -> dict:
    """The parameters whose input differs from the value shown: only those are overrides."""
    out = {}
    for f in fields:
        text = data.get(FIELD + f["name"])
        if text is None or not f["editable"] or text.strip() == f["text"].strip():
            continue
        out[f["name"]] = parse_display(text)
        f["text"] = text
    return out


@login_required
def simulate_view(request):
    require_permission(request, simulation.RESOURCE)
    data = request.POST if request.method == "POST" else request.GET
    programmes = Programme.objects.filter(code__in=list(simulation.SIMULATED)).prefetch_related("versions")
    context: dict = {"programmes": programmes, "field_prefix": FIELD, "fields": [], "result": None, "error": None}
    code = data.get("programme") or (programmes[0].code if programmes else "")
    context["code"] = code
    try:
        programme = simulation.simulated_programme(code)
        year = data.get("year") or simulation.default_year(programme)
        context["year"] = year
        months = simulation.months_for(year)
        context["fields"] = parameter_fields(programme, months)
        if request.method == "POST":
            overrides = _overrides(context["fields"], data)
            context["result"] = simulation.simulate(code, months, overrides, user=request.user).as_dict()
    except QuoteError as exc:
        context["error"] = exc.as_dict()
    return render(request, "benefits/simulation.html", context)
