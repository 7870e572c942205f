"""Institutions API: thin — validate, call the service, serialize. Scoped through ``for_user``."""

from __future__ import annotations

import io

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core import audit
from chuncheng.core.models import OrgUnit, SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.core.tabular import write_csv, write_xlsx
from chuncheng.institutions import queries, services
from chuncheng.institutions.models import Institution


class InstitutionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())

    class Meta:
        model = Institution
        fields = [
            "id",
            "code",
            "name",
            "uscc",
            "org_unit",
            "kind",
            "government_operated",
            "property",
            "lease_years",
            "approved_beds",
            "nursing_beds",
            "safety_net_beds",
            "puhui_beds",
            "is_nursing_type",
            "internal_medical",
            "medical_agreement",
            "filed_on",
            "opened_on",
            "address",
            "phone",
            "lat",
            "lng",
            "status",
        ]
        read_only_fields = ["status"]
        # Model validation (constraints included) runs once, in the service's full_clean.
        validators: list = []
        extra_kwargs = {"uscc": {"validators": []}}


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["active", "suspended", "exited"])


class InstitutionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InstitutionSerializer
    lookup_field = "public_id"

    def _action(self) -> str:
        if self.action in ("update", "partial_update", "set_status"):
            return Action.CHANGE
        if self.action == "export":
            return Action.EXPORT
        return Action.VIEW

    def get_queryset(self):
        return queries.institution_list(self.request.user, self.request.query_params, self._action())

    def get_object(self):
        return get_for_user(
            Institution.objects.select_related("org_unit"),
            self.request.user,
            self._action(),
            public_id=self.kwargs["public_id"],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("org", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
            OpenApiParameter("sort", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        institution = services.file_institution(body.validated_data, actor=request.user)
        return Response(self.get_serializer(institution).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        institution = self.get_object()
        body = self.get_serializer(institution, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        changed = {k: v for k, v in body.validated_data.items() if getattr(institution, k) != v}
        institution = services.update_institution(institution, changed, actor=request.user)
        return Response(self.get_serializer(institution).data)

    @extend_schema(request=StatusSerializer, responses=InstitutionSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, public_id=None):
        institution = self.get_object()
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        institution = services.set_status(institution, body.validated_data["status"], actor=request.user)
        return Response(self.get_serializer(institution).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])], responses={(200, "text/csv"): bytes}
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        qs = self.get_queryset()
        fmt = request.query_params.get("format", "csv")
        audit.security_event(
            SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind="institutions", rows=qs.count()
        )
        return export_response(qs, fmt)


def export_response(qs, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, queries.EXPORT_COLUMNS, queries.export_rows(qs), title="institutions")
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="institutions.xlsx"'
        return response
    buffer = io.StringIO()
    write_csv(buffer, queries.EXPORT_COLUMNS, queries.export_rows(qs))
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="institutions.csv"'
    return response
