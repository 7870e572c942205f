"""Meal assistance API under /api/v1/meals/: records (list, detail, record from a tablet, review), cards (issue),
settlements (list, settle a month), food-safety checks (list, record). Thin: shapes here, rules in ``services``;
every read and every target of a write goes through the user's scope, so another area is a 404."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from chuncheng.core.api_base import Pagination
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.elders.models import Elder
from chuncheng.meals import queries, services
from chuncheng.meals.choices import InspectionResult, MealSlot, Review
from chuncheng.meals.models import FoodSafetyCheck, MealRecord, MealSettlement


def _need(request, resource: str, action: str = Action.VIEW) -> None:
    if not permitted(request.user, resource, action):
        raise PermissionDenied


def _site(request, code: str, resource: str = "meal_record", action: str = Action.ADD):
    site = queries.sites_for(request.user, resource, action).filter(code=code).first()
    if site is None:
        raise serializers.ValidationError(
            {"site": ["No canteen or meal point with this code in your area."]}, code="site_unknown"
        )
    return site


def record_json(r: MealRecord, rules: list[str] | None = None) -> dict:
    return {
        "id": str(r.public_id),
        "elder": str(r.elder.public_id),
        "elder_name": r.elder.name,
        "elder_id_number": r.elder.id_number_masked,
        "site": r.site.code,
        "site_name": r.site.name,
        "served_on": r.served_on.isoformat(),
        "slot": r.slot,
        "price": str(r.price),
        "subsidy": str(r.subsidy),
        "subsidy_group": r.subsidy_group,
        "source": r.source,
        "review": r.review,
        "flags": rules if rules is not None else list(r.flags.values_list("rule", flat=True)),
    }


class RecordIn(serializers.Serializer):
    site = serializers.CharField(max_length=30)
    card = serializers.CharField(max_length=40, required=False)
    elder = serializers.UUIDField(required=False)
    served_on = serializers.DateField()
    slot = serializers.ChoiceField(choices=MealSlot.choices)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    def validate(self, attrs):
        if not attrs.get("card") and not attrs.get("elder"):
            raise serializers.ValidationError("Give the card number or the elder.", code="required")
        return attrs


@api_view(["GET", "POST"])
def records_view(request):
    if request.method == "POST":
        _need(request, "meal_record", Action.ADD)
        data = RecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        site = _site(request, v["site"])
        if v.get("card"):
            elder = services.elder_by_card(v["card"])
            if elder is None or not Elder.objects.for_user(request.user).filter(pk=elder.pk).exists():
                raise serializers.ValidationError(
                    {"card": ["No active meal card has this number."]}, code="card_unknown"
                )
        else:
            elder = get_for_user(Elder.objects.all(), request.user, public_id=v["elder"])
        record = services.record_meal(elder, site, v, actor=request.user)
        return Response(record_json(record), status=status.HTTP_201_CREATED)
    _need(request, "meal_record")
    qs = queries.records_for(request.user, request.query_params)  # a bad month is a 422 (ValidationError)
    paginator = Pagination()
    page = paginator.paginate_queryset(qs, request)
    rules = queries.flags_of(page)
    return paginator.get_paginated_response([record_json(r, rules.get(r.pk, [])) for r in page])


@api_view(["GET"])
def record_view(request, public_id):
    record = get_for_user(MealRecord.objects.select_related("elder", "site"), request.user, public_id=public_id)
    return Response(record_json(record))


class ReviewIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Review.ACCEPTED, Review.REJECTED])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


@api_view(["POST"])
def record_review_view(request, public_id):
    record = get_for_user(
        MealRecord.objects.select_related("elder", "site"), request.user, Action.CHANGE, public_id=public_id
    )
    data = ReviewIn(data=request.data)
    data.is_valid(raise_exception=True)
    record = services.review_record(
        record, data.validated_data["decision"], actor=request.user, note=data.validated_data.get("note", "")
    )
    return Response(record_json(record))


class CardIn(serializers.Serializer):
    elder = serializers.UUIDField()
    number = serializers.CharField(max_length=40)


@api_view(["POST"])
def cards_view(request):
    _need(request, "meal_record", Action.ADD)
    data = CardIn(data=request.data)
    data.is_valid(raise_exception=True)
    elder = get_for_user(Elder.objects.select_related("org_unit"), request.user, public_id=data.validated_data["elder"])
    card = services.issue_card(elder, data.validated_data["number"], actor=request.user)
    return Response(
        {
            "id": str(card.public_id),
            "elder": str(elder.public_id),
            "number": card.number_masked,
            "issued_on": card.issued_on.isoformat(),
        },
        status=status.HTTP_201_CREATED,
    )


def settlement_json(s: MealSettlement) -> dict:
    return {
        "id": str(s.public_id),
        "site": s.site.code,
        "site_name": s.site.name,
        "month": f"{s.month:%Y-%m}",
        "meals": s.meals,
        "excluded": s.excluded,
        "price_total": str(s.price_total),
        "subsidy_total": str(s.subsidy_total),
        "ledger_entry": str(s.ledger_entry.public_id) if s.ledger_entry_id else None,
    }


class SettleIn(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$")


@api_view(["GET", "POST"])
def settlements_view(request):
    if request.method == "POST":
        _need(request, "meal_settlement", Action.ADD)
        data = SettleIn(data=request.data)
        data.is_valid(raise_exception=True)
        month = services.parse_month(data.validated_data["month"])
        sites = queries.sites_for(request.user, "meal_settlement", Action.ADD)
        created = services.settle_month(month, actor=request.user, sites=sites)
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "created": len(created),
                "settlements": [
                    settlement_json(s)
                    for s in MealSettlement.objects.filter(pk__in=[s.pk for s in created]).select_related(
                        "site", "ledger_entry"
                    )
                ],
            },
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
    _need(request, "meal_settlement")
    qs = MealSettlement.objects.for_user(request.user).select_related("site", "ledger_entry")
    if request.query_params.get("month"):
        qs = qs.filter(month=services.parse_month(request.query_params["month"]))
    paginator = Pagination()
    page = paginator.paginate_queryset(qs.order_by("-month", "site__code"), request)
    return paginator.get_paginated_response([settlement_json(s) for s in page])


class CheckIn(serializers.Serializer):
    site = serializers.CharField(max_length=30)
    checked_on = serializers.DateField()
    inspector = serializers.CharField(max_length=50)
    result = serializers.ChoiceField(choices=InspectionResult.choices)
    issues = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    photo = serializers.FileField(required=False)


def check_json(c: FoodSafetyCheck) -> dict:
    return {
        "id": str(c.public_id),
        "site": c.site.code,
        "site_name": c.site.name,
        "checked_on": c.checked_on.isoformat(),
        "inspector": c.inspector,
        "result": c.result,
        "issues": c.issues,
        "has_photo": bool(c.photo),
    }


@api_view(["GET", "POST"])
@parser_classes([JSONParser, MultiPartParser, FormParser])
def checks_view(request):
    if request.method == "POST":
        _need(request, "food_check", Action.ADD)
        data = CheckIn(data=request.data)
        data.is_valid(raise_exception=True)
        site = _site(request, data.validated_data["site"], "food_check", Action.ADD)
        check = services.record_check(site, data.validated_data, actor=request.user)
        return Response(check_json(check), status=status.HTTP_201_CREATED)
    _need(request, "food_check")
    qs = FoodSafetyCheck.objects.for_user(request.user).select_related("site")
    paginator = Pagination()
    page = paginator.paginate_queryset(qs, request)
    return paginator.get_paginated_response([check_json(c) for c in page])
