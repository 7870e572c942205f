"""Monthly payment batches of recurring programmes, their approval, payment file and ledger (docs/benefits.md).

State lives in ``PaymentBatch`` (huey runs a task at most once): each chunk of beneficiaries (a primary-key range) is
inserted and the batch's ``last_pk`` checkpoint advanced in ONE transaction, so a run killed at any point is resumed by
the next run (CLI, page, or the periodic reaper) from the last committed chunk, and the result equals an uninterrupted
run. One entitlement per programme, period and beneficiary is a database constraint; inserts name that constraint's
columns in ``ON CONFLICT (…) DO NOTHING`` (PostgreSQL and SQLite), so any other constraint failure still raises —
never ``bulk_create(ignore_conflicts=True)``, which on SQLite is ``INSERT OR IGNORE`` and drops such rows silently.

The elder programmes (高龄津贴, P2, P3) are compiled (``compiler.py``) into one ``INSERT … SELECT`` per chunk of
50,000 elder keys: the facts that decide a rule take few values, each combination is priced once by the pure rule
(``rules.calculate``) and the SQL sorts the elders into them, so the SQL and the quote never disagree. Institution and
staff programmes (hundreds to thousands of rows) run the pure rule per beneficiary in Python.

At approval an entitlement is paused, not paid, when its elder is no longer active, its institution is sanctioned, or
the month is already paid to its beneficiary by a back pay not recovered (a net positive ledger amount).
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from chuncheng.benefits import rules, sanctions, services
from chuncheng.benefits.choices import BatchStatus, BeneficiaryKind, EntitlementStatus, LedgerKind
from chuncheng.benefits.compiler import CompiledRule, bind, compile_rule, prep
from chuncheng.benefits.models import Entitlement, LedgerEntry, PaymentBatch, PolicyVersion, Programme
from chuncheng.benefits.policy import get_programme, version_in_force
from chuncheng.benefits.rules import QuoteError
from chuncheng.core import audit
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Institution, Staff

# Test hook (documented in docs/benefits.md): SIGKILL this process right after committing chunk N. Only read when set.
KILL_ENV = "CHUNCHENG_TEST_KILL_AFTER_CHUNK"
CHUNK_ENV = "CHUNCHENG_BATCH_CHUNK"  # primary keys per chunk (tests use small chunks to get several)
ELDER_CHUNK = 50_000  # primary keys per compiled INSERT … SELECT (one transaction each)
LOOP_CHUNK = 500  # beneficiaries per transaction when the rule runs in Python
STALE_AFTER = timedelta(minutes=10)  # a running batch with no heartbeat for this long is resumed by the next run
RECURRING = {
    "B2_operating": BeneficiaryKind.INSTITUTION,
    "B3_caregiver_post": BeneficiaryKind.STAFF,
    "P1_longevity_allowance": BeneficiaryKind.ELDER,
    "P2_service_subsidy_poor": BeneficiaryKind.ELDER,
    "P3_disability_care_subsidy": BeneficiaryKind.ELDER,
}
SOURCES = {BeneficiaryKind.ELDER: Elder, BeneficiaryKind.INSTITUTION: Institution, BeneficiaryKind.STAFF: Staff}
CONFLICT = "ON CONFLICT (programme_id, period, beneficiary_kind, beneficiary_id) DO NOTHING"
COLUMNS = [
    "public_id",
    "batch_id",
    "programme_id",
    "period",
    "beneficiary_kind",
    "beneficiary_id",
    "org_unit_id",
    "amount",
    "province_share",
    "city_share",
    "county_share",
    "breakdown",
    "reasons",
    "status",
    "pause_reason",
    "created_at",
]


class BatchError(QuoteError):
    """A refused batch operation (stable English ``code``, Chinese ``message``); nothing was written."""


@dataclass
class Summary:
    programme: str
    period: str
    status: str
    dry_run: bool = False
    entitlements: int = 0
    amount: Decimal = Decimal("0.00")
    chunks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "extra"}
        out["amount"] = str(self.amount)
        out.update(self.extra)
        return out


# ---------------------------------------------------------------------------------------------------------------
# Periods and batches


def parse_period(text: str, *, today: date | None = None) -> date:
    """``YYYY-MM`` → its first day; a month after the current one is ``period_in_future``."""
    try:
        year, month = (int(p) for p in str(text).split("-"))
        period = date(year, month, 1)
    except (TypeError, ValueError) as exc:
        raise BatchError("input_invalid", f"发放期无效：{text}（应为 YYYY-MM）", "period") from exc
    today = today or timezone.localdate()
    if period > today.replace(day=1):
        raise BatchError("period_in_future", f"发放期 {text} 尚未到来，不能生成批次", "period")
    return period


def recurring_programme(code: str) -> Programme:
    programme = get_programme(code)
    if code not in RECURRING:
        raise BatchError("programme_not_recurring", f"补贴项目 {code} 不是按月发放的项目，不能按批次发放")
    return programme


def city_version(programme: Programme, period: date) -> PolicyVersion:
    return version_in_force(programme, period, "")


def prepare(code: str, period: date, *, actor=None) -> PaymentBatch:
    """The batch of (programme, period), created as a draft when absent; refused once approved or locked."""
    programme = recurring_programme(code)
    version = city_version(programme, period)
    with transaction.atomic():
        batch, created = PaymentBatch.objects.select_for_update().get_or_create(
            programme=programme, period=period, defaults={"policy_version": version, "run_by": actor}
        )
        if batch.status in (BatchStatus.APPROVED, BatchStatus.LOCKED):
            raise BatchError(
                "batch_locked", f"{code} {period:%Y-%m} 的批次已{batch.get_status_display()}，不能再次生成或修改"
            )
        if created:
            audit.record_create(actor, batch)
    return batch


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(batch: PaymentBatch, now) -> bool:
    """Is another process still running this batch? Same host: its pid exists; any host: a recent heartbeat."""
    if batch.status != BatchStatus.RUNNING or not batch.runner:
        return False
    if batch.heartbeat_at is None or now - batch.heartbeat_at > STALE_AFTER:
        return False
    host, _sep, pid = batch.runner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


# ---------------------------------------------------------------------------------------------------------------
# Inserting the compiled rules (``compiler.py``)


def _uuid_sql() -> str:
    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


def _json_sql(expr: str) -> str:
    return f"CAST({expr} AS jsonb)" if connection.vendor == "postgresql" else expr


def _insert_select(batch: PaymentBatch, compiled: CompiledRule, lo: int, hi: int, now) -> int:
    columns = ", ".join(COLUMNS)
    sql = (
        f"INSERT INTO benefits_entitlement ({columns}) "
        f"SELECT {_uuid_sql()}, %s, %s, %s, %s, s.id, s.org_unit_id, s.amount, s.province_share, s.city_share, "
        f"s.county_share, {_json_sql('s.breakdown')}, {_json_sql('s.reasons')}, %s, '', %s "
        f"FROM ({compiled.sql}) s WHERE true {CONFLICT}"
    )
    params = [
        batch.pk,
        batch.programme_id,
        prep("period", batch.period),
        BeneficiaryKind.ELDER.value,
        EntitlementStatus.PAYABLE.value,
        prep("created_at", now),
        *bind(compiled, lo, hi),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# ---------------------------------------------------------------------------------------------------------------
# Programmes computed in Python (institutions and staff: hundreds to thousands of rows)


def _facts(kind: str, beneficiary: Any, period: date) -> dict[str, Any]:
    _model, _related, build = services.BENEFICIARIES[kind]
    facts, _notes = build(beneficiary, period)
    facts["months"] = 1
    return facts


def _python_rows(batch: PaymentBatch, kind: str, lo: int, hi: int, now) -> list[tuple]:
    model, related, _build = services.BENEFICIARIES[kind]
    rows = []
    # The programme's versions read once per chunk, not once per beneficiary (``version_in_force`` reads them).
    programme = Programme.objects.prefetch_related("versions").get(pk=batch.programme_id)
    candidates = model.objects.select_related(*related).filter(pk__gt=lo, pk__lte=hi).order_by("pk")
    if kind == BeneficiaryKind.ELDER:
        candidates = candidates.filter(status=ElderStatus.ACTIVE)
    for beneficiary in candidates:
        try:
            result = services.quote_with(programme, _facts(kind, beneficiary, batch.period), batch.period)
        except QuoteError:
            continue  # no version in force for its area, or a fact the registry lacks: not payable this month
        if not result["eligible"] or Decimal(result["amount"]) <= 0:
            continue
        shares = result["fund_shares"]
        values = {
            "public_id": uuid.uuid4(),
            "batch_id": batch.pk,
            "programme_id": batch.programme_id,
            "period": batch.period,
            "beneficiary_kind": kind,
            "beneficiary_id": beneficiary.pk,
            "org_unit_id": beneficiary.org_unit_id,
            "amount": Decimal(result["amount"]),
            "province_share": Decimal(shares["province"]),
            "city_share": Decimal(shares["city"]),
            "county_share": Decimal(shares["county"]),
            "breakdown": result["breakdown"],
            "reasons": result["reasons"],
            "status": EntitlementStatus.PAYABLE.value,
            "pause_reason": "",
            "created_at": now,
        }
        rows.append(tuple(_db_value(name, values[name]) for name in COLUMNS))
    return rows


def _db_value(name: str, value: Any) -> Any:
    if name in ("batch_id", "programme_id", "org_unit_id", "beneficiary_id"):
        return value
    if name in ("breakdown", "reasons"):
        return json.dumps(value, ensure_ascii=False)
    return prep(name, value)


def _insert_values(rows: list[tuple]) -> int:
    if not rows:
        return 0
    placeholders = ", ".join(_json_sql("%s") if c in ("breakdown", "reasons") else "%s" for c in COLUMNS)
    sql = f"INSERT INTO benefits_entitlement ({', '.join(COLUMNS)}) VALUES ({placeholders}) {CONFLICT}"
    inserted = 0
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute(sql, row)
            inserted += cursor.rowcount
    return inserted


# ---------------------------------------------------------------------------------------------------------------
# Running


def _claim(batch_id: int, actor) -> PaymentBatch:
    now = timezone.now()
    with transaction.atomic():
        batch = (
            PaymentBatch.objects.select_for_update(of=("self",))
            .select_related("programme", "policy_version")
            .get(pk=batch_id)
        )
        if batch.status in (BatchStatus.APPROVED, BatchStatus.LOCKED):
            raise BatchError("batch_locked", f"{batch} 的批次已{batch.get_status_display()}，不能再次运行")
        if _alive(batch, now):
            raise BatchError("batch_running", f"{batch} 的批次正在运行（{batch.runner}），请稍后查看进度")
        model = SOURCES[RECURRING[batch.programme.code]]
        batch.max_pk = max(batch.max_pk, model.objects.aggregate(m=Max("pk"))["m"] or 0)
        batch.total = batch.max_pk
        batch.processed = min(batch.last_pk, batch.max_pk)
        batch.status = BatchStatus.RUNNING
        batch.runner = _runner()
        batch.heartbeat_at = now
        batch.started_at = batch.started_at or now
        batch.finished_at = None
        batch.error = ""
        if batch.run_by_id is None and actor is not None:
            batch.run_by = actor
        if batch.policy_version_id is None:
            batch.policy_version = city_version(batch.programme, batch.period)
        batch.save()
    return batch


def run_batch(batch_id: int, *, actor=None) -> PaymentBatch:
    """Run (or resume, or top up with beneficiaries registered since) a batch to ``computed``. Idempotent."""
    batch = _claim(batch_id, actor)
    kind = RECURRING[batch.programme.code]
    compiled = compile_rule(batch.programme, batch.policy_version, batch.period)
    step = ELDER_CHUNK if compiled else LOOP_CHUNK
    if os.environ.get(CHUNK_ENV, "").isdigit():
        step = int(os.environ[CHUNK_ENV])
    kill_after = os.environ.get(KILL_ENV)
    try:
        while batch.last_pk < batch.max_pk:
            lo, hi = batch.last_pk, min(batch.last_pk + step, batch.max_pk)
            now = timezone.now()
            with transaction.atomic():
                if compiled:
                    created = _insert_select(batch, compiled, lo, hi, now)
                else:
                    created = _insert_values(_python_rows(batch, kind, lo, hi, now))
                PaymentBatch.objects.filter(pk=batch.pk).update(
                    last_pk=hi,
                    processed=hi,
                    chunks=F("chunks") + 1,
                    created_count=F("created_count") + created,
                    heartbeat_at=now,
                )
            batch.refresh_from_db()
            if kill_after and batch.chunks == int(kill_after):
                os.kill(os.getpid(), signal.SIGKILL)
        with transaction.atomic():
            stored = Entitlement.objects.filter(batch=batch).count()
            if stored != batch.created_count:
                raise BatchError(
                    "batch_count_mismatch", f"{batch} 已登记 {stored} 条应发记录，与计数 {batch.created_count} 不符"
                )
            PaymentBatch.objects.filter(pk=batch.pk).update(
                status=BatchStatus.COMPUTED, runner="", finished_at=timezone.now(), processed=batch.max_pk
            )
            totals = Entitlement.objects.filter(batch=batch).aggregate(n=Count("pk"), amount=Sum("amount"))
            audit.record_bulk(
                actor,
                AuditAction.BULK_CREATE,
                Entitlement,
                totals["n"],
                {
                    "batch": str(batch.public_id),
                    "programme": batch.programme.code,
                    "period": f"{batch.period:%Y-%m}",
                    "amount": str(totals["amount"] or 0),
                },
            )
    except Exception as exc:
        PaymentBatch.objects.filter(pk=batch.pk).update(runner="", error=str(exc)[:2000])
        raise
    batch.refresh_from_db()
    return batch


def summarise(batch: PaymentBatch, *, dry_run: bool = False) -> Summary:
    totals = Entitlement.objects.filter(batch=batch).aggregate(n=Count("pk"), amount=Sum("amount"))
    return Summary(
        batch.programme.code,
        f"{batch.period:%Y-%m}",
        batch.status,
        dry_run,
        totals["n"],
        totals["amount"] or Decimal("0.00"),
        batch.chunks,
        {"batch": str(batch.public_id), "policy_version": batch.policy_version.label if batch.policy_version else ""},
    )


def dry_run(code: str, period: date) -> Summary:
    """What a run would create, computed by the same rule, writing nothing."""
    programme = recurring_programme(code)
    version = city_version(programme, period)
    existing = PaymentBatch.objects.filter(programme=programme, period=period).first()
    if existing and existing.status in (BatchStatus.APPROVED, BatchStatus.LOCKED):
        raise BatchError("batch_locked", f"{code} {period:%Y-%m} 的批次已{existing.get_status_display()}")
    summary = Summary(code, f"{period:%Y-%m}", "dry_run", True)
    kind = RECURRING[code]
    top = SOURCES[kind].objects.aggregate(m=Max("pk"))["m"] or 0
    compiled = compile_rule(programme, version, period)
    if compiled:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*), SUM(s.amount) FROM ({compiled.sql}) s", bind(compiled, 0, top))
            n, amount = cursor.fetchone()
        summary.entitlements, summary.amount = n, Decimal(str(amount or 0)).quantize(rules.CENT)
    else:
        probe = PaymentBatch(programme=programme, period=period, policy_version=version)
        rows = _python_rows(probe, kind, 0, top, timezone.now())
        summary.entitlements = len(rows)
        amount_at = COLUMNS.index("amount")
        summary.amount = sum((Decimal(str(r[amount_at])) for r in rows), Decimal("0.00"))
    summary.extra["policy_version"] = version.label
    return summary


def run(code: str, period: date, *, actor=None) -> PaymentBatch:
    batch = prepare(code, period, actor=actor)
    return run_batch(batch.pk, actor=actor)


def stale_batches() -> list[int]:
    now = timezone.now()
    return [b.pk for b in PaymentBatch.objects.filter(status=BatchStatus.RUNNING) if not _alive(b, now)]


# ---------------------------------------------------------------------------------------------------------------
# Review, approval, lock, payment file


def review(batch: PaymentBatch, entitlements=None) -> dict[str, Any]:
    """Totals by county; changes against the previous period's batch; new and dropped beneficiaries (counts and the
    first 50 ids). ``entitlements`` is the user's scoped queryset (default: the whole batch)."""
    from django.db.models.functions import Substr

    qs = Entitlement.objects.all() if entitlements is None else entitlements
    current = qs.filter(batch=batch)
    by_area = list(
        current.annotate(county=Substr("org_unit__code", 1, 6))
        .values("county")
        .annotate(n=Count("pk"), amount=Sum("amount"), paused=Count("pk", filter=Q(status=EntitlementStatus.PAUSED)))
        .order_by("county")
    )
    names = dict(OrgUnit.objects.filter(code__in=[r["county"] for r in by_area]).values_list("code", "name"))
    for row in by_area:  # SQLite sums decimals to a bare number: show every amount in yuan with two places
        row["amount"] = rules.money(Decimal(row["amount"] or 0))
        row["county_name"] = names.get(row["county"], "")
    totals = current.aggregate(n=Count("pk"), amount=Sum("amount"))
    previous_period = (batch.period - timedelta(days=1)).replace(day=1)
    previous = qs.filter(programme_id=batch.programme_id, period=previous_period)
    before = previous.aggregate(n=Count("pk"), amount=Sum("amount"))
    now_ids = current.values("beneficiary_kind", "beneficiary_id")
    then_ids = previous.values("beneficiary_kind", "beneficiary_id")
    new = current.exclude(beneficiary_id__in=then_ids.values("beneficiary_id"))
    dropped = previous.exclude(beneficiary_id__in=now_ids.values("beneficiary_id"))
    return {
        "by_area": by_area,
        "count": totals["n"],
        "amount": rules.money(Decimal(totals["amount"] or 0)),
        "previous_period": previous_period,
        "previous_count": before["n"],
        "previous_amount": rules.money(Decimal(before["amount"] or 0)),
        "change_count": totals["n"] - before["n"],
        "change_amount": rules.money(Decimal(totals["amount"] or 0) - Decimal(before["amount"] or 0)),
        "new_count": new.count(),
        "dropped_count": dropped.count(),
        "new": list(new.values_list("beneficiary_id", flat=True)[:50]),
        "dropped": list(dropped.values_list("beneficiary_id", flat=True)[:50]),
    }


