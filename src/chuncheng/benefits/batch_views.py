"""Payment batch pages: list and start, review with progress (HTMX polling that does not extend the session),
maker–checker approval, lock, payment file; an entitlement (scoped: another county is 404); ledger totals; adjustments
(back pay, recovery) posted from the ledger or an entitlement page."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuncheng.benefits import adjustments, batches, queries
from chuncheng.benefits.choices import BatchStatus
from chuncheng.benefits.models import Entitlement, LedgerEntry, PaymentBatch, Programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.roles import Action
from chuncheng.core.scope import get_for_user, permitted
from chuncheng.core.views import require_permission

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch(request, public_id, action: str = Action.VIEW) -> PaymentBatch:
    require_permission(request, "benefit_batch", action)
    return get_object_or_404(
        PaymentBatch.objects.select_related("programme", "policy_version", "run_by", "approved_by"),
        public_id=public_id,
    )


@login_required
def batches_view(request):
    require_permission(request, "benefit_batch")
    if request.method == "POST":
        require_permission(request, "benefit_batch", Action.ADD)
        code = request.POST.get("programme", "")
        try:
            period = batches.parse_period(request.POST.get("period", ""))
            with transaction.atomic():
                batch = batches.prepare(code, period, actor=request.user)
                from chuncheng.benefits.tasks import run_batch_task

                transaction.on_commit(partial(run_batch_task, batch.pk, request.user.pk))
        except QuoteError as exc:
            messages.error(request, f"{exc.message} ({exc.code})")
            return redirect("benefits:batches")
        return redirect("benefits:batch", public_id=batch.public_id)
    return render(
        request,
        "benefits/batches.html",
        {
            "batches": PaymentBatch.objects.select_related("programme")[:100],
            "recurring": sorted(batches.RECURRING),
            "can_run": permitted(request.user, "benefit_batch", Action.ADD),
        },
    )


@login_required
def batch_view(request, public_id):
    batch = _batch(request, public_id)
    scoped = Entitlement.objects.for_user(request.user)
    return render(
        request,
        "benefits/batch.html",
        {
            "batch": batch,
            "review": batches.review(batch, scoped),
            "can_change": permitted(request.user, "benefit_batch", Action.CHANGE),
            "can_export": permitted(request.user, "benefit_batch", Action.EXPORT),
            "entitlements": scoped.filter(batch=batch).select_related("org_unit")[:50],
        },
    )


@login_required
def batch_progress_view(request, public_id):
    """The progress fragment the batch page polls (header ``X-Chuncheng-Poll: 1``: the idle clock is not reset)."""
    batch = _batch(request, public_id)
    response = render(request, "benefits/batch_progress.html", {"batch": batch})
    if batch.status not in (BatchStatus.DRAFT, BatchStatus.RUNNING):
        # Only a running batch's page polls, so the run has just ended: reload the page to show its review totals.
        response["HX-Refresh"] = "true"
    return response


def _act(request, public_id, action):
    batch = _batch(request, public_id, Action.CHANGE)
    try:
        action(batch, actor=request.user)
    except QuoteError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
    return redirect("benefits:batch", public_id=batch.public_id)


@login_required
@require_POST
def batch_approve_view(request, public_id):
    return _act(request, public_id, batches.approve)


@login_required
@require_POST
def batch_lock_view(request, public_id):
    return _act(request, public_id, batches.lock)


@login_required
def batch_export_view(request, public_id):
    batch = _batch(request, public_id, Action.EXPORT)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    unmasked = request.GET.get("unmasked") == "1"
    try:
        data = batches.payment_file(batch, fmt, unmasked=unmasked, actor=request.user)
    except QuoteError as exc:
        messages.error(request, f"{exc.message} ({exc.code})")
        return redirect("benefits:batch", public_id=batch.public_id)
    response = HttpResponse(data, content_type=XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="payment-{batch.programme.code}-{batch.period:%Y-%m}.{fmt}"'
    )
    return response


@login_required
def entitlement_view(request, public_id):
    require_permission(request, "benefit_entitlement")
    entitlement = get_for_user(
        Entitlement.objects.select_related("batch", "programme", "org_unit"), request.user, public_id=public_id
    )
    ledger = LedgerEntry.objects.filter(
        programme=entitlement.programme,
        period=entitlement.period,
        beneficiary_kind=entitlement.beneficiary_kind,
        beneficiary_id=entitlement.beneficiary_id,
    )
    context = {"e": entitlement, "ledger": ledger, "can_adjust": adjustments.allowed(request.user)}
    if context["can_adjust"]:
        context["beneficiary"] = (
            f"{entitlement.beneficiary_kind}:"
            f"{adjustments.beneficiary_public_id(entitlement.beneficiary_kind, entitlement.beneficiary_id)}"
        )
    return render(request, "benefits/entitlement.html", context)


@login_required
def ledger_view(request):
    require_permission(request, "benefit_entitlement")
    by = request.GET.get("by", "programme")
    try:
        rows = queries.ledger_totals(LedgerEntry.objects.for_user(request.user), by)
    except QuoteError as exc:
        raise Http404 from exc
    context = {
        "rows": rows,
        "by": by,
        "by_name": queries.LEDGER_GROUP_NAMES[by],
        "groups": queries.LEDGER_GROUP_NAMES.items(),
        "can_adjust": adjustments.allowed(request.user),
    }
    if context["can_adjust"]:
        context["programmes"] = Programme.objects.order_by("code")
        context["adjustments"] = (
            LedgerEntry.objects.for_user(request.user)
            .filter(kind__in=adjustments.KINDS)
            .select_related("programme", "org_unit")
            .order_by("-pk")[:20]
        )
    return render(request, "benefits/ledger.html", context)


@login_required
@require_POST
def adjust_view(request):
    """Back pay or recovery from the ledger or an entitlement page (``adjustments.adjust``); back to ``next``."""
    require_permission(request, adjustments.RESOURCE, Action.ADD)
    asked = adjustments.Request(**{f: request.POST.get(f, "") for f in adjustments.Request.__dataclass_fields__})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("benefits:ledger")
    try:
        entry = adjustments.adjust(request.user, asked)
    except QuoteError as exc:
        if exc.code == "beneficiary_not_found":
            raise Http404 from exc
        messages.error(request, f"{exc.message} ({exc.code})")
        return redirect(target)
    messages.success(
        request,
        _("Adjustment recorded: %(kind)s %(amount)s") % {"kind": entry.get_kind_display(), "amount": entry.amount},
    )
    return redirect(target)
