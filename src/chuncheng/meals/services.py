"""Meal assistance actions: issue a card, record a meal (tablet or import), review a flagged record, settle a month
per site (writing benefits ledger entries), record a food-safety check. Each runs in a transaction and is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.cipher import blind_index
from chuncheng.core.masking import mask_id_number
from chuncheng.core.models import AuditAction
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.institutions.models import Facility
from chuncheng.meals import flags, policy, rules
from chuncheng.meals.choices import ErrorCode, MealSource, Review
from chuncheng.meals.models import FoodSafetyCheck, MealCard, MealRecord, MealSettlement

CARD_PURPOSE = "meal_card"
PROGRAMME_CODE = "M1_meal_subsidy"
SITE_KINDS = ("canteen", "meal_point")
PHOTO_MAX_BYTES = 10 * 2**20


def card_index(number: str) -> str:
    return blind_index(number, purpose=CARD_PURPOSE)


def mask_card(number: str) -> str:
    """An ID number as elsewhere; another card number keeps its first two (if long) and last four characters."""
    text = number.strip()
    if len(text) == 18:
        return mask_id_number(text)
    if len(text) <= 4:
        return "*" * len(text)
    head = text[:2] if len(text) >= 10 else ""
    return head + "*" * (len(text) - 4 - len(head)) + text[-4:]


def elder_by_card(number: str) -> Elder | None:
    card = MealCard.objects.filter(number_index=card_index(number), active=True).select_related("elder").first()
    return card.elder if card else None


def issue_card(elder: Elder, number: str, *, actor, issued_on: date | None = None) -> MealCard:
    """Issue a meal card to an elder; a number already issued is refused (``card_taken``)."""
    number = number.strip()
    if not number:
        raise ValidationError({"number": ValidationError(_("Enter the card number."), code="required")})
    with transaction.atomic():
        index = card_index(number)
        if MealCard.objects.filter(number_index=index).exists():
            raise ValidationError(
                {"number": ValidationError(_("This card number is already issued."), code=ErrorCode.CARD_TAKEN)}
            )
        card = MealCard(
            elder=elder, number_index=index, number_masked=mask_card(number), issued_on=issued_on or today()
        )
        card.full_clean()
        card.save()
        audit.record_create(actor, card, org_code=elder.org_unit.code)
    return card


def month_settled(site: Facility, day: date) -> bool:
    return MealSettlement.objects.filter(site=site, month=day.replace(day=1)).exists()


def price_meal(elder: Elder, slot: str, served_on: date, price: Decimal) -> tuple[str, Decimal]:
    """The elder's subsidy group on the day and the subsidy of the meal under the policy in force."""
    params = policy.in_force(served_on)
    flags_ = {name: getattr(elder, name) for name in ("tekun", "dibao", "dibao_edge")}
    group = rules.subsidy_group(flags_, elder.birth_date, served_on, params.value("group_order"))
    return group, rules.meal_subsidy(params.subsidy_table, group, slot, price)