def _pause_ineligible(batch: PaymentBatch) -> int:
    """Re-check at approval: an elder no longer active (died, moved away) or a sanctioned institution is paused."""
    paused = 0
    ents = Entitlement.objects.filter(batch=batch, status=EntitlementStatus.PAYABLE)
    gone = Elder.objects.exclude(status=ElderStatus.ACTIVE).values("pk")
    paused += ents.filter(beneficiary_kind=BeneficiaryKind.ELDER, beneficiary_id__in=gone).update(
        status=EntitlementStatus.PAUSED, pause_reason="elder_not_active"
    )
    institution_ids = ents.filter(beneficiary_kind=BeneficiaryKind.INSTITUTION).values_list("beneficiary_id", flat=True)
    for institution in Institution.objects.filter(pk__in=list(institution_ids)):
        sanctioned, note = sanctions.is_sanctioned(institution, timezone.localdate())
        if sanctioned:
            paused += ents.filter(beneficiary_kind=BeneficiaryKind.INSTITUTION, beneficiary_id=institution.pk).update(
                status=EntitlementStatus.PAUSED, pause_reason=f"sanctioned: {note}"[:200]
            )
    return paused


PAUSE_ALREADY_PAID = "already_paid"


def _pause_already_paid(batch: PaymentBatch) -> int:
    """Re-check at approval: a beneficiary whose month already has a net positive ledger amount for the programme (a
    back pay recorded before the batch was run or approved, not recovered) is paused, so the month is not paid twice.
    One UPDATE … WHERE EXISTS; the batch's own entitlement entries are not written yet, so any entry counts."""
    paid = (
        LedgerEntry.objects.filter(
            programme_id=OuterRef("programme_id"),
            period=OuterRef("period"),
            beneficiary_kind=OuterRef("beneficiary_kind"),
            beneficiary_id=OuterRef("beneficiary_id"),
        )
        .values("programme_id")
        .annotate(net=Sum("amount"))
        .filter(net__gt=0)
    )
    return (
        Entitlement.objects.filter(batch=batch, status=EntitlementStatus.PAYABLE)
        .filter(Exists(paid))
        .update(status=EntitlementStatus.PAUSED, pause_reason=PAUSE_ALREADY_PAID)
    )


