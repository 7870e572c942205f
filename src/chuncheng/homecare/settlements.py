"""Monthly settlement of home services per provider (服务商月结), feeding the benefits ledger as the meal settlement
does (``meals.services.settle_month``).

A settlement totals a provider's *payable* verified visits of a month (``VisitQuerySet.payable``: checked out,
confirmed by the elder, no open or accepted flag) and their subsidy: each visit is paid the subsidy its order was
priced with (``ServiceOrder.subsidy_amount``, set by ``services.create_order`` from the catalogue and the entitlement
check). One grouped query over the month's closed visits makes every provider's row at once; the (provider, month)
constraint makes a re-run write nothing new. A settlement is made as a draft by one official and approved by another
(maker-checker, as benefit batches); the approval writes one ledger entry (kind ``entitlement``, beneficiary the
provider) under the programme named by the policy data (``policies/kunming/homecare/settlement.json``), with the fund
shares of the version in force at the month's end.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.queries import today
from chuncheng.homecare.choices import ErrorCode, FlagStatus, SettlementStatus, VisitStatus
from chuncheng.homecare.models import Provider, ProviderSettlement, Visit, VisitFlag
from chuncheng.homecare.rules import month_range

PACK = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "homecare" / "settlement.json"
RESOURCE = "homecare_settlement"
ZERO = Decimal("0.00")


def _require(actor, action: str) -> None:
    if actor is not None and not permitted(actor, RESOURCE, action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))


# ---- the policy data ----------------------------------------------------------------------------------------------


@cache
def pack() -> dict[str, Any]:
    """The settlement pack, checked: a programme code, and versions whose parameters all carry a value and a source
    and whose dates do not overlap."""
    data = json.loads(PACK.read_text(encoding="utf-8"))
    if not data.get("programme", {}).get("code"):
        raise ValueError("settlement.json: the programme needs a code")
    versions = sorted(data["versions"], key=lambda v: v["effective_from"])
    for version in versions:
        for name, param in version["parameters"].items():
            if not isinstance(param, dict) or "value" not in param or not param.get("source"):
                raise ValueError(f"settlement.json {version['label']}: {name} needs a value and a source")
    for a, b in itertools.pairwise(versions):
        if a.get("effective_to") is None or a["effective_to"] >= b["effective_from"]:
            raise ValueError(f"settlement.json: versions {a['label']} and {b['label']} overlap")
    return {**data, "versions": versions}


def parameters_on(day: date) -> dict[str, Any]:
    """The parameters (fund shares) of the version in force on ``day``."""
    for version in pack()["versions"]:
        start = date.fromisoformat(version["effective_from"])
        end = date.fromisoformat(version["effective_to"]) if version.get("effective_to") else None
        if start <= day and (end is None or day <= end):
            return {name: param["value"] for name, param in version["parameters"].items()}
    raise refusal(None, ErrorCode.NO_POLICY, _("No settlement policy is in force for this month."))


def programme():
    """The benefits programme approved settlements are booked under, created once from the policy data (no policy
    version of its own: it is never quoted or batched; the amounts come from the settlements), as meals does."""
    from chuncheng.benefits.choices import BeneficiaryKind, RuleShape
    from chuncheng.benefits.models import Programme

    spec = pack()["programme"]
    found, _created = Programme.objects.get_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "beneficiary": BeneficiaryKind.PROVIDER,
            "shape": RuleShape.FLAT_MONTHLY,
            "source": spec["source"][:300],
        },
    )
    return found


# ---- settle a month -----------------------------------------------------------------------------------------------


def parse_month(text: str | None) -> date:
    """``YYYY-MM`` → the month's first day; anything else is refused (``bad_month``)."""
    try:
        year, month = (text or "").strip().split("-")
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise refusal("month", ErrorCode.BAD_MONTH, _("A month is written YYYY-MM.")) from exc


def totals(month: date, providers: QuerySet | None = None) -> QuerySet:
    """One grouped query: per provider (not yet settled for the month), the month's closed visits split into payable
    ones (count, market, elder and subsidy amounts of their orders) and the rest (unconfirmed or flagged)."""
    first, last = month_range(month)
    blocking = VisitFlag.objects.filter(visit_id=OuterRef("pk"), status__in=[FlagStatus.OPEN, FlagStatus.ACCEPTED])
    payable = Q(confirmed=True, blocked=False)
    qs = Visit.objects.filter(status=VisitStatus.CLOSED, visit_date__range=(first, last))
    if providers is not None:
        qs = qs.filter(order__provider__in=providers)
    settled = ProviderSettlement.objects.filter(month=first).values("provider_id")
    return (
        qs.exclude(order__provider_id__in=settled)
        .alias(blocked=Exists(blocking))
        .values("order__provider_id")
        .annotate(
            visits=Count("id", filter=payable),
            excluded=Count("id", filter=~payable),
            market_total=Sum("order__market_amount", filter=payable),
            elder_total=Sum("order__elder_amount", filter=payable),
            subsidy_total=Sum("order__subsidy_amount", filter=payable),
        )
        .order_by("order__provider_id")
    )


