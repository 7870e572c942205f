"""Capability assessment API: thin — validate the shape, call the service, serialize. Scoped through ``for_user``.

The answers (health data) appear only in a retrieve, which is written to the access log; lists and exports carry
scores and levels only.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.assessment import queries, services
from chuncheng.assessment.choices import Channel, Reason
from chuncheng.assessment.exports import export_response
from chuncheng.assessment.health import open_answers
from chuncheng.assessment.models import Assessment, AssessmentAgency, Assessor
from chuncheng.core import audit
from chuncheng.core.api_base import FILE_RENDERERS, Pagination
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.elders.models import Elder


class AgencySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)
    counties = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentAgency
        fields = ["id", "name", "org_unit", "counties", "active"]

    def get_counties(self, agency) -> list[str]:
        return sorted(c.code for c in agency.counties.all())


class AssessmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    org_unit = serializers.CharField(source="elder.org_unit.code", read_only=True)
    agency = serializers.UUIDField(source="agency.public_id", read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "elder",
            "elder_name",
            "org_unit",
            "reason",
            "channel",
            "status",
            "agency",
            "dimension_scores",
            "total",
            "preliminary_level",
            "adjustments",
            "final_level",
            "requested_at",
            "submitted_at",
            "signed_on",
            "valid_until",
        ]


class AssessmentDetailSerializer(AssessmentSerializer):
    assessors = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "assessors", "answers", "review_note"]

    def get_assessors(self, assessment) -> list[str]:
        return [str(a.public_id) for a in assessment.assessors]

    @extend_schema_field(serializers.DictField(child=serializers.JSONField()))
    def get_answers(self, assessment) -> dict:
        return open_answers(assessment)  # decrypted for this retrieve only (the caller writes the access log)


class RequestSerializer(serializers.Serializer):
    elder = serializers.UUIDField()
    reason = serializers.ChoiceField(choices=Reason.choices, default=Reason.FIRST)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.COMMUNITY_WORKER)


class AssignSerializer(serializers.Serializer):
    agency = serializers.UUIDField()
    assessors = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=5)


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField())


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _not_found(field: str, code: str = "not_found") -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(_("Not found."), code)]})


class AgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AgencySerializer
    lookup_field = "public_id"
    pagination_class = Pagination

    def get_queryset(self):
        return queries.agency_list(self.request.user).order_by("name")

    def get_object(self):
        return get_for_user(
            AssessmentAgency.objects.prefetch_related("counties"), self.request.user, public_id=self.kwargs["public_id"]
        )


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = Pagination

    def _action(self) -> str:
        if self.action == "create":
            return Action.ADD
        if self.action in ("assign", "answers", "submit", "review"):
            return Action.CHANGE
        if self.action == "export":
            return Action.EXPORT
        return Action.VIEW

    def get_queryset(self):
        return queries.assessment_list(self.request.user, self.request.query_params, self._action())

    def get_object(self):
        return get_for_user(
            Assessment.objects.select_related("elder__org_unit", "agency", "assessor_1", "assessor_2"),
            self.request.user,
            self._action(),
            public_id=self.kwargs["public_id"],
        )

    def retrieve(self, request, *args, **kwargs):
        assessment = self.get_object()
        audit.access(request.user, assessment, fields=["answers", "scores"], purpose="view")
        return Response(AssessmentDetailSerializer(assessment).data)

    @extend_schema(request=RequestSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        body = RequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        elder = Elder.objects.for_user(request.user).filter(public_id=data["elder"]).first()
        if elder is None:
            raise _not_found("elder", "elder_out_of_scope")
        assessment = services.request_assessment(
            elder, actor=request.user, reason=data["reason"], channel=data["channel"]
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, public_id=None):
        assessment = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agency = AssessmentAgency.objects.filter(public_id=body.validated_data["agency"]).first()
        if agency is None:
            raise _not_found("agency")
        wanted = body.validated_data["assessors"]
        found = {a.public_id: a for a in Assessor.objects.filter(public_id__in=wanted)}
        if len(found) != len(set(wanted)):
            raise _not_found("assessors")
        assessment = services.assign(assessment, agency, [found[w] for w in wanted], actor=request.user)
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=AnswersSerializer, responses=AssessmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, public_id=None):
        assessment = self.get_object()
        body = AnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = services.save_answers(assessment, body.validated_data["answers"], actor=request.user)
        return Response(AssessmentDetailSerializer(assessment).data)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, public_id=None):
        assessment = services.submit(self.get_object(), actor=request.user)
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=ReviewSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        assessment = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = services.review(
            assessment,
            actor=request.user,
            approve=body.validated_data["approve"],
            note=body.validated_data.get("note", ""),
        )
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(responses={(200, "text/csv"): inline_serializer("AssessmentCsv", {})})
    @action(detail=False, methods=["get"], renderer_classes=FILE_RENDERERS)
    def export(self, request):
        qs = self.get_queryset()
        audit.security_event(
            SecurityEventKind.EXPORT, user=request.user, path=request.path, data_kind="assessments", rows=qs.count()
        )
        return export_response(qs, request.query_params.get("format", "csv"))
