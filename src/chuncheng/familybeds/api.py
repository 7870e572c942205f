"""Family-bed API under /api/v1/family-beds/: list, detail, create; the adaptation and status of a bed; the month's
compliance and the active-bed count per area. Thin: shape checks here, rules in ``services``, reads in ``queries``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core.api_base import Pagination
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.familybeds import queries, rules, services
from chuncheng.familybeds.choices import BedStatus, ErrorCode
from chuncheng.familybeds.models import HomeAdaptation, HomeCareBed
from chuncheng.homecare.choices import ServiceKind
from chuncheng.homecare.models import Provider
from chuncheng.institutions.models import Institution

UUID_RE = "[0-9a-fA-F-]{32,36}"


class PlanEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    visits_per_month = serializers.IntegerField(min_value=1, max_value=31)


class AdaptationSerializer(serializers.ModelSerializer):
    items = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False)

    class Meta:
        model = HomeAdaptation
        fields = ["items", "cost", "subsidy", "completed_on"]


class BedSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id")
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    org_unit = serializers.CharField(source="elder.org_unit.code", read_only=True)
    institution = serializers.UUIDField(source="institution.public_id", required=False, allow_null=True)
    provider = serializers.UUIDField(source="provider.public_id", required=False, allow_null=True)
    plan = PlanEntrySerializer(many=True, required=False)
    adaptation = serializers.SerializerMethodField()

    class Meta:
        model = HomeCareBed
        fields = [
            "id",
            "elder",
            "elder_name",
            "org_unit",
            "institution",
            "provider",
            "capability_level",
            "start_date",
            "end_date",
            "status",
            "plan",
            "planned_visits",
            "adaptation",
        ]
        read_only_fields = ["capability_level", "status", "planned_visits"]

    def get_adaptation(self, bed: HomeCareBed) -> dict | None:
        adaptation = getattr(bed, "adaptation", None) if hasattr(bed, "adaptation") else None
        return AdaptationSerializer(adaptation).data if adaptation else None


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=BedStatus.choices)
    on = serializers.DateField(required=False)


def _month(params) -> str:
    month = params.get("month") or today().strftime("%Y-%m")
    try:
        rules.month_range(month)
    except ValueError as exc:
        raise ValidationError(
            {"month": ValidationError(_("A month is written YYYY-MM."), code=ErrorCode.BAD_MONTH)}
        ) from exc
    return month


class BedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = BedSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_RE
    pagination_class = Pagination

    def get_queryset(self):
        return queries.beds_for(self.request.user, self.request.query_params)

    def get_object(self):
        return self._bed(Action.VIEW)

    def _bed(self, act: str) -> HomeCareBed:
        qs = HomeCareBed.objects.select_related("elder__org_unit", "institution", "provider", "adaptation")
        return get_for_user(qs, self.request.user, act, public_id=self.kwargs["public_id"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        elder = Elder.objects.for_user(request.user).filter(public_id=data["elder"]["public_id"]).first()
        if elder is None:
            raise Http404
        institution = provider = None
        if (data.get("institution") or {}).get("public_id"):
            institution = Institution.objects.filter(public_id=data["institution"]["public_id"]).first()
            if institution is None:
                raise Http404
        if (data.get("provider") or {}).get("public_id"):
            provider = Provider.objects.filter(public_id=data["provider"]["public_id"]).first()
            if provider is None:
                raise Http404
        bed = services.setup_bed(
            elder,
            institution=institution,
            provider=provider,
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            plan=[dict(entry) for entry in data.get("plan") or []],
            actor=request.user,
        )
        return Response(self.get_serializer(bed).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AdaptationSerializer, responses=BedSerializer)
    @action(detail=True, methods=["post"])
    def adaptation(self, request, public_id=None):
        bed = self._bed(Action.CHANGE)
        serializer = AdaptationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_adaptation(bed, **serializer.validated_data, actor=request.user)
        return Response(BedSerializer(self._bed(Action.VIEW)).data)

    @extend_schema(request=StatusSerializer, responses=BedSerializer)
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def set_status(self, request, public_id=None):
        bed = self._bed(Action.CHANGE)
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.change_status(bed, data["status"], on=data.get("on") or today(), actor=request.user)
        return Response(BedSerializer(self._bed(Action.VIEW)).data)

    @extend_schema(parameters=[OpenApiParameter("month", str), OpenApiParameter("org", str)], responses={200: dict})
    @action(detail=False, methods=["get"])
    def compliance(self, request):
        """Planned vs verified payable visits per bed for a month (one aggregate query)."""
        month = _month(request.query_params)
        rows = queries.compliance_rows(self.get_queryset(), month)
        return Response({"month": month, "results": [_row(r) for r in rows]})

    @extend_schema(parameters=[OpenApiParameter("on", str), OpenApiParameter("level", str)], responses={200: dict})
    @action(detail=False, methods=["get"])
    def counts(self, request):
        """Active beds per county or township on a date (default today)."""
        try:
            on = date.fromisoformat(request.query_params.get("on") or today().isoformat())
        except ValueError as exc:
            raise ValidationError({"on": ValidationError(_("Enter a valid date."), code=ErrorCode.BAD_DATES)}) from exc
        level = "township" if request.query_params.get("level") == "township" else "county"
        rows = queries.active_counts(HomeCareBed.objects.for_user(request.user), on, level)
        return Response({"on": on.isoformat(), "level": level, "results": rows})


def _row(row: queries.Compliance) -> dict:
    return {
        "bed": str(row.bed.public_id),
        "elder": str(row.bed.elder.public_id),
        "elder_name": row.bed.elder.name,
        "org_unit": row.bed.elder.org_unit.code,
        "planned": row.planned,
        "verified": row.verified,
        "rate": str(row.rate),
        "status": row.status,
    }
