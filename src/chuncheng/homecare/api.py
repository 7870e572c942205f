"""Home-care API under /api/v1/homecare/: providers, orders (create, accept, decline, assign, cancel, check-in),
visits (check-out, review of flags), schedule alerts (list, acknowledge) and provider settlements (list, settle a
month, approve). Thin: shape checks here, rules in ``services``/``settlements``, reads in ``queries``; all scoped."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chuncheng.core.api_base import Pagination
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.elders.models import Elder
from chuncheng.homecare import queries, services, settlements
from chuncheng.homecare.choices import AnomalyRule, ServiceKind, VisitStatus
from chuncheng.homecare.models import (
    Caregiver,
    Provider,
    ProviderSettlement,
    ScheduleAlert,
    ServiceOrder,
    Visit,
    VisitFlag,
)

UUID_RE = "[0-9a-fA-F-]{32,36}"


class ProviderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_unit = serializers.CharField(source="org_unit.code")
    areas = serializers.ListField(child=serializers.CharField(max_length=12), allow_empty=False)

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "uscc",
            "org_unit",
            "contact_name",
            "contact_phone",
            "qualifications",
            "areas",
            "active",
        ]
        read_only_fields = ["active"]
        extra_kwargs = {"uscc": {"validators": []}}


class OrderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id")
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    provider = serializers.UUIDField(source="provider.public_id")
    caregiver = serializers.UUIDField(source="caregiver.public_id", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=ServiceKind.choices)

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "elder",
            "elder_name",
            "provider",
            "kind",
            "quantity",
            "scheduled_on",
            "window_start",
            "window_end",
            "note",
            "status",
            "caregiver",
            "target_group",
            "market_amount",
            "elder_amount",
            "subsidy_amount",
            "entitlement",
        ]
        read_only_fields = [
            "status",
            "target_group",
            "market_amount",
            "elder_amount",
            "subsidy_amount",
            "entitlement",
        ]
        extra_kwargs = {"window_start": {"required": False}, "window_end": {"required": False}}


class FlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitFlag
        fields = ["rule", "value", "status", "note", "reviewed_at"]


class VisitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = serializers.UUIDField(source="order.public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    caregiver = serializers.UUIDField(source="caregiver.public_id", read_only=True)
    flags = FlagSerializer(many=True, read_only=True)
    payable = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "order",
            "elder",
            "caregiver",
            "kind",
            "visit_date",
            "status",
            "check_in_at",
            "check_in_distance_m",
            "check_out_at",
            "check_out_distance_m",
            "duration_s",
            "no_reference_location",
            "confirmed",
            "payable",
            "flags",
        ]

    def get_payable(self, visit: Visit) -> bool:
        if hasattr(visit, "blocked"):  # annotated by queries.visits_for (lists: no query per row)
            return queries.is_payable(visit)
        if visit.status != VisitStatus.CLOSED or not visit.confirmed:
            return False  # fails ``payable()``'s first conditions already: no query for the flags
        return Visit.objects.payable().filter(pk=visit.pk).exists()


class PlaceSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class CheckOutSerializer(PlaceSerializer):
    code = serializers.CharField(max_length=12, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    caregiver = serializers.UUIDField()


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ReviewSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=AnomalyRule.choices)
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ProviderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProviderSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_RE
    pagination_class = Pagination

    def get_queryset(self):
        return queries.providers_for(self.request.user).order_by("name", "id")

    def get_object(self):
        return get_for_user(Provider.objects.select_related("org_unit"), self.request.user, **self.kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        org = get_for_user(OrgUnit.objects.all(), request.user, code=data.pop("org_unit")["code"])
        provider = services.register_provider({**data, "org_unit": org}, actor=request.user)
        return Response(self.get_serializer(provider).data, status=status.HTTP_201_CREATED)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = OrderSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_RE
    pagination_class = Pagination

    def get_queryset(self):
        return queries.orders_for(self.request.user, self.request.query_params)

    def get_object(self):
        return self._order(Action.VIEW)

    def _order(self, act: str, *, detail: bool = True) -> ServiceOrder:
        qs = ServiceOrder.objects.select_related("elder__org_unit", "provider", "caregiver")
        if not detail:  # only the scope check and the primary key (the service re-reads the row under lock)
            qs = ServiceOrder.objects.only("pk")
        return get_for_user(qs, self.request.user, act, public_id=self.kwargs["public_id"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        elder = Elder.objects.for_user(request.user).select_related("org_unit")
        elder = elder.filter(public_id=data["elder"]["public_id"]).first()
        provider = Provider.objects.filter(public_id=data["provider"]["public_id"]).first()
        if elder is None or provider is None:
            raise Http404
        order = services.create_order(
            elder,
            provider,
            data["kind"],
            data["scheduled_on"],
            quantity=data.get("quantity", 1),
            note=data.get("note", ""),
            window_start=data.get("window_start"),
            window_end=data.get("window_end"),
            actor=request.user,
        )
        return Response(self.get_serializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, public_id=None):
        order = services.accept_order(self._order(Action.CHANGE), actor=request.user)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=AssignSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, public_id=None):
        order = self._order(Action.CHANGE)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        caregiver = Caregiver.objects.filter(public_id=serializer.validated_data["caregiver"]).first()
        if caregiver is None:
            raise Http404
        order = services.assign_order(order, caregiver, actor=request.user)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=CancelSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, public_id=None):
        """The provider declines an order it has not accepted (the order is cancelled with the reason)."""
        order = self._order(Action.CHANGE)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.decline_order(order, serializer.validated_data["reason"], actor=request.user)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=CancelSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, public_id=None):
        order = self._order(Action.CHANGE)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.cancel_order(order, serializer.validated_data["reason"], actor=request.user)
        return Response(OrderSerializer(order).data)

    @extend_schema(request=PlaceSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, public_id=None):
        order = self._order(Action.ADD, detail=False)
        serializer = PlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit, code = services.check_in(order, **serializer.validated_data, actor=request.user)
        data = VisitSerializer(visit).data
        if services.echo_code():
            data["confirmation_code"] = code
        return Response(data, status=status.HTTP_201_CREATED)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VisitSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_RE
    pagination_class = Pagination

    def get_queryset(self):
        return queries.visits_for(self.request.user, self.request.query_params).prefetch_related("flags")

    def get_object(self):
        return self._visit(Action.VIEW)

    def _visit(self, act: str, *, detail: bool = True) -> Visit:
        qs = Visit.objects.select_related("elder", "order", "caregiver").prefetch_related("flags")
        if not detail:  # only the scope check and the primary key (the service re-reads the row under lock)
            qs = Visit.objects.only("pk")
        return get_for_user(qs, self.request.user, act, public_id=self.kwargs["public_id"])

    @extend_schema(request=CheckOutSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"], url_path="check-out", url_name="check-out")
    def check_out(self, request, public_id=None):
        visit = self._visit(Action.CHANGE, detail=False)
        serializer = CheckOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = services.check_out(visit, **serializer.validated_data, actor=request.user)
        # The service's visit comes with its order, elder and caregiver read under lock: no second scoped read (the
        # scope filter does not depend on the action, and every role that may change a visit may view it).
        prefetch_related_objects([visit], "flags")
        return Response(VisitSerializer(visit).data)

    @extend_schema(request=ReviewSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, public_id=None):
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        flag = get_for_user(
            VisitFlag.objects.all(), request.user, Action.CHANGE, visit__public_id=public_id, rule=data["rule"]
        )
        services.review_flag(flag, data["accept"], note=data.get("note", ""), actor=request.user)
        return Response(VisitSerializer(self._visit(Action.VIEW)).data)


# ---- schedule alerts and provider settlements ----------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = serializers.UUIDField(source="order.public_id", read_only=True)
    provider = serializers.CharField(source="order.provider.name", read_only=True)
    caregiver = serializers.UUIDField(source="order.caregiver.public_id", read_only=True, allow_null=True)
    window_start = serializers.TimeField(source="order.window_start", read_only=True, allow_null=True)

    class Meta:
        model = ScheduleAlert
        fields = [
            "id",
            "order",
            "kind",
            "scheduled_on",
            "window_start",
            "provider",
            "caregiver",
            "status",
            "acknowledged_at",
            "note",
        ]


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Late and missed visits of the user's scope (``?status=``, ``?kind=``, ``?org=``), open ones first."""

    serializer_class = AlertSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_RE
    pagination_class = Pagination

    def get_queryset(self):
        return queries.alerts_for(self.request.user, self.request.query_params)

    def get_object(self):
        return self._alert(Action.VIEW)

    def _alert(self, act: str) -> ScheduleAlert:
        qs = ScheduleAlert.objects.select_related("order__provider", "order__caregiver")
        return get_for_user(qs, self.request.user, act, public_id=self.kwargs["public_id"])

    @extend_schema(request=AcknowledgeSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, public_id=None):
        alert = self._alert(Action.CHANGE)
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.acknowledge_alert(alert, note=serializer.validated_data.get("note", ""), actor=request.user)
        return Response(AlertSerializer(self._alert(Action.VIEW)).data)


class SettlementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = serializers.UUIDField(source="provider.public_id", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    month = serializers.SerializerMethodField()
    ledger_entry = serializers.UUIDField(source="ledger_entry.public_id", read_only=True, allow_null=True)

    class Meta:
        model = ProviderSettlement
        fields = [
            "id",
            "provider",
            "provider_name",
            "month",
            "visits",
            "excluded",
            "market_total",
            "elder_total",
            "subsidy_total",
            "status",
            "created_at",
            "approved_at",
            "ledger_entry",
        ]

    def get_month(self, settlement: ProviderSettlement) -> str:
        return f"{settlement.month:%Y-%m}"


class SettleSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$")


class SettlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly provider settlements of the user's scope (``?month=YYYY-MM``, ``?status=``); officials settle a month
    (POST, drafts for the providers of their area) and approve another official's draft."""

    serializer_class = SettlementSerializer
    lookup_field = "public_id"
    lookup_value_regex = UUID_RE
    pagination_class = Pagination

    def get_queryset(self):
        return queries.settlements_for(self.request.user, self.request.query_params)

    def get_object(self):
        return self._settlement(Action.VIEW)

    def _settlement(self, act: str) -> ProviderSettlement:
        qs = ProviderSettlement.objects.select_related("provider", "ledger_entry")
        return get_for_user(qs, self.request.user, act, public_id=self.kwargs["public_id"])

    @extend_schema(request=SettleSerializer, responses=SettlementSerializer(many=True))
    def create(self, request, *args, **kwargs):
        if not permitted(request.user, "homecare_settlement", Action.ADD):
            raise Http404
        serializer = SettleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        month = settlements.parse_month(serializer.validated_data["month"])
        made = settlements.settle_month(month, actor=request.user)
        rows = ProviderSettlement.objects.filter(pk__in=[s.pk for s in made]).select_related("provider", "ledger_entry")
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "created": len(made),
                "settlements": SettlementSerializer(rows, many=True).data,
            },
            status=status.HTTP_201_CREATED if made else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses=SettlementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, public_id=None):
        settlements.approve_settlement(self._settlement(Action.CHANGE), actor=request.user)
        return Response(SettlementSerializer(self._settlement(Action.VIEW)).data)
