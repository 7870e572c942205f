"""Welfare API: visits (list, retrieve, record), follow-up tasks (close), service lists (read, publish), items
(entitled per area, CSV), the visit rate per area and month, the overdue list, and one elder's entitlements with
reasons. Thin: shape checks here, rules in ``services``, reads in ``queries``; every read is scoped."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from chuncheng.core.api_base import FILE_RENDERERS, Pagination
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.elders.models import Elder
from chuncheng.welfare import exports, queries, services
from chuncheng.welfare.choices import AreaLevel
from chuncheng.welfare.models import BasicServiceItem, BasicServiceList, FollowUpTask, WelfareVisit


class VisitSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id")
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    recorded_by = serializers.CharField(source="visitor.username", read_only=True)
    visitor_name = serializers.CharField(required=False, max_length=50)

    class Meta:
        model = WelfareVisit
        fields = [
            "id",
            "elder",
            "elder_name",
            "visited_on",
            "visitor_name",
            "recorded_by",
            "mode",
            "condition",
            "condition_note",
            "risks",
            "needs",
            "referrals",
        ]


class TaskSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)

    class Meta:
        model = FollowUpTask
        fields = ["id", "elder", "description", "due_on", "status", "outcome"]


class CloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=2000)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = VisitSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = Pagination

    def get_queryset(self):
        return queries.visits_for(self.request.user, self.request.query_params)

    def get_object(self):
        return get_for_user(WelfareVisit.objects.select_related("elder", "visitor"), self.request.user, **self.kwargs)

    @extend_schema(parameters=[OpenApiParameter("org", str), OpenApiParameter("month", str, description="YYYY-MM")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        elder_id = data.pop("elder")["public_id"]
        elder = Elder.objects.for_user(request.user).filter(public_id=elder_id).first()
        if elder is None:
            raise Http404
        visit = services.record_visit(elder, data, actor=request.user)
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)


class TaskViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = Pagination

    def get_queryset(self):
        return (
            FollowUpTask.objects.for_user(self.request.user).select_related("elder").order_by("status", "due_on", "id")
        )

    @extend_schema(request=CloseSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, public_id=None):
        task = get_for_user(FollowUpTask.objects.all(), request.user, Action.CHANGE, public_id=public_id)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.close_task(task, serializer.validated_data["outcome"], actor=request.user)
        return Response(TaskSerializer(task).data)


class ItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = BasicServiceItem
        fields = [
            "id",
            "code",
            "category",
            "name",
            "content",
            "target",
            "condition",
            "provider",
            "standard",
            "funding",
            "source",
            "is_open",
            "open_note",
        ]


class ListSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    county = serializers.CharField(source="county.code", default=None, read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = BasicServiceList
        fields = ["id", "county", "version", "effective_from", "published_at", "source", "items"]


class ServiceListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ListSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    pagination_class = Pagination

    def get_queryset(self):
        return queries.lists_for(self.request.user).prefetch_related("items")

    def get_object(self):
        try:
            return self.get_queryset().get(public_id=self.kwargs["public_id"])
        except (BasicServiceList.DoesNotExist, DjangoValidationError, ValueError) as exc:
            raise Http404 from exc

    @extend_schema(request=None, responses=ListSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, public_id=None):
        lst = services.publish_list(self.get_object(), actor=request.user)
        return Response(ListSerializer(lst).data)


class ServiceItemViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ItemSerializer
    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_queryset(self):
        return queries.items_for(self.request.user)

    def get_object(self):
        try:
            return self.get_queryset().get(public_id=self.kwargs["public_id"])
        except (BasicServiceItem.DoesNotExist, DjangoValidationError, ValueError) as exc:
            raise Http404 from exc

    @extend_schema(parameters=[OpenApiParameter("level", str, enum=AreaLevel.values)])
    @action(detail=True, methods=["get"])
    def entitled(self, request, public_id=None):
        level = request.query_params.get("level") or AreaLevel.COUNTY
        if level not in AreaLevel.values:
            level = AreaLevel.COUNTY
        rows = queries.entitled_by_area(request.user, self.get_object(), level)
        return Response({"level": level, "areas": rows})

    @extend_schema(parameters=[OpenApiParameter("org", str)], responses={(200, "text/csv"): bytes})
    @action(detail=True, methods=["get"], renderer_classes=FILE_RENDERERS)
    def export(self, request, public_id=None):
        item = self.get_object()
        if not permitted(request.user, "service_list", Action.EXPORT):
            raise Http404
        qs = queries.entitled_elders(request.user, item, request.query_params.get("org", ""), Action.EXPORT)
        return exports.entitled_csv(qs, item, user=request.user)


def _rate_row(r) -> dict:
    return {"code": r.code, "name": r.name, "numerator": r.numerator, "denominator": r.denominator, "rate": r.rate}


@extend_schema(
    parameters=[
        OpenApiParameter("month", str, description="YYYY-MM"),
        OpenApiParameter("level", str, enum=AreaLevel.values),
    ],
    responses={200: dict},
)
@api_view(["GET"])
def visit_rate_view(request):
    """special_difficulty_monthly_visit_rate per area of the user's scope for a month."""
    if not permitted(request.user, "welfare_visit"):
        raise Http404
    try:
        month = queries.parse_month(request.query_params.get("month"))
    except DjangoValidationError as exc:
        raise DjangoValidationError({"month": exc.error_list}) from exc
    level = request.query_params.get("level") or AreaLevel.TOWNSHIP
    if level not in AreaLevel.values:
        level = AreaLevel.TOWNSHIP
    rates = queries.visit_rate(request.user, month, level)
    return Response(
        {
            "indicator": "special_difficulty_monthly_visit_rate",
            "month": month.strftime("%Y-%m"),
            "level": level,
            "areas": [_rate_row(r) for r in rates],
            "total": _rate_row(queries.visit_rate_total(rates)),
        }
    )


@extend_schema(parameters=[OpenApiParameter("org", str)], responses={200: dict})
@api_view(["GET"])
def overdue_view(request):
    """Active special-difficulty elders of the user's area not visited within the policy's interval."""
    if not permitted(request.user, "welfare_visit"):
        raise Http404
    qs = queries.overdue_elders(request.user, request.query_params.get("org", ""))[:1000]
    return Response(
        {
            "cutoff": str(queries.overdue_cutoff()),
            "elders": [
                {"id": str(e.public_id), "name": e.name, "community": e.org_unit.code, "last_visit": e.last_visit}
                for e in qs
            ],
        }
    )


def _reason(r) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "passed": r.passed,
        "stored": r.stored,
        "source": r.source,
        "open_note": r.open_note,
        "checks": [
            {"label": c.label, "expected": c.expected, "seen": c.seen, "passed": c.passed, "depth": c.depth}
            for c in r.checks
        ],
    }


@extend_schema(responses={200: dict})
@api_view(["GET"])
def elder_entitlements_view(request, public_id):
    """What this elder is entitled to under the list in force, and why; and which special-difficulty rules they meet."""
    if not permitted(request.user, "service_list"):
        raise Http404
    elder = get_for_user(Elder.objects.select_related("org_unit"), request.user, public_id=public_id)
    lst, items = queries.entitlement_reasons(elder)
    return Response(
        {
            "list": {
                "id": str(lst.public_id),
                "version": lst.version,
                "county": lst.county.code if lst.county else None,
            }
            if lst
            else None,
            "items": [_reason(r) for r in items],
            "special_difficulty": [_reason(r) for r in queries.special_difficulty_reasons(elder)],
        }
    )
