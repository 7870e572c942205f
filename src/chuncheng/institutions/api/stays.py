"""Stays API (入住): list (by elder, institution, state), retrieve, admit, discharge, transfer, export.

An admission names the elder by the full ID number in the request body (never in a URL); it is looked up through the
blind index. Responses show the masked ID number only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core.api_base import FILE_RENDERERS
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.institutions import queries, services
from chuncheng.institutions.api.common import ScopedActions, export_download
from chuncheng.institutions.choices import BedKind, DischargeReason
from chuncheng.institutions.models import Admission, Institution


class StaySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    elder_id_number = serializers.CharField(source="elder.id_number_masked", read_only=True)
    institution = serializers.UUIDField(source="institution.public_id", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    transferred_to = serializers.SerializerMethodField()

    class Meta:
        model = Admission
        fields = [
            "id",
            "elder",
            "elder_name",
            "elder_id_number",
            "institution",
            "institution_name",
            "bed_kind",
            "admitted_on",
            "discharged_on",
            "discharge_reason",
            "transferred_to",
        ]
        read_only_fields = fields

    def get_transferred_to(self, obj) -> str | None:
        return str(obj.transferred_to.public_id) if obj.transferred_to_id else None


class AdmitSerializer(serializers.Serializer):
    institution = serializers.UUIDField()
    id_number = serializers.CharField(max_length=30)
    bed_kind = serializers.ChoiceField(choices=BedKind.choices, default=BedKind.GENERAL)
    admitted_on = serializers.DateField()


class DischargeSerializer(serializers.Serializer):
    discharged_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=DischargeReason.choices)


class TransferSerializer(serializers.Serializer):
    to_institution = serializers.UUIDField()
    on = serializers.DateField()
    bed_kind = serializers.ChoiceField(choices=BedKind.choices, required=False)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


class StayViewSet(ScopedActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = StaySerializer
    lookup_field = "public_id"
    change_actions = ("discharge", "transfer")

    def get_queryset(self):
        return queries.stay_list(self.request.user, self.request.query_params, self.scope_action)

    def get_object(self):
        return get_for_user(
            Admission.objects.select_related("elder", "institution__org_unit", "transferred_to"),
            self.request.user,
            self.scope_action,
            public_id=self.kwargs["public_id"],
        )

    def _institution(self, public_id, field: str) -> Institution:
        institution = (
            Institution.objects.for_user(self.request.user)
            .select_related("org_unit")
            .filter(public_id=public_id)
            .first()
        )
        if institution is None:
            raise _field_error(field, _("No institution in your scope has this id."), "unknown_institution")
        return institution

    def _show(self, stay: Admission):
        stay = Admission.objects.select_related("elder", "institution", "transferred_to").get(pk=stay.pk)
        return self.get_serializer(stay).data

    @extend_schema(
        parameters=[
            OpenApiParameter("elder", str, description="the elder's public id"),
            OpenApiParameter("institution", str, description="the institution's public id"),
            OpenApiParameter("state", str, enum=["current", "past"]),
            OpenApiParameter("bed_kind", str, enum=BedKind.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AdmitSerializer, responses={201: StaySerializer})
    def create(self, request, *args, **kwargs):
        """入住: admit the elder with this ID number."""
        body = AdmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        institution = self._institution(data["institution"], "institution")
        elder = queries.elder_by_id_number(data["id_number"])
        if elder is None:
            raise _field_error("id_number", _("No elder in the registry has this ID number."), "unknown_elder")
        stay = services.admit(
            elder, institution, bed_kind=data["bed_kind"], admitted_on=data["admitted_on"], actor=request.user
        )
        return Response(self._show(stay), status=status.HTTP_201_CREATED)

    @extend_schema(request=DischargeSerializer, responses=StaySerializer)
    @action(detail=True, methods=["post"])
    def discharge(self, request, public_id=None):
        stay = self.get_object()
        body = DischargeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        stay = services.discharge(stay, data["discharged_on"], data["reason"], actor=request.user)
        return Response(self._show(stay))

    @extend_schema(request=TransferSerializer, responses={201: StaySerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, public_id=None):
        """转院: returns the new stay; the old one links to it (``transferred_to``)."""
        stay = self.get_object()
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        to = self._institution(data["to_institution"], "to_institution")
        new = services.transfer(stay, to, data["on"], bed_kind=data.get("bed_kind"), actor=request.user)
        return Response(self._show(new), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])], responses={(200, "text/csv"): bytes}
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=FILE_RENDERERS)
    def export(self, request):
        return export_download(
            request, "residents", queries.stay_list(request.user, request.query_params, Action.EXPORT)
        )
