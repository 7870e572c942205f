"""The time bank's ledger: deposits for confirmed services, withdrawals for self or a registered relative, every
refusal (nothing written), the double-entry invariants (also as a hypothesis property) and the database guards."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuncheng.core.models import AuditEntry
from chuncheng.elders.queries import today
from chuncheng.timebank import queries, services
from chuncheng.timebank.models import Account, Posting, Transfer, VolunteerService
from tests.timebank.conftest import deposit

pytestmark = pytest.mark.django_db


def _state():
    return (
        Transfer.objects.count(),
        Posting.objects.count(),
        AuditEntry.objects.count(),
        list(Account.objects.order_by("pk").values_list("balance", flat=True)),
        VolunteerService.objects.count(),
    )


def _code(exc: ValidationError) -> str:
    errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    return next(e.code for errs in errors.values() for e in errs)


def _refused(code, fn, *args, **kwargs):
    before = _state()
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    assert _code(info.value) == code
    assert _state() == before
    return info.value


def _sound():
    check = queries.ledger_check()
    assert check == {"unbalanced_transfers": [], "mismatched_accounts": []}
    assert all(t.postings.count() == 2 for t in Transfer.objects.all())


def test_a_confirmed_service_deposits_its_hours_in_two_postings(bank, personas):
    service = services.record_service(
        bank.young, {"served_on": today(), "hours": "2.5", "description": "助餐送餐"}, actor=personas.community
    )
    assert Transfer.objects.count() == 0  # recorded, not yet confirmed
    transfer = services.confirm_service(service, actor=personas.community)
    assert transfer.kind == "deposit"
    amounts = sorted(transfer.postings.values_list("amount", flat=True))
    assert amounts == [Decimal("-2.50"), Decimal("2.50")]
    bank.young.account.refresh_from_db()
    assert bank.young.account.balance == Decimal("2.50")
    assert services.pool_account().balance == Decimal("-2.50")
    assert AuditEntry.objects.filter(model="timebank.transfer", object_id=str(transfer.public_id)).count() == 1
    assert AuditEntry.objects.filter(model="timebank.volunteerservice", action="state").count() == 1
    _sound()


def test_withdrawals_for_self_and_a_registered_relative(bank, personas):
    deposit(bank.volunteer, "3", personas.community)
    deposit(bank.young, "4", personas.community)
    services.withdraw(bank.volunteer, "1.5", beneficiary=bank.elder_self, relation="self", actor=personas.community)
    services.withdraw(
        bank.young, "4", beneficiary=bank.mother, relation="parent", note="助浴", actor=personas.community
    )
    bank.volunteer.account.refresh_from_db()
    bank.young.account.refresh_from_db()
    assert bank.volunteer.account.balance == Decimal("1.50")
    assert bank.young.account.balance == Decimal("0.00")
    assert services.pool_account().balance == Decimal("-1.50")
    assert AuditEntry.objects.filter(model="timebank.transfer").count() == 4
    _sound()


def test_a_withdrawal_beyond_the_balance_is_refused_and_nothing_is_written(bank, personas):
    deposit(bank.young, "2", personas.community)
    exc = _refused(
        "insufficient_balance",
        services.withdraw,
        bank.young,
        "2.01",
        beneficiary=bank.mother,
        relation="parent",
        actor=personas.community,
    )
    assert "2.01" in exc.messages[0]
    _refused(
        "insufficient_balance",
        services.withdraw,
        bank.volunteer,
        "0.01",
        beneficiary=bank.elder_self,
        relation="self",
        actor=personas.community,
    )


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "1.234", "abc", "NaN", "Infinity", ""])
def test_bad_hours_are_refused(bank, personas, hours):
    _refused(
        "bad_hours",
        services.record_service,
        bank.young,
        {"served_on": today(), "hours": hours, "description": "x"},
        actor=personas.community,
    )


def test_every_other_refusal_writes_nothing(bank, personas):
    deposit(bank.young, "5", personas.community)
    _refused(
        "service_in_future",
        services.record_service,
        bank.young,
        {"served_on": today() + timedelta(days=1), "hours": "1", "description": "x"},
        actor=personas.community,
    )
    confirmed = VolunteerService.objects.get(volunteer=bank.young)
    _refused("service_not_recorded", services.confirm_service, confirmed, actor=personas.community)
    _refused("service_not_recorded", services.reject_service, confirmed, actor=personas.community)
    # not a registered relative, or registered with another relation
    _refused(
        "not_a_relative",
        services.withdraw,
        bank.young,
        "1",
        beneficiary=bank.stranger,
        relation="parent",
        actor=personas.community,
    )
    _refused(
        "not_a_relative",
        services.withdraw,
        bank.young,
        "1",
        beneficiary=bank.mother,
        relation="spouse",
        actor=personas.community,
    )
    # "self" needs the volunteer's own elder record
    _refused(
        "self_not_linked",
        services.withdraw,
        bank.young,
        "1",
        beneficiary=bank.mother,
        relation="self",
        actor=personas.community,
    )
    _refused(
        "not_a_relative",
        services.register_relative,
        bank.volunteer,
        bank.elder_self,
        "spouse",
        actor=personas.community,
    )
    _refused("relative_exists", services.register_relative, bank.young, bank.mother, "parent", actor=personas.community)
    # officials read only; an operator has no time bank at all
    _refused(
        "permission_denied",
        services.withdraw,
        bank.young,
        "1",
        beneficiary=bank.mother,
        relation="parent",
        actor=personas.wuhua,
    )
    _refused("permission_denied", services.register_volunteer, "某人", bank.village, actor=personas.operator)
    # another county's volunteer, elder or area
    _refused(
        "permission_denied",
        services.record_service,
        bank.guandu_volunteer,
        {"served_on": today(), "hours": "1", "description": "x"},
        actor=personas.community,
    )
    _refused("org_out_of_scope", services.register_volunteer, "某人", bank.guandu_village, actor=personas.community)
    _refused(
        "elder_out_of_scope",
        services.register_relative,
        bank.young,
        bank.guandu_elder,
        "parent",
        actor=personas.community,
    )
    _refused(
        "volunteer_exists",
        services.register_volunteer,
        "张老",
        bank.village,
        elder=bank.elder_self,
        actor=personas.community,
    )


def test_a_rejected_service_deposits_nothing(bank, personas):
    service = services.record_service(
        bank.young, {"served_on": today(), "hours": "1", "description": "x"}, actor=personas.community
    )
    services.reject_service(service, actor=personas.community)
    assert Transfer.objects.count() == 0
    service.refresh_from_db()
    assert service.status == "rejected"


def test_the_database_refuses_a_negative_balance_and_edits_of_the_ledger(bank, personas):
    transfer = deposit(bank.young, "1", personas.community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=bank.young.account.pk).update(balance=Decimal("-0.01"))
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Transfer.objects.filter(pk=transfer.pk).update(note="edited")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        Posting.objects.filter(transfer=transfer).delete()
    _sound()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["deposit", "withdraw"]),
            st.sampled_from(["volunteer", "young"]),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("24"), places=2),
        ),
        max_size=12,
    )
)
def test_any_sequence_keeps_the_ledger_double_entry_and_never_negative(bank, personas, operations):
    """Whatever deposits and withdrawals happen, every transfer sums to zero, every balance equals the sum of its
    postings, no balance is negative, and a refused withdrawal changes nothing."""
    beneficiaries = {"volunteer": (bank.elder_self, "self"), "young": (bank.mother, "parent")}
    for kind, who, hours in operations:
        volunteer = getattr(bank, who)
        balance = Account.objects.get(volunteer=volunteer).balance
        if kind == "deposit":
            deposit(volunteer, hours, personas.community)
            expected = balance + hours
        else:
            elder, relation = beneficiaries[who]
            try:
                services.withdraw(volunteer, hours, beneficiary=elder, relation=relation, actor=personas.community)
                expected = balance - hours
            except ValidationError as exc:
                assert _code(exc) == "insufficient_balance"
                assert hours > balance
                expected = balance
        assert Account.objects.get(volunteer=volunteer).balance == expected
    assert not Account.objects.filter(kind="volunteer", balance__lt=0).exists()
    _sound()
