"""Community facilities API: list/retrieve/create/update, close/reopen, export. Scoped through ``for_user``."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core.api_base import FILE_RENDERERS
from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import get_for_user
from chuncheng.institutions import queries, services
from chuncheng.institutions.api.common import ScopedActions, export_download
from chuncheng.institutions.choices import FacilityStatus
from chuncheng.institutions.models import Facility


class FacilitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())

    class Meta:
        model = Facility
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "org_unit",
            "operator",
            "area_m2",
            "beds",
            "opened_on",
            "lat",
            "lng",
            "status",
        ]
        read_only_fields = ["status"]
        validators: list = []
        extra_kwargs = {"code": {"validators": []}}


class FacilityStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FacilityStatus.choices)


class FacilityViewSet(
    ScopedActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = FacilitySerializer
    lookup_field = "public_id"
    change_actions = ("set_status",)

    def get_queryset(self):
        return queries.facility_list(self.request.user, self.request.query_params, self.scope_action)

    def get_object(self):
        return get_for_user(
            Facility.objects.select_related("org_unit"),
            self.request.user,
            self.scope_action,
            public_id=self.kwargs["public_id"],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="name contains, or exact code"),
            OpenApiParameter("org", str, description="org unit code prefix"),
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
            OpenApiParameter("operator", str),
            OpenApiParameter("sort", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        facility = services.file_facility(body.validated_data, actor=request.user)
        return Response(self.get_serializer(facility).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        facility = self.get_object()
        body = self.get_serializer(facility, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        changed = {k: v for k, v in body.validated_data.items() if getattr(facility, k) != v}
        facility = services.update_facility(facility, changed, actor=request.user)
        return Response(self.get_serializer(facility).data)

    @extend_schema(request=FacilityStatusSerializer, responses=FacilitySerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, public_id=None):
        """Close a facility (``closed``) or reopen it (``active``)."""
        facility = self.get_object()
        body = FacilityStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["status"] == FacilityStatus.CLOSED:
            facility = services.close_facility(facility, actor=request.user)
        else:
            facility = services.reopen_facility(facility, actor=request.user)
        return Response(self.get_serializer(facility).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])], responses={(200, "text/csv"): bytes}
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=FILE_RENDERERS)
    def export(self, request):
        return export_download(request, "facilities", self.get_queryset())