def record_meal(
    elder: Elder, site: Facility, data: dict[str, Any], *, actor, source: str = MealSource.TABLET
) -> MealRecord:
    """Record one meal (the tablet page and the API): refused if the site's month is settled, the date is in the
    future, or the same meal is already recorded; the elder's records of that day are then scanned for flags."""
    served_on: date = data["served_on"]
    price = Decimal(data["price"])
    if served_on > today():
        raise ValidationError(
            {"served_on": ValidationError(_("The date is in the future."), code=ErrorCode.FUTURE_DATE)}
        )
    if price < 0:
        raise ValidationError(
            {"price": ValidationError(_("The price cannot be negative."), code=ErrorCode.NEGATIVE_PRICE)}
        )
    with transaction.atomic():
        if month_settled(site, served_on):
            raise ValidationError(_("This site's month is already settled."), code=ErrorCode.MONTH_SETTLED)
        if MealRecord.objects.filter(elder=elder, site=site, served_on=served_on, slot=data["slot"]).exists():
            raise ValidationError(_("This meal is already recorded."), code=ErrorCode.DUPLICATE_RECORD)
        group, subsidy = price_meal(elder, data["slot"], served_on, price)
        record = MealRecord(
            elder=elder,
            site=site,
            served_on=served_on,
            slot=data["slot"],
            price=price,
            subsidy=subsidy,
            subsidy_group=group,
            source=source,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        record.full_clean()
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError as exc:  # the same meal recorded by a concurrent request
            raise ValidationError(_("This meal is already recorded."), code=ErrorCode.DUPLICATE_RECORD) from exc
        audit.record_create(actor, record, org_code=site.org_unit.code)
        flags.scan_records(MealRecord.objects.filter(elder=elder, served_on=served_on))
    return record


def review_record(record: MealRecord, decision: str, *, actor, note: str = "") -> MealRecord:
    """A supervisor accepts or rejects a flagged record (rejected records are not settled)."""
    if decision not in (Review.ACCEPTED, Review.REJECTED):
        raise ValidationError({"decision": ValidationError(_("Accept or reject."), code="invalid")})
    with transaction.atomic():
        record = MealRecord.objects.select_for_update().get(pk=record.pk)
        if not record.flags.exists():
            raise ValidationError(_("The record has no flag to review."), code=ErrorCode.NOT_FLAGGED)
        if month_settled(record.site, record.served_on):
            raise ValidationError(_("This site's month is already settled."), code=ErrorCode.MONTH_SETTLED)
        before = audit.snapshot(record, ["review", "review_note"])
        record.review, record.review_note = decision, note[:300]
        record.save(update_fields=["review", "review_note"])
        audit.record_update(actor, record, before)
    return record


def parse_month(text: str | None) -> date:
    try:
        year, month = (text or "").strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise ValidationError(_("A month is written YYYY-MM."), code=ErrorCode.MONTH_FORMAT) from exc


def meal_programme():
    """The benefits programme the settlements are booked under. It is owned by this app (not the benefits pack,
    whose rule shapes compute entitlements per beneficiary): created once, with no policy version, so it is never
    quoted or batched; the amounts come from the settlements."""
    from chuncheng.benefits.choices import BeneficiaryKind, RuleShape
    from chuncheng.benefits.models import Programme

    programme, _created = Programme.objects.get_or_create(
        code=PROGRAMME_CODE,
        defaults={
            "name": "助餐补贴（按站点月结）",
            "beneficiary": BeneficiaryKind.FACILITY,
            "shape": RuleShape.FLAT_MONTHLY,
            "source": "policies/kunming/meals/subsidies.json (UNVERIFIED amounts); settled by chuncheng meals settle",
        },
    )
    return programme


def settle_month(month: date, *, actor, sites: QuerySet | None = None) -> list[MealSettlement]:
    """Settle every site (of ``sites``, else all canteens and meal points) with meals in the month and no settlement
    yet: scan flags, total meals, prices and subsidies of the records not rejected, write one settlement and one
    benefits ledger entry (kind ``entitlement``, beneficiary the facility) per site. Idempotent: a settled site is
    skipped, and the (site, month) constraint refuses a concurrent second run."""
    from chuncheng.benefits.choices import BeneficiaryKind, LedgerKind
    from chuncheng.benefits.models import LedgerEntry
    from chuncheng.benefits.rules import fund_shares

    month = month.replace(day=1)
    start, end = flags.month_bounds(month)
    if end >= today():
        raise ValidationError(_("Only a month that has ended can be settled."), code="month_not_ended")
    sites = sites if sites is not None else Facility.objects.filter(kind__in=SITE_KINDS)
    params = {k: v["value"] for k, v in policy.in_force(end).parameters.items()}
    with transaction.atomic():
        flags.scan_month(month, sites)
        settled = MealSettlement.objects.filter(month=month).values("site_id")
        totals = (
            MealRecord.objects.filter(served_on__range=(start, end), site__in=sites)
            .exclude(site_id__in=settled)
            .values("site_id", "site__org_unit_id")
            .annotate(
                meals=Count("id", filter=~Q(review=Review.REJECTED)),
                excluded=Count("id", filter=Q(review=Review.REJECTED)),
                price_total=Sum("price", filter=~Q(review=Review.REJECTED)),
                subsidy_total=Sum("subsidy", filter=~Q(review=Review.REJECTED)),
            )
            .order_by("site_id")
        )
        rows = list(totals)
        if not rows:
            return []
        programme = meal_programme()
        now = timezone.now()
        entries = []
        for row in rows:
            amount = row["subsidy_total"] or Decimal("0")
            shares = fund_shares(amount, params)
            entries.append(
                LedgerEntry(
                    kind=LedgerKind.ENTITLEMENT,
                    programme=programme,
                    period=month,
                    beneficiary_kind=BeneficiaryKind.FACILITY,
                    beneficiary_id=row["site_id"],
                    org_unit_id=row["site__org_unit_id"],
                    amount=amount,
                    province_share=shares["province"],
                    city_share=shares["city"],
                    county_share=shares["county"],
                    note=f"助餐月结 {month:%Y-%m}：{row['meals']} 餐",
                    created_by=actor if getattr(actor, "pk", None) else None,
                    created_at=now,
                )
            )
        LedgerEntry.objects.bulk_create(entries)
        settlements = [
            MealSettlement(
                site_id=row["site_id"],
                month=month,
                meals=row["meals"],
                excluded=row["excluded"],
                price_total=row["price_total"] or Decimal("0"),
                subsidy_total=row["subsidy_total"] or Decimal("0"),
                ledger_entry_id=entry.pk,
                created_by=actor if getattr(actor, "pk", None) else None,
                created_at=now,
            )
            for row, entry in zip(rows, entries, strict=True)
        ]
        try:
            with transaction.atomic():
                MealSettlement.objects.bulk_create(settlements)
        except IntegrityError as exc:  # a concurrent run settled a site first: this run writes nothing
            raise ValidationError(
                _("Another settlement of this month ran at the same time; run it again."), code="settlement_conflict"
            ) from exc
        audit.record_bulk(
            actor,
            AuditAction.BULK_CREATE,
            MealSettlement,
            len(settlements),
            {
                "month": f"{month:%Y-%m}",
                "sites": len(settlements),
                "meals": sum(s.meals for s in settlements),
                "subsidy": str(sum((s.subsidy_total for s in settlements), Decimal("0"))),
            },
        )
    return settlements


def record_check(site: Facility, data: dict[str, Any], *, actor) -> FoodSafetyCheck:
    """Record a food-safety inspection of a site."""
    with transaction.atomic():
        check = FoodSafetyCheck(
            site=site,
            checked_on=data["checked_on"],
            inspector=data["inspector"],
            result=data["result"],
            issues=data.get("issues", "") or "",
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        if data.get("photo"):
            if data["photo"].size > PHOTO_MAX_BYTES:
                raise ValidationError(
                    {"photo": ValidationError(_("The photo is larger than 10 MB."), code="file_too_large")}
                )
            check.photo = data["photo"]
        if check.checked_on > today():
            raise ValidationError(
                {"checked_on": ValidationError(_("The date is in the future."), code=ErrorCode.FUTURE_DATE)}
            )
        check.full_clean()
        check.save()
        changes = audit.snapshot(check, ["site", "checked_on", "inspector", "result", "issues"])
        changes["photo"] = check.photo.name if check.photo else ""
        audit.record(actor, AuditAction.CREATE, check, audit.diff({}, changes), org_code=site.org_unit.code)
    return check
