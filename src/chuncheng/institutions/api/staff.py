"""Staff API (从业人员): list, retrieve, hire, update, leave, export, statistics. ID numbers are shown masked."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core.api_base import FILE_RENDERERS
from chuncheng.core.scope import get_for_user
from chuncheng.institutions import queries, services
from chuncheng.institutions.api.common import ScopedActions, export_download
from chuncheng.institutions.models import Facility, Institution, Staff
from chuncheng.institutions.services.staff import STAFF_FIELDS


class StaffSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    institution = serializers.SerializerMethodField()
    facility = serializers.SerializerMethodField()
    employer_name = serializers.SerializerMethodField()

    class Meta:
        model = Staff
        fields = ["id", "id_number", "institution", "facility", "employer_name", *STAFF_FIELDS]

    def get_institution(self, obj) -> str | None:
        return str(obj.institution.public_id) if obj.institution_id else None

    def get_facility(self, obj) -> str | None:
        return str(obj.facility.public_id) if obj.facility_id else None

    def get_employer_name(self, obj) -> str:
        return (obj.institution or obj.facility).name


class StaffWriteSerializer(serializers.ModelSerializer):
    """The writable shape: on hire also ``id_number`` and exactly one of ``institution`` / ``facility``."""

    id_number = serializers.CharField(max_length=30, required=False)
    institution = serializers.UUIDField(required=False)
    facility = serializers.UUIDField(required=False)

    class Meta:
        model = Staff
        fields = ["id_number", "institution", "facility", *STAFF_FIELDS]
        validators: list = []


class LeaveSerializer(serializers.Serializer):
    left_on = serializers.DateField()


class StaffViewSet(
    ScopedActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StaffSerializer
    lookup_field = "public_id"
    change_actions = ("leave",)

    def get_queryset(self):
        return queries.staff_list(self.request.user, self.request.query_params, self.scope_action)

    def get_object(self):
        return get_for_user(
            Staff.objects.select_related("institution__org_unit", "facility__org_unit", "org_unit"),
            self.request.user,
            self.scope_action,
            public_id=self.kwargs["public_id"],
        )

    def _employer(self, data) -> Institution | Facility:
        given = [k for k in ("institution", "facility") if data.get(k)]
        if len(given) != 1:
            raise ValidationError(
                {"institution": ValidationError(_("Name one institution or one facility."), code="staff_one_employer")}
            )
        model = Institution if given[0] == "institution" else Facility
        employer = (
            model.objects.for_user(self.request.user)
            .select_related("org_unit")
            .filter(public_id=data[given[0]])
            .first()
        )
        if employer is None:
            raise ValidationError(
                {given[0]: ValidationError(_("No employer in your scope has this id."), code="unknown_employer")}
            )
        return employer

    @extend_schema(
        parameters=[
            OpenApiParameter("institution", str, description="the employer institution's public id"),
            OpenApiParameter("facility", str, description="the employer facility's public id"),
            OpenApiParameter("role", str),
            OpenApiParameter("skill_grade", str),
            OpenApiParameter("in_post", str, enum=["1", "0"]),
            OpenApiParameter("q", str, description="name contains"),
            OpenApiParameter("org", str, description="org unit code prefix"),
            OpenApiParameter("sort", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=StaffWriteSerializer, responses={201: StaffSerializer})
    def create(self, request, *args, **kwargs):
        body = StaffWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        employer = self._employer(data)
        data.pop("institution", None)
        data.pop("facility", None)
        member = services.hire_staff(employer, data, actor=request.user)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StaffWriteSerializer, responses=StaffSerializer)
    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        body = StaffWriteSerializer(member, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fixed = [k for k in ("id_number", "institution", "facility") if k in body.validated_data]
        if fixed:
            raise ValidationError(
                {k: ValidationError(_("You may not change this field."), code="field_not_editable") for k in fixed}
            )
        changed = {k: v for k, v in body.validated_data.items() if getattr(member, k) != v}
        member = services.update_staff(member, changed, actor=request.user)
        return Response(self.get_serializer(member).data)

    @extend_schema(request=LeaveSerializer, responses=StaffSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, public_id=None):
        member = self.get_object()
        body = LeaveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.leave_staff(member, body.validated_data["left_on"], actor=request.user)
        return Response(self.get_serializer(member).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])], responses={(200, "text/csv"): bytes}
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=FILE_RENDERERS)
    def export(self, request):
        return export_download(request, "staff", self.get_queryset())

    @extend_schema(
        parameters=[OpenApiParameter("by", str, enum=[*queries.STATISTICS_LEVELS])],
        responses=inline_serializer(
            "StaffStatistics",
            {
                "by": serializers.CharField(),
                "areas": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """Staff in post per county or township of the caller's scope (caregivers, social workers, beds)."""
        by = request.query_params.get("by", "county")
        by = by if by in queries.STATISTICS_LEVELS else "county"
        return Response({"by": by, "areas": queries.staff_statistics(request.user, by)})
