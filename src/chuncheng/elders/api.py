"""Elders API: thin — validate the shape, call the service, serialize. Scoped through ``for_user``.

Only masked ID and phone numbers go out; ``id_number`` and ``phone`` are write-only. The full ID number is read
through ``POST …/reveal/`` with a purpose (access log); an ID number search is ``POST /elders/search/`` so the number
never sits in a URL. Every retrieve is written to the access log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core import audit
from chuncheng.core.api_base import FILE_RENDERERS, Pagination
from chuncheng.core.masking import mask_address
from chuncheng.core.models import OrgUnit, SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.elders import queries, services
from chuncheng.elders.choices import Category, ErrorCode
from chuncheng.elders.exports import export_response
from chuncheng.elders.models import Elder, ElderContact

# What a retrieve shows of a person (written to the access log).
RETRIEVE_FIELDS = [
    "name",
    "sex",
    "age",
    "id_number_masked",
    "phone_masked",
    "address_masked",
    "org_unit",
    "categories",
    "capability_level",
    "status",
    "contacts",
]


@extend_schema_field(OpenApiTypes.STR)
class OrgUnitCodeField(serializers.Field):
    """An org unit named by its code (``unknown_org_unit`` when no unit has it)."""

    def to_internal_value(self, data):
        unit = OrgUnit.objects.filter(code=str(data).strip()[:12]).first()
        if unit is None:
            raise serializers.ValidationError(_("No org unit has this code."), code=ErrorCode.UNKNOWN_ORG_UNIT)
        return unit

    def to_representation(self, value):
        return value.code


class ContactSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=30)

    class Meta:
        model = ElderContact
        fields = ["id", "name", "relation", "phone", "phone_masked", "is_guardian"]
        read_only_fields = ["phone_masked"]
        validators: list = []


class ElderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = serializers.CharField(write_only=True, required=False, max_length=30)
    org_unit = OrgUnitCodeField()
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices), required=False)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=30)
    age = serializers.SerializerMethodField()
    advanced_age = serializers.SerializerMethodField()
    allow_under_60 = serializers.BooleanField(write_only=True, required=False)

    class Meta:
        model = Elder
        fields = [
            "id",
            "id_number",
            "id_number_masked",
            "name",
            "sex",
            "age",
            "advanced_age",
            "org_unit",
            "org_unit_name",
            "hukou_local",
            "categories",
            "capability_level",
            "phone",
            "phone_masked",
            "address",
            "lat",
            "lng",
            "status",
            "died_on",
            "moved_on",
            "allow_under_60",
        ]
        read_only_fields = ["id_number_masked", "sex", "phone_masked", "status", "died_on", "moved_on"]
        validators: list = []

    def get_age(self, elder: Elder) -> int:
        return queries.age(elder.birth_date)

    def get_advanced_age(self, elder: Elder) -> bool:
        return queries.is_advanced_age(elder.birth_date)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["address"] = mask_address(instance.address)  # as on screen; the full address is in the edit form
        return data


class ElderCreateSerializer(ElderSerializer):
    id_number = serializers.CharField(write_only=True, max_length=30)


class ElderDetailSerializer(ElderSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(ElderSerializer.Meta):
        fields = [*ElderSerializer.Meta.fields, "contacts"]


class DeathSerializer(serializers.Serializer):
    died_on = serializers.DateField()


class MoveAwaySerializer(serializers.Serializer):
    moved_on = serializers.DateField()


class RevealSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=200)


class IdSearchSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30)


class ElderPagination(Pagination):
    """Page numbers over a capped count (see ``queries.CappedPaginator``): ``count_capped`` says "more than"."""

    django_paginator_class = queries.CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema


LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="part of a name (search by ID number with POST search/)"),
    OpenApiParameter("org", str),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("capability_level", str),
    OpenApiParameter("status", str, description="active (default), deceased, moved_away or all"),
    OpenApiParameter("advanced_age", bool),
    OpenApiParameter("sort", str, enum=sorted(queries.SORTS)),
]


class ElderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ElderSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = ElderPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _action(self) -> str:
        if self.action == "create":
            return Action.ADD
        if self.action in ("partial_update", "death", "move_away", "contact_detail") or (
            self.action == "contacts" and self.request.method == "POST"
        ):
            return Action.CHANGE
        if self.action == "export":
            return Action.EXPORT
        return Action.VIEW

    def get_serializer_class(self):
        if self.action == "create":
            return ElderCreateSerializer
        if self.action == "retrieve":
            return ElderDetailSerializer
        return ElderSerializer

    def _params(self):
        params = self.request.query_params
        if queries.looks_like_id_number(params.get("q", "")):
            raise serializers.ValidationError(
                {
                    "q": [
                        serializers.ErrorDetail(_("Search by ID number with POST search/."), ErrorCode.ID_NUMBER_IN_URL)
                    ]
                }
            )
        return params

    def get_queryset(self):
        return queries.elder_list(self.request.user, self._params(), self._action())

    def get_object(self):
        return get_for_user(
            Elder.objects.select_related("org_unit"),
            self.request.user,
            self._action(),
            public_id=self.kwargs["public_id"],
        )

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        elder = self.get_object()
        audit.access(request.user, elder, fields=RETRIEVE_FIELDS, purpose="view")
        return Response(ElderDetailSerializer(elder).data)

    @extend_schema(request=ElderCreateSerializer, responses={201: ElderSerializer})
    def create(self, request, *args, **kwargs):
        body = ElderCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        allow = bool(data.pop("allow_under_60", False))
        elder = services.register_elder(data, actor=request.user, allow_under_60=allow)
        return Response(ElderSerializer(elder).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ElderSerializer, responses=ElderSerializer)
    def partial_update(self, request, *args, **kwargs):
        elder = self.get_object()
        body = ElderSerializer(elder, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        allow = bool(data.pop("allow_under_60", False))
        elder = services.update_elder(elder, data, actor=request.user, allow_under_60=allow)
        return Response(ElderSerializer(elder).data)

    @extend_schema(request=DeathSerializer, responses=ElderSerializer)
    @action(detail=True, methods=["post"])
    def death(self, request, public_id=None):
        elder = self.get_object()
        body = DeathSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        elder = services.record_death(elder, body.validated_data["died_on"], actor=request.user)
        return Response(ElderSerializer(elder).data)

    @extend_schema(request=MoveAwaySerializer, responses=ElderSerializer)
    @action(detail=True, methods=["post"], url_path="move-away")
    def move_away(self, request, public_id=None):
        elder = self.get_object()
        body = MoveAwaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        elder = services.record_move_away(elder, body.validated_data["moved_on"], actor=request.user)
        return Response(ElderSerializer(elder).data)

    @extend_schema(request=ContactSerializer, responses=ContactSerializer(many=True))
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def contacts(self, request, public_id=None):
        elder = self.get_object()
        if request.method == "GET":
            audit.access(request.user, elder, fields=["contacts"], purpose="view")
            return Response(ContactSerializer(elder.contacts.order_by("-is_guardian", "name"), many=True).data)
        body = ContactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        contact = services.add_contact(elder, dict(body.validated_data), actor=request.user)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContactSerializer, responses=ContactSerializer)
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"contacts/(?P<contact_id>[0-9a-fA-F-]{32,36})",
        url_name="contact-detail",
    )
    def contact_detail(self, request, public_id=None, contact_id=None):
        elder = self.get_object()
        try:
            contact = elder.contacts.get(public_id=contact_id)
        except (ElderContact.DoesNotExist, ValueError, DjangoValidationError) as exc:
            raise Http404 from exc
        contact.elder = elder
        if request.method == "DELETE":
            services.remove_contact(contact, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        body = ContactSerializer(contact, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        contact = services.update_contact(contact, dict(body.validated_data), actor=request.user)
        return Response(ContactSerializer(contact).data)

    @extend_schema(
        request=RevealSerializer,
        responses=inline_serializer("RevealedIdNumber", {"id_number": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, public_id=None):
        elder = self.get_object()
        body = RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = services.reveal_id_number(elder, actor=request.user, purpose=body.validated_data["purpose"])
        return Response({"id_number": value})

    @extend_schema(request=IdSearchSerializer, responses=ElderSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def search(self, request):
        body = IdSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        criteria = {"q": body.validated_data["id_number"], "status": queries.STATUS_ALL}
        found = queries.elder_list(request.user, criteria)[:10]
        return Response(ElderSerializer(found, many=True).data)

    @extend_schema(
        parameters=[*LIST_PARAMETERS, OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): bytes},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        renderer_classes=FILE_RENDERERS,
    )
    def export(self, request):
        qs = self.get_queryset()
        audit.security_event(
            SecurityEventKind.EXPORT,
            user=request.user,
            path=request.path,
            data_kind="elders",
            rows=qs.count(),
            unmasked=False,
        )
        return export_response(qs, request.query_params.get("format", "csv"))
