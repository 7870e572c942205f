"""Data-exchange API: file imports of every registered kind, the import log, and the population figures.

Thin: validate the request's shape, call the pipeline or the service, serialize. Scoped through ``for_user``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, parser_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from chuncheng.core import audit, population
from chuncheng.core.api_base import FILE_RENDERERS
from chuncheng.core.imports import ImportResult
from chuncheng.core.imports_views import check_upload, export_download, import_log_for, run_upload
from chuncheng.core.models import ImportLog, OrgUnit, Population, SecurityEventKind
from chuncheng.core.registry import IMPORTERS
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.core.tabular import FileRefused

# ---- imports -------------------------------------------------------------------------------------------------


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="CSV (UTF-8 or GBK) or XLSX, at most 50 MB.")
    partial = serializers.BooleanField(default=False, help_text="Import the valid rows and report the rest.")
    dry_run = serializers.BooleanField(default=False, help_text="Validate only; write nothing.")


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number as a spreadsheet shows it (the header is row 1).")
    column = serializers.CharField(help_text="English column key.")
    field = serializers.CharField(help_text="Same as column (the API's common error shape).")
    value = serializers.CharField()
    code = serializers.CharField(help_text="Stable English error code.")
    message = serializers.CharField(help_text="Chinese message.")


class ImportFileErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    rows_total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid_rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    partial = serializers.BooleanField()
    written = serializers.BooleanField()
    errors = ImportRowErrorSerializer(many=True)
    file_error = ImportFileErrorSerializer(required=False)


class ImportRefusedSerializer(ImportResultSerializer):
    code = serializers.CharField(help_text="import_invalid, or the whole file's code (file_not_xlsx, ...).")
    message = serializers.CharField()


ErrorSerializer = inline_serializer("ErrorShape", {"code": serializers.CharField(), "message": serializers.CharField()})


def result_body(result: ImportResult) -> tuple[dict, int]:
    """200 with the result when written, or when a dry run found nothing wrong; else 422 with the same result under
    ``import_invalid`` (or the code of the whole file's refusal)."""
    body = result.as_dict()
    for error in body["errors"]:
        error["field"] = error["column"]
    if result.written or (result.dry_run and result.ok):
        return body, status.HTTP_200_OK
    if result.file_error is not None:
        head = {"code": result.file_error.code, "message": result.file_error.message}
    else:
        head = {"code": "import_invalid", "message": _("The file has invalid rows; nothing was written.")}
    return {**head, **body}, 422


@extend_schema(
    operation_id="imports_create",
    summary="Import a CSV/XLSX file of one kind (docs/data-exchange.md)",
    description=(
        "Every row is validated first. With any invalid row nothing is written (422, code `import_invalid`, every "
        "problem listed) unless `partial` is true; a file refused whole answers 422 with its own code "
        "(`file_not_xlsx`, `file_encoding`, `unknown_columns`, …), a file over 50 MB 413 `file_too_large`."
    ),
    parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, description="e.g. population, institutions")],
    request={"multipart/form-data": UploadSerializer},
    responses={
        200: ImportResultSerializer,
        403: OpenApiResponse(ErrorSerializer, description="permission_denied: the caller may not import this kind"),
        404: OpenApiResponse(ErrorSerializer, description="not_found: no such kind"),
        413: OpenApiResponse(ErrorSerializer, description="file_too_large"),
        422: ImportRefusedSerializer,
    },
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_view(request, kind: str):
    importer_cls = IMPORTERS.get(kind)
    if importer_cls is None:
        raise Http404
    importer = importer_cls(request.user)
    upload = request.FILES.get("file")
    # Refuse the act and an oversize file on the declared size, before the body's fields are validated or read.
    try:
        check_upload(importer, getattr(upload, "size", None), settings.MAX_UPLOAD_BYTES)
    except PermissionDenied:
        audit.security_event(SecurityEventKind.ACCESS_DENIED, user=request.user, path=request.path, data_kind=kind)
        raise
    except FileRefused as exc:
        return Response({"code": exc.code, "message": exc.message}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    body = UploadSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    try:
        result = run_upload(importer, data["file"], partial=data["partial"], dry_run=data["dry_run"])
    except FileRefused as exc:
        return Response({"code": exc.code, "message": exc.message}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    payload, code = result_body(result)
    return Response(payload, status=code)


class ImportLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportLog
        fields = [
            "at",
            "username",
            "kind",
            "file_name",
            "file_sha256",
            "dry_run",
            "partial",
            "rows_total",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "rows_invalid",
        ]


class ImportLogView(generics.ListAPIView):
    """The import log: the caller's own runs (city officials and the system administrator: every run)."""

    serializer_class = ImportLogSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ImportLog.objects.none()
        return import_log_for(self.request.user, self.request.query_params)

    @extend_schema(parameters=[OpenApiParameter("kind", str)], summary="The import log")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# ---- population ----------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class OrgUnitCodeField(serializers.Field):
    """An org unit given by its division code (``unknown_org_unit`` when no unit has it)."""

    default_error_messages = {"unknown_org_unit": _("No org unit has this code.")}

    def to_internal_value(self, data):
        unit = OrgUnit.objects.filter(code=str(data).strip()).first()
        if unit is None:
            self.fail("unknown_org_unit")
        return unit

    def to_representation(self, value):
        return value.code


class FiguresSerializer(serializers.Serializer):
    """The figures of one unit and year. The rules (``negative``, ``population_60_le_total``,
    ``population_65_le_60``) are the service's, so the API, the page and the file answer alike."""

    population_total = serializers.IntegerField(help_text="常住人口")
    population_60plus = serializers.IntegerField(help_text="60岁及以上人口")
    population_65plus = serializers.IntegerField(required=False, allow_null=True, help_text="65岁及以上人口")
    infants_0_3 = serializers.IntegerField(required=False, allow_null=True, help_text="0-3岁婴幼儿")
    households = serializers.IntegerField(required=False, allow_null=True, help_text="户数")


class PopulationSerializer(FiguresSerializer):
    key = serializers.SerializerMethodField(help_text="The figure's address in this API: <division code>-<year>.")
    org_unit = OrgUnitCodeField(help_text="Division code (6, 9 or 12 digits).")
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    level = serializers.CharField(source="org_unit.level", read_only=True)
    year = serializers.IntegerField()
    share_60plus = serializers.FloatField(read_only=True, allow_null=True, help_text="60+ / total (null: no people).")

    field_order = ["key", "org_unit", "org_unit_name", "level", "year"]

    def get_key(self, obj) -> str:
        return f"{obj.org_unit.code}-{obj.year}"


class PopulationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Population figures in the caller's area. ``POST`` sets one unit's figures for a year (201 when new, 200 when
    it replaces them); ``PUT``/``PATCH`` on ``<code>-<year>`` change an existing one."""

    serializer_class = PopulationSerializer
    lookup_field = "key"
    lookup_value_regex = r"\d{6,12}-\d{4}"

    @property
    def scope_action(self) -> str:
        return {
            "create": Action.ADD,
            "update": Action.CHANGE,
            "partial_update": Action.CHANGE,
            "export": Action.EXPORT,
        }.get(self.action, Action.VIEW)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Population.objects.none()
        return population.population_list(self.request.user, self.request.query_params, self.scope_action)

    def get_object(self):
        code, _sep, year = self.kwargs["key"].partition("-")
        return get_for_user(self._annotated(), self.request.user, self.scope_action, org_unit__code=code, year=year)

    def _annotated(self):
        return population.population_list(self.request.user, {}, self.scope_action)

    def _fresh(self, record: Population) -> Population:
        return self._annotated().get(pk=record.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("org", str, description="division code prefix"),
            OpenApiParameter("level", str, enum=["city", "county", "township", "village"]),
            OpenApiParameter("sort", str, enum=sorted(population.SORTS)),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PopulationSerializer,
        responses={201: PopulationSerializer, 200: PopulationSerializer},
        summary="Set one unit's figures for one year",
    )
    def create(self, request, *args, **kwargs):
        body = PopulationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        unit, year = data.pop("org_unit"), data.pop("year")
        record, created = population.set_population(unit, year, data, actor=request.user)
        return Response(
            self.get_serializer(self._fresh(record)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=FiguresSerializer, responses=PopulationSerializer)
    def update(self, request, *args, **kwargs):
        record = self.get_object()
        body = FiguresSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        record, _created = population.set_population(
            record.org_unit, record.year, body.validated_data, actor=request.user
        )
        return Response(self.get_serializer(self._fresh(record)).data)

    @extend_schema(request=FiguresSerializer, responses=PopulationSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        summary="The listed figures as the population file",
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=FILE_RENDERERS)
    def export(self, request):
        return export_download(request, self.get_queryset())
