"""Reported indicators API (item 3): thin — check the request's shape, call ``monitoring.reported``, serialize.

Values are read through the caller's scope (another area: 404). Refusals answer 422 with their stable code
(``{"code", "message", "errors"}``), 403 for a role that may not report or review at all. The evidence download is
written to the access log."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from chuncheng.core import audit
from chuncheng.core.api_base import Pagination
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.monitoring import reported
from chuncheng.monitoring.models import ReportedValue


class SubmitSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=60)
    org = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    period = serializers.CharField(max_length=10, help_text="2026 (year), 2026-Q3 (quarter) or 2026-10 (month)")
    value = serializers.CharField(max_length=30, help_text="in the indicator's unit: a share of 59.02% is 59.02")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    evidence = serializers.FileField(
        allow_empty_file=True, required=False, help_text="PDF, JPG, PNG, XLSX or CSV, at most 20 MB."
    )


class ReviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "return"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _require(request, action: str = Action.VIEW) -> None:
    if not permitted(request.user, reported.RESOURCE, action):
        raise Http404


def _value(request, public_id, action: str = Action.VIEW) -> ReportedValue:
    _require(request, action)
    return get_for_user(
        ReportedValue.objects.select_related("org_unit", "submitted_by__org_unit", "reviewed_by", "supersedes"),
        request.user,
        action,
        public_id=public_id,
    )


@extend_schema(
    parameters=[OpenApiParameter(n, str) for n in ("state", "indicator", "org", "period")],
    request={"multipart/form-data": SubmitSerializer},
    responses={200: dict, 201: dict},
)
@api_view(["GET", "POST"])
@parser_classes([MultiPartParser, FormParser, JSONParser])
def values_view(request):
    """GET: reported values in the caller's area, newest first (filters ``state``, ``indicator``, ``org``,
    ``period``). POST (multipart): report a value with its evidence file; it awaits review."""
    if request.method == "GET":
        _require(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(reported.value_list(request.user, request.query_params), request)
        return paginator.get_paginated_response([reported.as_dict(rv) for rv in page])
    _require(request, Action.ADD)
    shape = SubmitSerializer(data=request.data)
    shape.is_valid(raise_exception=True)
    data = shape.validated_data
    upload = data.get("evidence")
    rv = reported.submit(
        data["indicator"],
        reported.unit_for(request.user, data["org"] or None),
        data["period"],
        data["value"],
        evidence=reported.Evidence(upload.name, upload) if upload is not None else None,
        note=data["note"],
        actor=request.user,
    )
    return Response(reported.as_dict(rv), status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("org", str)], responses={200: dict})
@api_view(["GET"])
def due_view(request):
    """The reported indicators due for an area (default the caller's own): the period due now, the latest value
    entered for it and its state, the approved value in force."""
    _require(request)
    unit = reported.unit_for(request.user, request.query_params.get("org") or None)
    return Response(
        {
            "org": {"code": unit.code, "name": unit.name, "level": unit.level},
            "due": [
                {
                    "indicator": d.indicator.key,
                    "name": d.indicator.name_zh,
                    "unit": d.indicator.unit,
                    "department": d.indicator.department,
                    "period": d.period.label,
                    "state": d.state,
                    "latest": str(d.latest.public_id) if d.latest else None,
                    "in_force": reported.plain(d.in_force.value) if d.in_force else None,
                }
                for d in reported.due(unit)
            ],
        }
    )


@extend_schema(responses={200: dict})
@api_view(["GET"])
def value_view(request, public_id):
    return Response(reported.as_dict(_value(request, public_id)))


@extend_schema(request=ReviewSerializer, responses={200: dict})
@api_view(["POST"])
def review_view(request, public_id):
    """Approve or return (a note is required) a value awaiting review: not the maker, at the maker's level or
    higher."""
    rv = _value(request, public_id, Action.CHANGE)
    shape = ReviewSerializer(data=request.data)
    shape.is_valid(raise_exception=True)
    if shape.validated_data["action"] == "approve":
        rv = reported.approve(rv, actor=request.user, note=shape.validated_data["note"])
    else:
        rv = reported.return_value(rv, actor=request.user, note=shape.validated_data["note"])
    rv.refresh_from_db()
    return Response(reported.as_dict(rv))


@extend_schema(responses={(200, "application/octet-stream"): bytes})
@api_view(["GET"])
def evidence_view(request, public_id):
    """Download the evidence file (access-logged)."""
    rv = _value(request, public_id)
    audit.access(request.user, rv, fields=["evidence"], purpose="download")
    return FileResponse(
        rv.evidence.open("rb"), as_attachment=True, filename=rv.evidence_name, content_type=rv.evidence_content_type
    )