def settle_month(
    month: date, *, actor, providers: QuerySet | None = None, scan: bool = True
) -> list[ProviderSettlement]:
    """Make the draft settlements of the month for every provider (of ``providers``, else those of the actor's area;
    every provider when run by the machine) with closed visits and no settlement yet. The month's visits are scanned
    for anomalies first (idempotent), so a visit never scanned is not paid. Idempotent: a settled provider is skipped;
    a concurrent run is refused by the constraint and writes nothing."""
    _require(actor, Action.ADD)
    month = month.replace(day=1)
    last = month_range(month)[1]
    if last >= today():
        raise refusal("month", ErrorCode.MONTH_NOT_ENDED, _("Only a month that has ended can be settled."))
    if providers is None:
        providers = Provider.objects.all() if actor is None else Provider.objects.for_user(actor, Action.ADD)
    parameters_on(last)  # refuse before writing anything when no policy is in force
    with transaction.atomic():
        if scan:
            from chuncheng.homecare import services

            services.scan_anomalies(month.strftime("%Y-%m"))
        rows = list(totals(month, providers))
        if not rows:
            return []
        now = timezone.now()
        by = actor if getattr(actor, "pk", None) else None
        settlements = [
            ProviderSettlement(
                provider_id=row["order__provider_id"],
                month=month,
                visits=row["visits"],
                excluded=row["excluded"],
                market_total=row["market_total"] or ZERO,
                elder_total=row["elder_total"] or ZERO,
                subsidy_total=row["subsidy_total"] or ZERO,
                status=SettlementStatus.DRAFT,
                created_by=by,
                created_at=now,
            )
            for row in rows
        ]
        try:
            with transaction.atomic():
                ProviderSettlement.objects.bulk_create(settlements)
        except IntegrityError as exc:  # a concurrent run settled a provider first: this run writes nothing
            raise refusal(
                None,
                ErrorCode.SETTLEMENT_CONFLICT,
                _("Another settlement of this month ran at the same time; run it again."),
            ) from exc
        audit.record_bulk(
            actor,
            AuditAction.BULK_CREATE,
            ProviderSettlement,
            len(settlements),
            {
                "month": f"{month:%Y-%m}",
                "providers": len(settlements),
                "visits": sum(s.visits for s in settlements),
                "subsidy": str(sum((s.subsidy_total for s in settlements), ZERO)),
            },
        )
    return settlements


# ---- approve (maker-checker) --------------------------------------------------------------------------------------


def approve_settlements(settlements, *, actor) -> list[ProviderSettlement]:
    """Approve draft settlements: another official than the one who made them (maker-checker), within the actor's
    area; writes one benefits ledger entry per settlement (fund shares of the policy in force at the month's end).
    All or nothing: any refusal writes nothing."""
    from chuncheng.benefits.choices import BeneficiaryKind, LedgerKind
    from chuncheng.benefits.models import LedgerEntry
    from chuncheng.benefits.rules import fund_shares

    if actor is None or not getattr(actor, "pk", None):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("An approval is made by a named official."))
    _require(actor, Action.CHANGE)
    ids = sorted(s.pk for s in settlements)
    with transaction.atomic():
        locked = list(
            ProviderSettlement.objects.for_user(actor, Action.CHANGE)
            .select_for_update(of=("self",))
            .select_related("provider__org_unit")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise refusal(None, ErrorCode.BAD_AREA, _("This settlement is not in your area."))
        for settlement in locked:
            if settlement.status != SettlementStatus.DRAFT:
                raise refusal(None, ErrorCode.SETTLEMENT_APPROVED, _("This settlement is already approved."))
            if settlement.created_by_id == actor.pk:
                raise refusal(
                    None, ErrorCode.SAME_MAKER, _("The official who made a settlement cannot also approve it.")
                )
        if not locked:
            return []
        booked = programme()
        now = timezone.now()
        entries = []
        for settlement in locked:
            shares = fund_shares(settlement.subsidy_total, parameters_on(month_range(settlement.month)[1]))
            entries.append(
                LedgerEntry(
                    kind=LedgerKind.ENTITLEMENT,
                    programme=booked,
                    period=settlement.month,
                    beneficiary_kind=BeneficiaryKind.PROVIDER,
                    beneficiary_id=settlement.provider_id,
                    org_unit_id=settlement.provider.org_unit_id,
                    amount=settlement.subsidy_total,
                    province_share=shares["province"],
                    city_share=shares["city"],
                    county_share=shares["county"],
                    note=f"居家上门服务月结 {settlement.month:%Y-%m}：{settlement.visits} 次",
                    created_by=actor,
                    created_at=now,
                )
            )
        LedgerEntry.objects.bulk_create(entries)
        for settlement, entry in zip(locked, entries, strict=True):
            before = audit.snapshot(settlement, ["status", "approved_by", "approved_at", "ledger_entry"])
            settlement.status = SettlementStatus.APPROVED
            settlement.approved_by = actor
            settlement.approved_at = now
            settlement.ledger_entry_id = entry.pk
            settlement.save(update_fields=["status", "approved_by", "approved_at", "ledger_entry"])
            audit.record_update(actor, settlement, before, org_code=settlement.provider.org_unit.code)
    return locked


def approve_settlement(settlement: ProviderSettlement, *, actor) -> ProviderSettlement:
    return approve_settlements([settlement], actor=actor)[0]