def approve(batch: PaymentBatch, *, actor) -> PaymentBatch:
    """Maker–checker approval; re-checks eligibility and pauses what a back pay already paid (paused rows are not
    paid), then one ledger entry per payable entitlement with its fund shares, in one transaction."""
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update(of=("self",)).select_related("programme").get(pk=batch.pk)
        if batch.status != BatchStatus.COMPUTED:
            raise BatchError(
                "batch_not_computed", f"{batch} 的批次状态为{batch.get_status_display()}，只有已计算的批次可审批"
            )
        if actor is None or actor.pk == batch.run_by_id:
            raise BatchError("approver_is_maker", "审批人不能是生成批次的人（复核须由另一名工作人员完成）")
        paused = _pause_ineligible(batch) + _pause_already_paid(batch)
        now = timezone.now()
        columns = (
            "public_id, kind, programme_id, period, beneficiary_kind, beneficiary_id, org_unit_id, amount, "
            "province_share, city_share, county_share, batch_id, entitlement_id, note, created_by_id, created_at"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO benefits_ledgerentry ({columns}) SELECT {_uuid_sql()}, %s, programme_id, period, "
                "beneficiary_kind, beneficiary_id, org_unit_id, amount, province_share, city_share, county_share, "
                "batch_id, id, '', %s, %s FROM benefits_entitlement WHERE batch_id = %s AND status = %s",
                [
                    LedgerKind.ENTITLEMENT.value,
                    actor.pk,
                    prep("created_at", now),
                    batch.pk,
                    EntitlementStatus.PAYABLE.value,
                ],
            )
            written = cursor.rowcount
        batch.status = BatchStatus.APPROVED
        batch.approved_by = actor
        batch.approved_at = now
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record_bulk(
            actor,
            AuditAction.BULK_CREATE,
            LedgerEntry,
            written,
            {"batch": str(batch.public_id), "approved": True, "paused": paused},
        )
    return batch


