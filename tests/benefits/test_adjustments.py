"""Adjustments (back pay, recovery) from the page, the API and the CLI: one ledger entry each, refusals that write
nothing, and a beneficiary outside the user's area answered as absent (404)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from chuncheng.benefits import batches
from chuncheng.benefits.choices import LedgerKind
from chuncheng.benefits.models import Entitlement, LedgerEntry
from chuncheng.cli import main
from chuncheng.core.models import AuditEntry
from chuncheng.elders.models import Elder
from tests.benefits.batch_helpers import PERIOD, city_mix
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
P1 = "P1_longevity_allowance"
API = "/api/v1/benefits/adjustments/"


@pytest.fixture
def paid(policy, personas, villages):
    """June 2023 of 高龄津贴 run by the city and approved by a second city official: 12 elders paid."""
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)
    checker = make_user("city2", "city_official", org="530100")
    return batches.approve(batches.run(P1, PERIOD, actor=personas.city), actor=checker)


def _paid_elder(county: str) -> Elder:
    e = Entitlement.objects.filter(org_unit__code__startswith=county).order_by("pk").first()
    return Elder.objects.get(pk=e.beneficiary_id)


def _unpaid_elder(county: str) -> Elder:
    """The 73-year-old of the city mix: never in the 高龄津贴 batch."""
    return Elder.objects.get(org_unit__code__startswith=county, birth_date=date(1950, 1, 1))


def _body(elder: Elder, **extra) -> dict:
    body = {
        "kind": "back_pay",
        "programme": P1,
        "period": "2023-06",
        "beneficiary": f"elder:{elder.public_id}",
        "amount": "60.00",
        "note": "补发：认定延迟",
    }
    body.update(extra)
    return body


def _post(client, body):
    return client.post(API, body, content_type="application/json")


def test_api_back_pay_and_recovery_write_one_ledger_entry_each(paid, personas, login):
    wuhua = login(personas.wuhua)
    late = _unpaid_elder("530102")
    before, audits = LedgerEntry.objects.count(), AuditEntry.objects.count()
    response = _post(wuhua, _body(late))
    assert response.status_code == 201
    entry = response.json()
    assert (entry["kind"], entry["amount"], entry["period"], entry["org_unit"][:6]) == (
        "back_pay",
        "60.00",
        "2023-06",
        "530102",
    )
    assert entry["beneficiary"] == f"elder:{late.public_id}"
    assert sum(Decimal(v) for v in entry["fund_shares"].values()) == Decimal("60.00")
    assert entry["created_by"] == "wuhua" and entry["created_at"].endswith("+08:00")
    assert LedgerEntry.objects.count() == before + 1 and AuditEntry.objects.count() == audits + 1
    stored = LedgerEntry.objects.get(public_id=entry["id"])
    assert (stored.kind, stored.beneficiary_id, stored.created_by) == (LedgerKind.BACK_PAY, late.pk, personas.wuhua)
    # A second back pay of the same month would pay it twice.
    again = _post(wuhua, _body(late))
    assert (again.status_code, again.json()["code"]) == (422, "already_paid")
    # Recovery of an overpayment: never more than the net paid, stored negative.
    overpaid = _paid_elder("530102")
    paid_amount = batches.net_paid(paid.programme, PERIOD, "elder", overpaid.pk)
    too_much = _post(wuhua, _body(overpaid, kind="recovery", amount=str(paid_amount + Decimal("0.01"))))
    assert (too_much.status_code, too_much.json()["code"]) == (422, "recovery_exceeds_paid")
    recovered = _post(wuhua, _body(overpaid, kind="recovery", amount=str(paid_amount)))
    assert recovered.status_code == 201 and recovered.json()["amount"] == f"{-paid_amount:.2f}"
    assert batches.net_paid(paid.programme, PERIOD, "elder", overpaid.pk) == 0
    assert LedgerEntry.objects.count() == before + 2


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"amount": "0"}, 422, "input_negative"),
        ({"amount": "-5"}, 422, "input_negative"),
        ({"amount": "abc"}, 422, "input_invalid"),
        ({"amount": "1.234"}, 422, "input_invalid"),
        ({"amount": True}, 422, "input_invalid"),
        ({"kind": "bonus"}, 422, "input_invalid"),
        ({"period": "2023-13"}, 422, "input_invalid"),
        ({"programme": "P9_unknown"}, 404, "programme_unknown"),
        ({"programme": "B2_operating"}, 422, "input_invalid"),  # an institution programme for an elder
        ({"beneficiary": "elder:not-a-uuid"}, 422, "input_invalid"),
        ({"beneficiary": "person:6f1c1d4e-0000-4000-8000-000000000000"}, 422, "input_invalid"),
        ({"beneficiary": "elder:6f1c1d4e-0000-4000-8000-000000000000"}, 404, "not_found"),
        ({"kind": "back_pay", "paid": True}, 422, "already_paid"),
        ({"kind": "recovery"}, 422, "recovery_exceeds_paid"),  # nothing was paid to recover
    ],
)
def test_api_refusals_write_nothing(paid, personas, login, change, status, code):
    elder = _paid_elder("530102") if change.pop("paid", False) else _unpaid_elder("530102")
    before = (LedgerEntry.objects.count(), AuditEntry.objects.count())
    response = _post(login(personas.wuhua), _body(elder, **change))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == before


def test_a_future_period_and_a_pending_entitlement_are_refused(paid, personas, login):
    city = login(personas.city)
    today = timezone.localdate()
    future = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    late = _unpaid_elder("530111")
    before = LedgerEntry.objects.count()
    response = _post(city, _body(late, period=f"{future:%Y-%m}"))
    assert (response.status_code, response.json()["code"]) == (422, "period_in_future")
    # July is computed but not approved: back pay now and the approval would pay the month twice.
    batches.run(P1, date(2023, 7, 1), actor=personas.city)
    pending = _paid_elder("530111")
    response = _post(city, _body(pending, period="2023-07"))
    assert (response.status_code, response.json()["code"]) == (422, "entitlement_pending")
    assert LedgerEntry.objects.count() == before


def test_a_beneficiary_of_another_area_is_404_and_nothing_is_written(paid, personas, login, client):
    other = _unpaid_elder("530111")
    before = LedgerEntry.objects.count()
    assert _post(client, _body(other)).status_code == 401
    response = _post(login(personas.wuhua), _body(other))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    page = login(personas.wuhua).post("/benefits/adjustments/", _body(other))
    assert page.status_code == 404
    for persona in (personas.huashan, personas.community, personas.operator, personas.sysadmin):
        assert _post(login(persona), _body(_unpaid_elder("530102"))).status_code == 404
        assert login(persona).post("/benefits/adjustments/", _body(_unpaid_elder("530102"))).status_code == 404
    assert LedgerEntry.objects.count() == before
    assert _post(login(personas.guandu), _body(other)).status_code == 201  # its own county's official may


def test_adjust_from_the_ledger_and_the_entitlement_pages(paid, personas, login):
    wuhua = login(personas.wuhua)
    ledger = wuhua.get("/benefits/ledger/")
    assert 'data-testid="adjust-form"' in ledger.content.decode()
    assert 'data-testid="adjust-form"' not in login(personas.huashan).get("/benefits/ledger/").content.decode()
    late = _unpaid_elder("530102")
    response = wuhua.post("/benefits/adjustments/", _body(late) | {"next": "/benefits/ledger/?by=kind"})
    assert response.status_code == 302 and response.url == "/benefits/ledger/?by=kind"
    entry = LedgerEntry.objects.get(kind=LedgerKind.BACK_PAY)
    assert (entry.beneficiary_id, entry.amount, entry.note) == (late.pk, Decimal("60.00"), "补发：认定延迟")
    page = wuhua.get("/benefits/ledger/?by=kind").content.decode()
    assert 'data-testid="adjustments"' in page and "补发：认定延迟" in page
    # A refusal comes back to the page with the message and its code; nothing is written.
    refused = wuhua.post("/benefits/adjustments/", _body(late) | {"next": "https://evil.example/"}, follow=True)
    assert refused.redirect_chain[-1][0] == "/benefits/ledger/"
    assert "already_paid" in refused.content.decode()
    assert LedgerEntry.objects.filter(kind=LedgerKind.BACK_PAY).count() == 1
    assert wuhua.get("/benefits/adjustments/").status_code == 405
    # The entitlement page carries the beneficiary (by public id) and the month: a recovery in two fields.
    ent = Entitlement.objects.filter(org_unit__code__startswith="530102").order_by("pk").first()
    url = f"/benefits/entitlements/{ent.public_id}/"
    page = wuhua.get(url).content.decode()
    elder = Elder.objects.get(pk=ent.beneficiary_id)
    assert f'value="elder:{elder.public_id}"' in page and 'value="2023-06"' in page
    form = {"kind": "recovery", "programme": P1, "period": "2023-06", "beneficiary": f"elder:{elder.public_id}"}
    response = wuhua.post("/benefits/adjustments/", form | {"amount": "10", "note": "多发", "next": url})
    assert response.status_code == 302 and response.url == url
    assert LedgerEntry.objects.get(kind=LedgerKind.RECOVERY).amount == Decimal("-10.00")
    assert "多发" in wuhua.get(url).content.decode()


def test_cli_adjust(paid, personas, capsys):
    late = _unpaid_elder("530102")
    args = ["benefits", "adjust", "back_pay", P1, "--period", "2023-06", "--beneficiary", f"elder:{late.public_id}"]
    assert main([*args, "--amount", "60", "--user", "wuhua", "--note", "迟到的认定"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["kind"], out["amount"], out["note"], out["created_by"]) == ("back_pay", "60.00", "迟到的认定", "wuhua")
    assert main([*args, "--amount", "60", "--user", "wuhua"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "already_paid"
    other = _unpaid_elder("530111")
    outside = ["benefits", "adjust", "back_pay", P1, "--period", "2023-06", "--beneficiary", f"elder:{other.public_id}"]
    assert main([*outside, "--amount", "60", "--user", "wuhua"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "beneficiary_not_found"
    assert main([*outside, "--amount", "60", "--user", "huashan"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "permission_denied"
    assert main([*outside, "--amount", "-1", "--user", "city"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "input_negative"
    assert LedgerEntry.objects.filter(kind=LedgerKind.BACK_PAY).count() == 1
    paid_elder = _paid_elder("530111")
    recover = [
        "benefits",
        "adjust",
        "recovery",
        P1,
        "--period",
        "2023-06",
        "--beneficiary",
        f"elder:{paid_elder.public_id}",
    ]
    assert main([*recover, "--amount", "5.5", "--user", "guandu"]) == 0
    assert json.loads(capsys.readouterr().out)["amount"] == "-5.50"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_back_pay_waits_for_an_approval_of_the_same_month(policy, personas, villages):
    """A back pay takes the month's batch row lock, which approval holds for its whole transaction: while another
    session holds it (an approval in progress), the back pay cannot proceed and writes nothing."""
    import psycopg
    from django.db import OperationalError, connection, transaction

    from chuncheng.benefits import adjustments

    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter (SQLite serialises writers)")
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)
    batch = batches.run(P1, PERIOD, actor=personas.city)
    request = adjustments.Request(**_body(_unpaid_elder("530102")))
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
    )
    try:
        other.execute("SELECT id FROM benefits_paymentbatch WHERE id = %s FOR UPDATE", [batch.pk])
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
            adjustments.adjust(personas.city, request)
        assert not LedgerEntry.objects.filter(kind=LedgerKind.BACK_PAY).exists()
    finally:
        other.rollback()
        other.close()
    entry = adjustments.adjust(personas.city, request)  # the lock released: it goes through
    assert entry.kind == LedgerKind.BACK_PAY
