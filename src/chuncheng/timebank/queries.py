"""Scoped reads of the time bank, shared by pages, API and CLI."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from chuncheng.timebank.choices import ServiceStatus
from chuncheng.timebank.models import Account, Posting, Transfer, Volunteer, VolunteerService

CENT = Decimal("0.01")


def volunteers_for(user, org: str = ""):
    qs = Volunteer.objects.for_user(user).select_related("org_unit", "account")
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    return qs.order_by("org_unit__code", "name", "id")


def pending_services_for(user):
    return (
        VolunteerService.objects.for_user(user)
        .filter(status=ServiceStatus.RECORDED)
        .select_related("volunteer__org_unit")
        .order_by("served_on", "id")
    )


def transfers_of(volunteer: Volunteer):
    return Transfer.objects.filter(volunteer=volunteer).select_related("beneficiary", "service").order_by("-id")


def posted_balance(account: Account) -> Decimal:
    """The balance as the sum of the account's postings (equals the stored ``balance``; tests check it)."""
    total = Posting.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return _cents(total)


def ledger_check() -> dict[str, object]:
    """The double-entry invariants over the whole ledger: every transfer sums to zero with two postings, every
    account's stored balance equals the sum of its postings. Returns the offending ids (empty lists when sound)."""
    # Compared in cents: SQLite sums decimals as floating point (PostgreSQL's numeric is exact).
    unbalanced = [
        str(t.public_id)
        for t in Transfer.objects.annotate(total=Sum("postings__amount"), legs=Count("postings"))
        if t.legs != 2 or _cents(t.total) != 0
    ]
    mismatched = [
        str(a.public_id)
        for a in Account.objects.annotate(posted=Sum("postings__amount"))
        if _cents(a.posted) != _cents(a.balance)
    ]
    return {"unbalanced_transfers": unbalanced, "mismatched_accounts": mismatched}


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)