def lock(batch: PaymentBatch, *, actor) -> PaymentBatch:
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.APPROVED:
            raise BatchError("batch_not_approved", f"{batch} 尚未审批，不能锁定")
        before = audit.snapshot(batch, ["status"])
        batch.status = BatchStatus.LOCKED
        batch.locked_at = timezone.now()
        batch.save(update_fields=["status", "locked_at"])
        audit.record_update(actor, batch, before)
    return batch


PAYMENT_COLUMNS = [
    "seq",
    "programme",
    "period",
    "beneficiary_kind",
    "beneficiary_name",
    "id_number",
    "area_code",
    "area_name",
    "amount",
    "bank_name",
    "bank_account",
    "account_holder",
    "entitlement_id",
]


def payment_rows(batch: PaymentBatch, *, unmasked: bool = False):
    """One row per payable entitlement. Bank fields are empty placeholders: the bank account comes from the bank's
    roster, it is not held by the platform. ID numbers masked unless ``unmasked`` (logged by the caller)."""
    from chuncheng.elders.queries import decrypt_id_number

    if batch.status not in (BatchStatus.APPROVED, BatchStatus.LOCKED):
        raise BatchError("batch_not_approved", f"{batch} 尚未审批，不能导出支付文件")
    ents = (
        Entitlement.objects.filter(batch=batch, status=EntitlementStatus.PAYABLE)
        .select_related("org_unit")
        .order_by("pk")
    )
    kind = RECURRING[batch.programme.code]
    model = SOURCES[kind]
    seq = 0
    page = 2000
    last = 0
    while True:
        chunk = list(ents.filter(pk__gt=last)[:page])
        if not chunk:
            return
        people = model.objects.in_bulk([e.beneficiary_id for e in chunk])
        for e in chunk:
            seq += 1
            who = people.get(e.beneficiary_id)
            if kind == BeneficiaryKind.INSTITUTION:
                id_number = who.uscc if who else ""
            elif unmasked and kind == BeneficiaryKind.ELDER and who:
                id_number = decrypt_id_number(who)
            else:
                id_number = getattr(who, "id_number_masked", "") if who else ""
            yield [
                seq,
                batch.programme.code,
                f"{batch.period:%Y-%m}",
                e.beneficiary_kind,
                who.name if who else "",
                id_number,
                e.org_unit.code,
                e.org_unit.name,
                f"{e.amount:.2f}",
                "",
                "",
                "",
                str(e.public_id),
            ]
        last = chunk[-1].pk


