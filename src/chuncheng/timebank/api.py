"""Time bank API (/api/v1/timebank/…): volunteers (list, register, detail with balance and ledger), services
(record, confirm or reject), relatives, withdrawals. Shape checks here, rules in ``services``; every read scoped."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from chuncheng.core.api_base import Pagination
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user
from chuncheng.elders.models import Elder
from chuncheng.timebank import queries, services
from chuncheng.timebank.choices import Relation
from chuncheng.timebank.models import Transfer, Volunteer, VolunteerService


class VolunteerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", default=None, read_only=True)
    balance = serializers.DecimalField(source="account.balance", max_digits=9, decimal_places=2, read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "name", "org_unit", "elder", "balance"]


class VolunteerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    org_unit = serializers.CharField(max_length=12)
    elder = serializers.UUIDField(required=False, allow_null=True)


class ServiceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    volunteer = serializers.UUIDField(source="volunteer.public_id", read_only=True)

    class Meta:
        model = VolunteerService
        fields = ["id", "volunteer", "served_on", "hours", "description", "status", "confirmed_at"]
        read_only_fields = ["status", "confirmed_at"]


class TransferSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    volunteer = serializers.UUIDField(source="volunteer.public_id", read_only=True)
    service = serializers.UUIDField(source="service.public_id", default=None, read_only=True)
    beneficiary = serializers.UUIDField(source="beneficiary.public_id", default=None, read_only=True)

    class Meta:
        model = Transfer
        fields = ["id", "kind", "volunteer", "hours", "service", "beneficiary", "relation", "note", "created_at"]


class RelativeSerializer(serializers.Serializer):
    elder = serializers.UUIDField()
    relation = serializers.ChoiceField(choices=[c for c in Relation.choices if c[0] != Relation.SELF])


class WithdrawSerializer(serializers.Serializer):
    hours = serializers.CharField(max_length=20)
    beneficiary = serializers.UUIDField()
    relation = serializers.ChoiceField(choices=Relation.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _elder(user, public_id) -> Elder:
    elder = Elder.objects.for_user(user).filter(public_id=public_id).first()
    if elder is None:
        raise Http404
    return elder


def _volunteer(request, public_id, action=Action.VIEW) -> Volunteer:
    return get_for_user(
        Volunteer.objects.select_related("org_unit", "elder", "account"), request.user, action, public_id=public_id
    )


@extend_schema(request=VolunteerCreateSerializer, responses=VolunteerSerializer)
@api_view(["GET", "POST"])
def volunteers_view(request):
    if request.method == "POST":
        serializer = VolunteerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        org = OrgUnit.objects.filter(code=data["org_unit"]).first()
        if org is None:
            raise Http404
        elder = _elder(request.user, data["elder"]) if data.get("elder") else None
        volunteer = services.register_volunteer(data["name"], org, elder=elder, actor=request.user)
        return Response(VolunteerSerializer(_volunteer(request, volunteer.public_id)).data, status=201)
    paginator = Pagination()
    page = paginator.paginate_queryset(
        queries.volunteers_for(request.user, request.query_params.get("org", "")), request
    )
    return paginator.get_paginated_response(VolunteerSerializer(page, many=True).data)


@extend_schema(responses=VolunteerSerializer)
@api_view(["GET"])
def volunteer_view(request, public_id):
    volunteer = _volunteer(request, public_id)
    data = VolunteerSerializer(volunteer).data
    data["transfers"] = TransferSerializer(queries.transfers_of(volunteer)[:500], many=True).data
    data["services"] = ServiceSerializer(volunteer.services.order_by("-served_on", "-id")[:500], many=True).data
    data["relatives"] = [
        {"elder": str(r.elder.public_id), "relation": r.relation} for r in volunteer.relatives.select_related("elder")
    ]
    return Response(data)


@extend_schema(request=ServiceSerializer, responses=ServiceSerializer)
@api_view(["POST"])
def services_view(request, public_id):
    volunteer = _volunteer(request, public_id, Action.ADD)
    serializer = ServiceSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    service = services.record_service(volunteer, dict(serializer.validated_data), actor=request.user)
    return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses=TransferSerializer)
@api_view(["POST"])
def confirm_view(request, public_id):
    service = get_for_user(VolunteerService.objects.all(), request.user, Action.CHANGE, public_id=public_id)
    if request.data.get("decision") == "reject":
        return Response(ServiceSerializer(services.reject_service(service, actor=request.user)).data)
    transfer = services.confirm_service(service, actor=request.user)
    return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


@extend_schema(request=RelativeSerializer, responses=RelativeSerializer)
@api_view(["POST"])
def relatives_view(request, public_id):
    volunteer = _volunteer(request, public_id, Action.CHANGE)
    serializer = RelativeSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    elder = _elder(request.user, serializer.validated_data["elder"])
    relative = services.register_relative(volunteer, elder, serializer.validated_data["relation"], actor=request.user)
    return Response({"elder": str(elder.public_id), "relation": relative.relation}, status=status.HTTP_201_CREATED)


@extend_schema(request=WithdrawSerializer, responses=TransferSerializer)
@api_view(["POST"])
def withdraw_view(request, public_id):
    volunteer = _volunteer(request, public_id, Action.CHANGE)
    serializer = WithdrawSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    transfer = services.withdraw(
        volunteer,
        data["hours"],
        beneficiary=_elder(request.user, data["beneficiary"]),
        relation=data["relation"],
        note=data.get("note", ""),
        actor=request.user,
    )
    return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)
