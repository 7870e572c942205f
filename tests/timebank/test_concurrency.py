"""Two withdrawals at once that the balance covers only one of: exactly one succeeds (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from chuncheng.timebank import queries, services
from chuncheng.timebank.models import Account, Transfer
from tests.timebank.conftest import deposit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_parallel_withdrawals_never_overdraw(bank, personas):
    deposit(bank.young, "3", personas.community)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def withdraw():
        try:
            barrier.wait()
            services.withdraw(bank.young, "2", beneficiary=bank.mother, relation="parent", actor=personas.community)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.error_dict["hours"][0].code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["insufficient_balance"] * 3 + ["ok"]
    assert Account.objects.get(volunteer=bank.young).balance == Decimal("1.00")
    assert Transfer.objects.filter(kind="withdrawal").count() == 1
    assert queries.ledger_check() == {"unbalanced_transfers": [], "mismatched_accounts": []}