def payment_file(batch: PaymentBatch, fmt: str, *, unmasked: bool = False, actor=None) -> bytes:
    from chuncheng.core.models import SecurityEventKind
    from chuncheng.core.tabular import write_csv, write_xlsx

    rows = list(payment_rows(batch, unmasked=unmasked))
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, PAYMENT_COLUMNS, rows, title="payment")
        data = buffer.getvalue()
    else:
        text = io.StringIO()
        write_csv(text, PAYMENT_COLUMNS, rows)
        data = text.getvalue().encode("utf-8-sig")
    audit.security_event(
        SecurityEventKind.EXPORT, user=actor, data_kind="benefit_payment", rows=len(rows), unmasked=unmasked
    )
    return data


# ---------------------------------------------------------------------------------------------------------------
# Adjustments (ledger entries; a locked batch is never edited)


def _beneficiary(kind: str, beneficiary_id: int):
    model = SOURCES.get(kind)
    if model is None:
        raise BatchError("input_invalid", f"对象类型无效：{kind}", "beneficiary_kind")
    try:
        return model.objects.get(pk=beneficiary_id)
    except model.DoesNotExist as exc:
        raise BatchError("beneficiary_unknown", f"找不到对象 {kind}:{beneficiary_id}") from exc


def net_paid(programme: Programme, period: date, kind: str, beneficiary_id: int) -> Decimal:
    total = LedgerEntry.objects.filter(
        programme=programme, period=period, beneficiary_kind=kind, beneficiary_id=beneficiary_id
    ).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


