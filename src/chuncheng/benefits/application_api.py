"""Applications API (B1, B5): thin — check the request's shape, call ``benefits.applications``, serialize.

Every record is read through the caller's scope (another area: 404). Refusals of the service answer
``{"code", "message"[, "key"]}`` with 422 (403 for a role that may not act at all), as the rest of the benefits API.
Downloads of attachments are written to the access log.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from chuncheng.benefits import applications as service
from chuncheng.benefits.applications import ApplicationError
from chuncheng.benefits.choices import BeneficiaryKind, DecisionAction
from chuncheng.benefits.models import Application
from chuncheng.benefits.policy import get_programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.core import audit
from chuncheng.core.api_base import Pagination
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.institutions.models import Facility, Institution

STATUS = {"permission_denied": 403, "programme_unknown": 404}


def _refusal(exc: QuoteError) -> Response:
    return Response(exc.as_dict(), status=STATUS.get(exc.code, 422))


class CreateSerializer(serializers.Serializer):
    programme = serializers.CharField(max_length=40)
    beneficiary_kind = serializers.ChoiceField(
        choices=[BeneficiaryKind.INSTITUTION.value, BeneficiaryKind.FACILITY.value]
    )
    beneficiary = serializers.UUIDField()
    facts = serializers.DictField(required=False, default=dict)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UpdateSerializer(serializers.Serializer):
    facts = serializers.DictField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class DecideSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AttachSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, JPG, PNG, XLSX or CSV, at most 20 MB.")


class ApplicationSerializer(serializers.Serializer):
    """The list shape (``applications.as_dict``)."""

    def to_representation(self, instance):
        return service.as_dict(instance)


def detail_dict(application: Application, user) -> dict:
    refusal = service.decision_refusal(application, user)
    return {
        **service.as_dict(application),
        "facts": application.facts,
        "note": application.note,
        "quote": service.preview(application),
        "attachments": [
            {
                "id": str(a.public_id),
                "name": a.name,
                "size": a.size,
                "sha256": a.sha256,
                "content_type": a.content_type,
                "uploaded_at": a.uploaded_at.isoformat(),
            }
            for a in application.attachments.all()
        ],
        "decisions": [
            {
                "round": d.round,
                "step": d.step,
                "level": d.level,
                "action": d.action,
                "reason": d.reason,
                "decided_by": d.decided_by.username,
                "decided_at": d.decided_at.isoformat(),
            }
            for d in application.decisions.select_related("decided_by")
        ],
        "may_decide": refusal is None,
        "may_edit": service.may_edit(application, user),
    }


class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Applications for B1/B5: list (``status``, ``programme``, ``awaiting=1``), create a draft, detail, correct a
    draft (PATCH), attach a file, submit, decide (approve / reject / return with a reason)."""

    serializer_class = ApplicationSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = Pagination
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _action(self) -> str:
        if self.action == "create":
            return Action.ADD
        if self.action in ("partial_update", "submit", "decide", "attach"):
            return Action.CHANGE
        return Action.VIEW

    def get_queryset(self):
        return service.application_list(self.request.user, self.request.query_params, self._action())

    def get_object(self):
        return get_for_user(
            Application.objects.select_related(
                "programme", "org_unit", "institution", "facility", "policy_version", "created_by"
            ),
            self.request.user,
            self._action(),
            public_id=self.kwargs["public_id"],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str),
            OpenApiParameter("programme", str),
            OpenApiParameter("awaiting", str, description="1: only those awaiting my decision"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: dict})
    def retrieve(self, request, public_id=None):
        return Response(detail_dict(self.get_object(), request.user))

    @extend_schema(request=CreateSerializer, responses={201: dict})
    def create(self, request):
        body = CreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        model = Institution if data["beneficiary_kind"] == BeneficiaryKind.INSTITUTION else Facility
        beneficiary = model.objects.for_user(request.user).select_related("org_unit")
        beneficiary = beneficiary.filter(public_id=data["beneficiary"]).first()
        if beneficiary is None:
            raise Http404
        try:
            application = service.create_draft(
                get_programme(data["programme"]), beneficiary, data["facts"], actor=request.user, note=data["note"]
            )
        except QuoteError as exc:  # an ApplicationError, or programme_unknown
            return _refusal(exc)
        return Response(detail_dict(application, request.user), status=status.HTTP_201_CREATED)

    @extend_schema(request=UpdateSerializer, responses={200: dict})
    def partial_update(self, request, public_id=None):
        application = self.get_object()
        body = UpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            application = service.update_draft(
                application,
                actor=request.user,
                facts=body.validated_data.get("facts"),
                note=body.validated_data.get("note"),
            )
        except ApplicationError as exc:
            return _refusal(exc)
        return Response(detail_dict(application, request.user))

    @extend_schema(request=AttachSerializer, responses={201: dict})
    @action(detail=True, methods=["post"], url_path="attachments", url_name="attach")
    def attach(self, request, public_id=None):
        application = self.get_object()
        body = AttachSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            attachment = service.attach(application, upload.name, upload, actor=request.user)
        except ApplicationError as exc:
            return _refusal(exc)
        return Response(
            {"id": str(attachment.public_id), "name": attachment.name, "size": attachment.size},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9a-fA-F-]{32,36})",
        url_name="attachment",
    )
    def attachment(self, request, public_id=None, attachment_id=None):
        """Download one attachment (access-logged)."""
        attachment = self.get_object().attachments.filter(public_id=attachment_id).first()
        if attachment is None:
            raise Http404
        audit.access(request.user, attachment, fields=["file"], purpose="download")
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def submit(self, request, public_id=None):
        try:
            application = service.submit(self.get_object(), actor=request.user)
        except ApplicationError as exc:
            return _refusal(exc)
        return Response(detail_dict(application, request.user))

    @extend_schema(request=DecideSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def decide(self, request, public_id=None):
        application = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            application = service.decide(
                application, body.validated_data["action"], actor=request.user, reason=body.validated_data["reason"]
            )
        except ApplicationError as exc:
            return _refusal(exc)
        return Response(detail_dict(application, request.user))
