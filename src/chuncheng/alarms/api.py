"""Alarms API (/api/v1/alarms/…): the vendor webhook (signed, no session), alarms (list, detail, hotline call,
dispatch / acknowledge / close), response-time figures, devices and vendors. Every read is scoped."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from chuncheng.alarms import queries, services, webhook
from chuncheng.alarms.choices import ACTIONS, HEADER_SIGNATURE, HEADER_TIMESTAMP, AlarmKind, AreaLevel
from chuncheng.alarms.models import Alarm, Device, Vendor
from chuncheng.core.api_base import Pagination
from chuncheng.core.models import User
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.elders.models import Elder


class AlarmSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)
    device = serializers.CharField(source="device.serial", default=None, read_only=True)
    responder = serializers.CharField(source="responder.username", default=None, read_only=True)

    class Meta:
        model = Alarm
        fields = [
            "id",
            "source",
            "kind",
            "elder",
            "org_unit",
            "device",
            "occurred_at",
            "received_at",
            "status",
            "responder",
            "dispatched_at",
            "acknowledged_at",
            "closed_at",
            "outcome",
        ]


class CallSerializer(serializers.Serializer):
    elder = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=AlarmKind.choices, default=AlarmKind.CALL)


class TransitionSerializer(serializers.Serializer):
    responder = serializers.CharField(max_length=150, required=False, help_text="username, for dispatch")
    outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DeviceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    vendor = serializers.SlugRelatedField(slug_field="code", queryset=Vendor.objects.filter(active=True))
    elder = serializers.UUIDField(source="elder.public_id")

    class Meta:
        model = Device
        fields = ["id", "vendor", "serial", "elder", "active"]
        read_only_fields = ["active"]
        validators = []


class VendorSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    code = serializers.SlugField(max_length=40, required=False)

    class Meta:
        model = Vendor
        fields = ["id", "code", "name", "active", "created_at"]
        read_only_fields = ["active", "created_at"]


@extend_schema(
    request=None,
    parameters=[
        OpenApiParameter(HEADER_TIMESTAMP, str, OpenApiParameter.HEADER, description="Unix seconds"),
        OpenApiParameter(HEADER_SIGNATURE, str, OpenApiParameter.HEADER, description="hex HMAC-SHA256"),
    ],
    responses={201: None},
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def webhook_view(request, vendor):
    """A vendor's device event (docs/alarms.md): signed, in the window, not seen before, for a registered device."""
    body = request.body
    try:
        alarm = services.receive_event(
            vendor, request.headers.get(HEADER_TIMESTAMP, ""), request.headers.get(HEADER_SIGNATURE, ""), body
        )
    except webhook.WebhookRefused as exc:
        return Response({"code": exc.code, "message": exc.message}, status=exc.status)
    return Response({"id": str(alarm.public_id), "status": alarm.status}, status=status.HTTP_201_CREATED)


@extend_schema(request=CallSerializer, responses=AlarmSerializer, parameters=[OpenApiParameter("status", str)])
@api_view(["GET", "POST"])
def alarms_view(request):
    if request.method == "POST":
        serializer = CallSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        elder = Elder.objects.for_user(request.user).filter(public_id=serializer.validated_data["elder"]).first()
        if elder is None:
            raise Http404
        alarm = services.record_call(elder, serializer.validated_data["kind"], actor=request.user)
        return Response(AlarmSerializer(alarm).data, status=status.HTTP_201_CREATED)
    paginator = Pagination()
    page = paginator.paginate_queryset(
        queries.alarms_for(request.user, request.query_params.get("status", "")), request
    )
    return paginator.get_paginated_response(AlarmSerializer(page, many=True).data)


@extend_schema(responses=AlarmSerializer)
@api_view(["GET"])
def alarm_view(request, public_id):
    alarm = get_for_user(
        Alarm.objects.select_related("elder", "org_unit", "responder", "device"), request.user, public_id=public_id
    )
    return Response(AlarmSerializer(alarm).data)


@extend_schema(request=TransitionSerializer, responses=AlarmSerializer)
@api_view(["POST"])
def transition_view(request, public_id, action):
    if action not in ACTIONS:
        raise Http404
    alarm = get_for_user(Alarm.objects.all(), request.user, Action.CHANGE, public_id=public_id)
    serializer = TransitionSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    responder = None
    if serializer.validated_data.get("responder"):
        responder = User.objects.filter(username=serializer.validated_data["responder"], is_active=True).first()
        if responder is None:
            raise Http404
    alarm = services.transition(
        alarm, action, actor=request.user, responder=responder, outcome=serializer.validated_data.get("outcome", "")
    )
    return Response(AlarmSerializer(alarm).data)


@extend_schema(
    parameters=[OpenApiParameter("month", str, description="YYYY-MM"), OpenApiParameter("level", str)],
    responses={200: None},
)
@api_view(["GET"])
def stats_view(request):
    if not permitted(request.user, "alarm"):
        raise Http404
    month = queries.parse_month(request.query_params.get("month"))
    level = request.query_params.get("level") or AreaLevel.COUNTY
    if level not in AreaLevel.values:
        level = AreaLevel.COUNTY
    return Response(
        {"month": month.strftime("%Y-%m"), "level": level, "areas": queries.response_times(request.user, month, level)}
    )


@extend_schema(request=DeviceSerializer, responses=DeviceSerializer)
@api_view(["GET", "POST"])
def devices_view(request):
    if request.method == "POST":
        serializer = DeviceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        elder = Elder.objects.for_user(request.user).filter(public_id=data["elder"]["public_id"]).first()
        if elder is None:
            raise Http404
        device = services.register_device(data["vendor"], data["serial"], elder, actor=request.user)
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)
    paginator = Pagination()
    page = paginator.paginate_queryset(queries.devices_for(request.user), request)
    return paginator.get_paginated_response(DeviceSerializer(page, many=True).data)


@extend_schema(request=VendorSerializer, responses=VendorSerializer)
@api_view(["GET", "POST"])
def vendors_view(request):
    """Vendors; a POST answers the new vendor's ``secret`` this once (it is stored only encrypted)."""
    if request.method == "POST":
        serializer = VendorSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vendor, secret = services.add_vendor(
            serializer.validated_data["name"], code=serializer.validated_data.get("code", ""), actor=request.user
        )
        return Response({**VendorSerializer(vendor).data, "secret": secret}, status=status.HTTP_201_CREATED)
    return Response(VendorSerializer(queries.vendors_for(request.user), many=True).data)
