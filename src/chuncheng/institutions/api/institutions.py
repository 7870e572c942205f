"""Institutions API: thin — validate, call the service, serialize. Scoped through ``for_user``."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core.api_base import FILE_RENDERERS
from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import get_for_user
from chuncheng.institutions import queries, services
from chuncheng.institutions.api.common import ScopedActions, export_download
from chuncheng.institutions.choices import InstitutionStatus
from chuncheng.institutions.models import Institution


class InstitutionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    residents = serializers.IntegerField(read_only=True, help_text="Open stays.")
    nursing_residents = serializers.IntegerField(read_only=True, help_text="Open stays on nursing beds.")
    occupancy = serializers.SerializerMethodField(help_text="Open stays / approved beds (null without beds).")
    nursing_occupancy = serializers.SerializerMethodField(
        help_text="Open stays on nursing beds / nursing beds (null without nursing beds)."
    )

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
            "residents",
            "nursing_residents",
            "occupancy",
            "nursing_occupancy",
        ]
        read_only_fields = ["status"]
        # Model validation (constraints included) runs once, in the service's full_clean.
        validators: list = []
        extra_kwargs = {"uscc": {"validators": []}}

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_occupancy(self, obj) -> float | None:
        value = getattr(obj, "occupancy", None)
        return None if value is None else round(value, 4)

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_nursing_occupancy(self, obj) -> float | None:
        value = getattr(obj, "nursing_occupancy", None)
        return None if value is None else round(value, 4)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=InstitutionStatus.choices)


class InstitutionViewSet(
    ScopedActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InstitutionSerializer
    lookup_field = "public_id"
    change_actions = ("set_status",)

    def get_queryset(self):
        return queries.institution_list(self.request.user, self.request.query_params, self.scope_action)

    def get_object(self):
        return get_for_user(
            queries.with_occupancy(Institution.objects.select_related("org_unit")),
            self.request.user,
            self.scope_action,
            public_id=self.kwargs["public_id"],
        )

    def _fresh(self, institution: Institution) -> Institution:
        """The record as the list shows it (with its occupancy) after a write."""
        return queries.with_occupancy(Institution.objects.select_related("org_unit")).get(pk=institution.pk)

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
        return Response(self.get_serializer(self._fresh(institution)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        institution = self.get_object()
        body = self.get_serializer(institution, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        changed = {k: v for k, v in body.validated_data.items() if getattr(institution, k) != v}
        institution = services.update_institution(institution, changed, actor=request.user)
        return Response(self.get_serializer(self._fresh(institution)).data)

    @extend_schema(request=StatusSerializer, responses=InstitutionSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, public_id=None):
        institution = self.get_object()
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        institution = services.set_status(institution, body.validated_data["status"], actor=request.user)
        return Response(self.get_serializer(self._fresh(institution)).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])], responses={(200, "text/csv"): bytes}
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=FILE_RENDERERS)
    def export(self, request):
        return export_download(request, "institutions", self.get_queryset())
