"""Core API: tokens, the caller's own account, the org tree, and the audit administrator's search."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from chuncheng.core import audit
from chuncheng.core.api_auth import TOKEN_LIFETIME, issue_token
from chuncheng.core.auth import bad_credentials_message, locked_message
from chuncheng.core.models import AuditEntry, OrgUnit, SecurityEventKind
from chuncheng.core.roles import ADMIN_ROLES, capable


class LoginRateThrottle(AnonRateThrottle):
    """Per-address rate on the token endpoint, over django-axes' per-username lock-out (checklist A2)."""

    scope = "login"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


@extend_schema(
    request=TokenRequestSerializer,
    responses={
        201: inline_serializer(
            "TokenIssued", {"token": serializers.CharField(), "expires_in_days": serializers.IntegerField()}
        )
    },
    auth=[],
    summary="Exchange a username and password for an API token (not for administrators)",
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([LoginRateThrottle])
def token_view(request):
    body = TokenRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    django_request = request._request
    user = authenticate(
        django_request, username=body.validated_data["username"], password=body.validated_data["password"]
    )
    if getattr(django_request, "axes_locked_out", False):
        # The LOCKOUT event is recorded by auth.lockout_response, which AxesMiddleware runs on this request too.
        return Response({"code": "account_locked", "message": locked_message()}, status=status.HTTP_403_FORBIDDEN)
    if user is None or not user.is_active:
        return Response(
            {"code": "bad_credentials", "message": bad_credentials_message()}, status=status.HTTP_401_UNAUTHORIZED
        )
    if user.role in ADMIN_ROLES or user.must_change_password:
        audit.security_event(SecurityEventKind.TOKEN_REFUSED, user=user, path=request.path)
        code = "token_admin_refused" if user.role in ADMIN_ROLES else "password_change_required"
        message = (
            _("Administrators cannot use API tokens.")
            if user.role in ADMIN_ROLES
            else _("You must change your password before continuing.")
        )
        return Response({"code": code, "message": message}, status=status.HTTP_403_FORBIDDEN)
    # A successful sign-in, as on the login page: django-axes resets the failure count, last_login moves.
    user_logged_in.send(sender=user.__class__, request=django_request, user=user)
    _token, key = issue_token(user, name=body.validated_data.get("name", ""))
    audit.security_event(SecurityEventKind.TOKEN_ISSUED, user=user, path=request.path)
    return Response({"token": key, "expires_in_days": TOKEN_LIFETIME.days}, status=status.HTTP_201_CREATED)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    org_unit = serializers.CharField(source="org_unit.code", allow_null=True, default=None)
    institution = serializers.CharField(source="institution.uscc", allow_null=True, default=None)


@extend_schema(responses=MeSerializer, summary="The caller's account and scope")
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me_view(request):
    return Response(MeSerializer(request.user).data)


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    successors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "level", "parent", "urban", "lat", "lng", "valid_from", "valid_to", "successors"]


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The administrative tree inside the caller's area. ``q`` searches name or code; ``parent`` lists children."""

    serializer_class = OrgUnitSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{6,12}"

    def get_queryset(self):
        qs = OrgUnit.objects.for_user(self.request.user).select_related("parent").prefetch_related("successors")
        q = self.request.query_params.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent)
        level = self.request.query_params.get("level")
        if level:
            qs = qs.filter(level=level)
        on = self.request.query_params.get("date")
        if on:
            from datetime import date

            try:
                qs = qs.valid_on(date.fromisoformat(on))
            except ValueError as exc:
                raise exceptions.ValidationError({"date": [_("Use a date in the form YYYY-MM-DD.")]}) from exc
        return qs.order_by("code")

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="name or code prefix"),
            OpenApiParameter("parent", str, description="parent code"),
            OpenApiParameter("level", str, enum=["city", "county", "township", "village"]),
            OpenApiParameter("date", str, description="the tree as it was on YYYY-MM-DD"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "at",
            "actor_username",
            "action",
            "model",
            "object_id",
            "object_repr",
            "org_code",
            "changes",
            "count",
            "request_id",
            "ip",
        ]


class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit administrator's search (session only: administrators cannot use tokens)."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AuditEntry.objects.none()
        if not capable(self.request.user.role, "search_audit"):
            raise exceptions.NotFound()
        qs = AuditEntry.objects.all()
        for param, lookup in (("model", "model"), ("object_id", "object_id"), ("actor", "actor_username")):
            value = self.request.query_params.get(param)
            if value:
                qs = qs.filter(**{lookup: value})
        return qs

    def list(self, request, *args, **kwargs):
        audit.security_event(
            SecurityEventKind.AUDIT_SEARCH,
            user=request.user,
            path=request.path,
            query=dict(request.query_params.items()),
        )
        return super().list(request, *args, **kwargs)