def adjust(
    entry_kind: str,
    code: str,
    period: date,
    kind: str,
    beneficiary_id: int,
    amount: Decimal,
    *,
    actor,
    note: str = "",
) -> LedgerEntry:
    """Back pay (a late decision) or recovery (an overpayment, stored negative) as one ledger entry with shares."""
    programme = get_programme(code)
    amount = rules.money(Decimal(str(amount)))
    if amount <= 0:
        raise BatchError("input_negative", "调整金额须大于 0", "amount")
    if entry_kind not in (LedgerKind.BACK_PAY, LedgerKind.RECOVERY):
        raise BatchError("input_invalid", f"调整类型无效：{entry_kind}", "kind")
    beneficiary = _beneficiary(kind, beneficiary_id)
    county = beneficiary.org_unit.code[:6]
    version = version_in_force(programme, period, county)
    with transaction.atomic():
        paid = net_paid(programme, period, kind, beneficiary_id)
        if entry_kind == LedgerKind.BACK_PAY:
            already = LedgerEntry.objects.filter(
                programme=programme,
                period=period,
                beneficiary_kind=kind,
                beneficiary_id=beneficiary_id,
                kind=LedgerKind.ENTITLEMENT,
            ).exists()
            if already:
                raise BatchError("already_paid", f"该对象 {period:%Y-%m} 已在批次中发放，不能补发（防止重复发放）")
            signed = amount
        else:
            if amount > paid:
                raise BatchError("recovery_exceeds_paid", f"追回金额 {amount} 超过该期已发净额 {paid}", "amount")
            signed = -amount
        shares = rules.fund_shares(signed, rules.parameter_values(version.parameters))
        entry = LedgerEntry.objects.create(
            kind=entry_kind,
            programme=programme,
            period=period,
            beneficiary_kind=kind,
            beneficiary_id=beneficiary_id,
            org_unit=beneficiary.org_unit,
            amount=signed,
            province_share=shares["province"],
            city_share=shares["city"],
            county_share=shares["county"],
            note=note[:300],
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record_create(actor, entry, org_code=beneficiary.org_unit.code)
    return entry
