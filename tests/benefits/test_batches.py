"""Monthly payment batches: idempotence, the constraint, refusals, maker–checker, pause at approval, payment file,
adjustments and ledger totals with fund shares."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuncheng.benefits import batches, services
from chuncheng.benefits.batches import BatchError
from chuncheng.benefits.choices import BatchStatus, EntitlementStatus, LedgerKind
from chuncheng.benefits.models import Entitlement, LedgerEntry, PaymentBatch
from chuncheng.benefits.queries import ledger_totals
from chuncheng.cli import main
from chuncheng.elders.models import Elder
from chuncheng.institutions.models import Admission
from tests.benefits.batch_helpers import PERIOD, city_mix
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
P1 = "P1_longevity_allowance"


@pytest.fixture
def city(policy, villages):
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)
    return villages


def _rows(batch):
    return sorted(Entitlement.objects.filter(batch=batch).values_list("beneficiary_id", "amount", "county_share"))


def test_age_band_sql_matches_the_pure_rule_and_rerun_creates_nothing(city):
    batch = batches.run(P1, PERIOD)
    assert batch.status == BatchStatus.COMPUTED
    expected = {}
    for elder in Elder.objects.select_related("org_unit"):
        quote = services.quote(P1, services.elder_facts(elder, PERIOD)[0], PERIOD)
        if quote["eligible"]:
            expected[elder.pk] = Decimal(quote["amount"])
    got = {pk: amount for pk, amount, _county in _rows(batch)}
    assert got == expected
    amounts = [60, 60, 60, 120, 120, 500, 110, 110, 110, 200, 200, 600]
    assert sorted(got.values()) == sorted(Decimal(v) for v in amounts)
    first = _rows(batch)
    again = batches.run(P1, PERIOD)
    assert again.pk == batch.pk and again.created_count == len(first)
    assert _rows(batch) == first
    assert PaymentBatch.objects.count() == 1
    e = Entitlement.objects.filter(batch=batch).first()
    assert e.amount == e.province_share + e.city_share + e.county_share
    assert e.breakdown[0]["item"].startswith("band_")
    dry = batches.dry_run(P1, PERIOD)
    assert (dry.entitlements, dry.amount) == (len(first), sum(got.values()))


def test_rerun_picks_up_elders_registered_since(city, villages):
    from tests.benefits.batch_helpers import add_elders

    batch = batches.run(P1, PERIOD)
    before = batch.created_count
    add_elders(villages[0], [date(1930, 1, 1)], "late")
    batch = batches.run(P1, PERIOD)
    assert batch.created_count == before + 1 == Entitlement.objects.filter(batch=batch).count()


def test_one_entitlement_per_programme_period_beneficiary_is_a_database_constraint(city):
    batch = batches.run(P1, PERIOD)
    e = Entitlement.objects.filter(batch=batch).first()
    e.pk = None
    e.public_id = None
    import uuid

    e.public_id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        e.save()


def test_dry_run_writes_nothing_and_cli_refuses_a_future_period(city, capsys):
    assert main(["benefits", "run", P1, "--period", "2023-06", "--dry-run"]) == 0
    assert PaymentBatch.objects.count() == 0 and Entitlement.objects.count() == 0
    capsys.readouterr()
    future = timezone.localdate().replace(day=1).replace(year=timezone.localdate().year + 1)
    assert main(["benefits", "run", P1, "--period", f"{future:%Y-%m}"]) == 2
    assert '"period_in_future"' in capsys.readouterr().out
    assert PaymentBatch.objects.count() == 0
    assert main(["benefits", "run", "B1_bed_construction", "--period", "2023-06"]) == 2
    assert '"programme_not_recurring"' in capsys.readouterr().out
    assert main(["benefits", "run", P1, "--period", "2023-06"]) == 0
    assert Entitlement.objects.count() == 12


def test_maker_checker_pause_at_approval_lock_and_refusals(city, personas):
    checker = make_user("city2", "city_official", org="530100")
    batch = batches.run(P1, PERIOD, actor=personas.city)
    with pytest.raises(BatchError) as exc:
        batches.payment_file(batch, "csv")
    assert exc.value.code == "batch_not_approved"
    with pytest.raises(BatchError) as exc:
        batches.approve(batch, actor=personas.city)
    assert exc.value.code == "approver_is_maker"
    assert LedgerEntry.objects.count() == 0
    # An elder dies after the run: paused at approval, not paid.
    dead = Entitlement.objects.filter(batch=batch).order_by("pk").first()
    Elder.objects.filter(pk=dead.beneficiary_id).update(status="deceased", died_on=date(2023, 6, 10))
    batch = batches.approve(batch, actor=checker)
    assert batch.status == BatchStatus.APPROVED and batch.approved_by == checker
    dead.refresh_from_db()
    assert (dead.status, dead.pause_reason) == (EntitlementStatus.PAUSED, "elder_not_active")
    assert LedgerEntry.objects.count() == 11
    assert not LedgerEntry.objects.filter(entitlement=dead).exists()
    assert LedgerEntry.objects.filter(kind=LedgerKind.ENTITLEMENT, batch=batch).count() == 11
    with pytest.raises(BatchError) as exc:
        batches.approve(batch, actor=checker)
    assert exc.value.code == "batch_not_computed"
    batches.lock(batch, actor=checker)
    count = Entitlement.objects.count()
    with pytest.raises(BatchError) as exc:
        batches.run(P1, PERIOD, actor=personas.city)
    assert exc.value.code == "batch_locked"
    assert Entitlement.objects.count() == count and PaymentBatch.objects.count() == 1
    # Payment file: payable rows only, masked IDs, empty bank columns.
    text = batches.payment_file(batch, "csv", actor=checker).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 11
    assert rows[0]["bank_account"] == "" and "*" in rows[0]["id_number"]
    assert sum(Decimal(r["amount"]) for r in rows) == sum(e.amount for e in LedgerEntry.objects.all())
    assert batches.payment_file(batch, "xlsx", actor=checker)[:2] == b"PK"


def test_ledger_is_append_only(city, personas):
    checker = make_user("city2", "city_official", org="530100")
    batch = batches.approve(batches.run(P1, PERIOD, actor=personas.city), actor=checker)
    entry = LedgerEntry.objects.filter(batch=batch).first()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=0)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_adjustments_and_ledger_totals_by_fund(city, personas, registry):
    checker = make_user("city2", "city_official", org="530100")
    batch = batches.approve(batches.run(P1, PERIOD, actor=personas.city), actor=checker)
    batches.lock(batch, actor=checker)
    paid = LedgerEntry.objects.filter(batch=batch).first()
    # Recovery of an overpayment: a negative entry, never an edit of the locked batch.
    with pytest.raises(BatchError) as exc:
        batches.adjust("recovery", P1, PERIOD, "elder", paid.beneficiary_id, paid.amount + 1, actor=checker)
    assert exc.value.code == "recovery_exceeds_paid"
    batches.adjust("recovery", P1, PERIOD, "elder", paid.beneficiary_id, paid.amount, actor=checker, note="died")
    assert batches.net_paid(paid.programme, PERIOD, "elder", paid.beneficiary_id) == 0
    with pytest.raises(BatchError) as exc:
        batches.adjust("back_pay", P1, PERIOD, "elder", paid.beneficiary_id, Decimal(60), actor=checker)
    assert exc.value.code == "already_paid"
    # Back pay on B1 (province 50%, the rest half city, half county) for an institution.
    home = personas.wuhua_home
    entry = batches.adjust(
        "back_pay", "B1_bed_construction", PERIOD, "institution", home.pk, Decimal("1000.01"), actor=checker
    )
    assert (entry.province_share, entry.city_share, entry.county_share) == (
        Decimal("500.01"),
        Decimal("250.00"),
        Decimal("250.00"),
    )
    by_programme = {r["group"]: r for r in ledger_totals(LedgerEntry.objects.all(), "programme")}
    b1 = by_programme["B1_bed_construction"]
    assert (b1["amount"], b1["province"], b1["city"], b1["county"]) == ("1000.01", "500.01", "250.00", "250.00")
    p1 = by_programme[P1]
    paid_by_batch = sum(e.amount for e in LedgerEntry.objects.filter(batch=batch))
    assert Decimal(p1["amount"]) == Decimal(p1["county"]) == paid_by_batch - paid.amount
    assert Decimal(p1["province"]) == Decimal(p1["city"]) == 0
    areas = {r["group"] for r in ledger_totals(LedgerEntry.objects.all(), "area")}
    assert areas == {"530102", "530111"}
    assert [r["group"] for r in ledger_totals(LedgerEntry.objects.all(), "year")] == [2023]
    kinds = {r["group"]: r["amount"] for r in ledger_totals(LedgerEntry.objects.all(), "kind")}
    assert Decimal(kinds["recovery"]) == -paid.amount
    with pytest.raises(BatchError) as exc:
        batches.adjust("back_pay", P1, PERIOD, "elder", paid.beneficiary_id, Decimal(-5), actor=checker)
    assert exc.value.code == "input_negative"


def test_institution_batch_b2_loops_over_institutions(policy, personas, registry):
    Admission.objects.create(
        elder=registry.wuhua, institution=personas.wuhua_home, admitted_on=date(2023, 1, 1), bed_kind="general"
    )
    batch = batches.run("B2_operating", PERIOD)
    rows = list(Entitlement.objects.filter(batch=batch).values_list("beneficiary_id", "amount", "city_share"))
    assert rows == [(personas.wuhua_home.pk, Decimal("70.00"), Decimal("35.00"))]
    assert batches.run("B2_operating", PERIOD).created_count == 1


def test_a_running_batch_is_refused_and_a_dead_run_is_resumed(city):
    batch = batches.prepare(P1, PERIOD)
    import os

    PaymentBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING, runner=f"{__import__('socket').gethostname()}:1", heartbeat_at=timezone.now()
    )
    # pid 1 exists on this host: another live runner → refused.
    with pytest.raises(BatchError) as exc:
        batches.run_batch(batch.pk)
    assert exc.value.code == "batch_running"
    PaymentBatch.objects.filter(pk=batch.pk).update(runner="elsewhere:99999999", heartbeat_at=timezone.now())
    with pytest.raises(BatchError):
        batches.run_batch(batch.pk)
    PaymentBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - batches.STALE_AFTER * 2)
    assert batches.stale_batches() == [batch.pk]
    assert batches.run_batch(batch.pk).status == BatchStatus.COMPUTED
    assert os.getpid()


def test_a_month_paid_by_a_back_pay_is_paused_at_approval_not_paid_twice(city, personas):
    """Back pay first (no batch yet), then the batch is run and approved: that month is not paid again; a back pay
    fully recovered is paid by the batch; a back pay recorded after the run (before approval) is also caught."""
    checker = make_user("city2", "city_official", org="530100")
    elders = list(Elder.objects.filter(birth_date__lte=date(1943, 6, 1)).order_by("pk").values_list("pk", flat=True))
    early, recovered, late = elders[:3]
    batches.adjust("back_pay", P1, PERIOD, "elder", early, Decimal(60), actor=checker, note="late decision")
    batches.adjust("back_pay", P1, PERIOD, "elder", recovered, Decimal(60), actor=checker)
    batches.adjust("recovery", P1, PERIOD, "elder", recovered, Decimal(60), actor=checker)
    batch = batches.run(P1, PERIOD, actor=personas.city)
    assert Entitlement.objects.filter(batch=batch, status=EntitlementStatus.PAYABLE).count() == 12
    batches.adjust("back_pay", P1, PERIOD, "elder", late, Decimal("0.01"), actor=checker)
    batch = batches.approve(batch, actor=checker)
    paused = dict(
        Entitlement.objects.filter(batch=batch, status=EntitlementStatus.PAUSED).values_list(
            "beneficiary_id", "pause_reason"
        )
    )
    assert paused == {early: "already_paid", late: "already_paid"}
    assert LedgerEntry.objects.filter(batch=batch).count() == 10
    assert not LedgerEntry.objects.filter(batch=batch, beneficiary_id__in=[early, late]).exists()
    assert batches.net_paid(batch.programme, PERIOD, "elder", early) == Decimal(60)
    assert batches.net_paid(batch.programme, PERIOD, "elder", late) == Decimal("0.01")
    paid = Entitlement.objects.get(batch=batch, beneficiary_id=recovered)
    assert batches.net_paid(batch.programme, PERIOD, "elder", recovered) == paid.amount > 0
