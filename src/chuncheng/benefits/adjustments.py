"""Adjustments by an official (page, API, CLI): back pay for a late decision and recovery of an overpayment, each one
ledger entry written by ``batches.adjust``. This module is the one path the three surfaces share: it reads the raw
request (strings), finds the beneficiary by its public id through the user's scope (another area is refused as
``beneficiary_not_found``, which the page and API answer with 404), and refuses before anything is written:
- ``input_invalid``: an unknown kind, a beneficiary not of the programme's kind, a bad period or amount;
- ``input_negative``: an amount of zero or less; ``period_in_future``: a month not yet begun;
- ``already_paid``: back pay for a month already paid (by a batch or an earlier back pay not recovered);
- ``entitlement_pending``: back pay while a batch not yet approved holds an entitlement for that month;
- ``recovery_exceeds_paid``: recovering more than the net paid for that month.
Who may: city and county officials (``benefit_entitlement`` / add), within their own area.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from chuncheng.benefits import batches
from chuncheng.benefits.batches import BatchError
from chuncheng.benefits.choices import EntitlementStatus, LedgerKind
from chuncheng.benefits.models import Entitlement, LedgerEntry, PaymentBatch
from chuncheng.benefits.policy import get_programme
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted

RESOURCE = "benefit_entitlement"
KINDS = (LedgerKind.BACK_PAY, LedgerKind.RECOVERY)
MAX_AMOUNT = Decimal("999999999999.99")  # the ledger's 14 digits with 2 decimals


@dataclass(frozen=True)
class Request:
    """An adjustment as asked, before checks (every field a string, as a form, a JSON body or the CLI give it)."""

    kind: str
    programme: str
    period: str
    beneficiary: str  # "KIND:PUBLIC_ID"
    amount: Any  # yuan, a string or a JSON number
    note: str = ""


def allowed(user) -> bool:
    return permitted(user, RESOURCE, Action.ADD)


def parse_beneficiary(text: str) -> tuple[str, uuid.UUID]:
    kind, _sep, public_id = str(text or "").strip().partition(":")
    if kind not in batches.SOURCES:
        options = "、".join(f"{k}:<public_id>" for k in batches.SOURCES)
        raise BatchError("input_invalid", f"对象无效：{text or '（空）'}（应为 {options}）", "beneficiary")
    try:
        return kind, uuid.UUID(public_id)
    except ValueError as exc:
        raise BatchError("input_invalid", f"对象编号无效：{public_id or '（空）'}（应为 UUID）", "beneficiary") from exc


def parse_amount(text: Any) -> Decimal:
    if isinstance(text, bool) or not isinstance(text, int | float | str | Decimal):
        raise BatchError("input_invalid", f"金额无效：{text}", "amount")
    try:
        amount = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise BatchError("input_invalid", f"金额无效：{text}（应为元，如 12.34）", "amount") from exc
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) > MAX_AMOUNT:
        raise BatchError("input_invalid", f"金额无效：{text}（应为元，至多两位小数）", "amount")
    if amount <= 0:
        raise BatchError("input_negative", "调整金额须大于 0", "amount")
    return amount


def _beneficiary(user, kind: str, public_id: uuid.UUID, *, lock: bool = False):
    model = batches.SOURCES[kind]
    queryset = model.objects.select_related("org_unit")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return get_for_user(queryset, user, Action.VIEW, public_id=public_id)
    except Http404 as exc:
        raise BatchError("beneficiary_not_found", "找不到该对象，或不在您的管辖范围内", "beneficiary") from exc


def _check_back_pay(programme, period: date, kind: str, beneficiary_id: int) -> None:
    if batches.net_paid(programme, period, kind, beneficiary_id) > 0:
        raise BatchError("already_paid", f"该对象 {period:%Y-%m} 已发放，不能补发（防止重复发放）")
    pending = Entitlement.objects.filter(
        programme=programme,
        period=period,
        beneficiary_kind=kind,
        beneficiary_id=beneficiary_id,
        status=EntitlementStatus.PAYABLE,
        ledger_entry__isnull=True,
    )
    if pending.exists():
        raise BatchError(
            "entitlement_pending", f"该对象 {period:%Y-%m} 在待审批的批次中已有应发明细，批次审批后即发放，不能补发"
        )


def adjust(user, request: Request) -> LedgerEntry:
    """Check ``request`` and write the adjustment as ``user`` (one ledger entry with its fund shares, audited)."""
    if not allowed(user):
        raise BatchError("permission_denied", "无权登记补发或追回（仅市、县（市）区民政部门可用）")
    if request.kind not in KINDS:
        raise BatchError("input_invalid", f"调整类型无效：{request.kind}（应为 back_pay 或 recovery）", "kind")
    programme = get_programme(request.programme)
    period = batches.parse_period(request.period)
    kind, public_id = parse_beneficiary(request.beneficiary)
    if programme.beneficiary != kind:
        raise BatchError(
            "input_invalid", f"补贴项目 {programme.code} 的对象是 {programme.beneficiary}，不是 {kind}", "beneficiary"
        )
    amount = parse_amount(request.amount)
    note = str(request.note or "").strip()[:300]
    with transaction.atomic():
        # Locked and re-read through the scope inside the transaction: concurrent adjustments of one beneficiary
        # are serialised, and one moved out of the user's area meanwhile is refused.
        beneficiary = _beneficiary(user, kind, public_id, lock=True)
        if request.kind == LedgerKind.BACK_PAY:
            # The month's batch row too: approval holds it for its whole transaction, so a back pay and an approval
            # of the same month are serialised and each sees the other's ledger entries (no double payment).
            list(PaymentBatch.objects.select_for_update(of=("self",)).filter(programme=programme, period=period))
            _check_back_pay(programme, period, kind, beneficiary.pk)
        return batches.adjust(request.kind, programme.code, period, kind, beneficiary.pk, amount, actor=user, note=note)


def beneficiary_public_id(kind: str, pk: int) -> str:
    model = batches.SOURCES.get(kind)
    found = model.objects.filter(pk=pk).values_list("public_id", flat=True).first() if model else None
    return str(found) if found else ""


def entry_dict(entry: LedgerEntry) -> dict[str, Any]:
    """A ledger entry as the API and the CLI print it (money as decimal strings; the beneficiary by public id)."""
    return {
        "id": str(entry.public_id),
        "kind": entry.kind,
        "programme": entry.programme.code,
        "period": f"{entry.period:%Y-%m}",
        "beneficiary": f"{entry.beneficiary_kind}:{beneficiary_public_id(entry.beneficiary_kind, entry.beneficiary_id)}",
        "org_unit": entry.org_unit.code,
        "amount": str(entry.amount),
        "fund_shares": {
            "province": str(entry.province_share),
            "city": str(entry.city_share),
            "county": str(entry.county_share),
        },
        "note": entry.note,
        "created_by": entry.created_by.username if entry.created_by else None,
        "created_at": timezone.localtime(entry.created_at).isoformat(),
    }
