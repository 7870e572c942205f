"""The cost of a check-in and a check-out through the API (issue 6: p95 < 100 ms): the queries are pinned, the row
locks stay on the order, its elder and the visit, and the audit entries are the same as before the calls got cheaper."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chuncheng.core.api_auth import issue_token
from chuncheng.core.models import AuditEntry
from chuncheng.homecare import services
from chuncheng.homecare.choices import ErrorCode, OrderStatus, VisitStatus
from chuncheng.homecare.models import Visit
from tests.homecare.conftest import HOME, assigned_order

pytestmark = pytest.mark.django_db

API = "/api/v1/homecare"
PLACE = {"lat": HOME[0], "lng": HOME[1]}


def _token_client(user) -> Client:
    _token, key = issue_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _statements(ctx) -> list[str]:
    return [q["sql"][:120] for q in ctx.captured_queries]


def test_check_in_and_check_out_cost_a_fixed_number_of_queries(world, personas):
    carer = _token_client(world.carer_user)
    first, order = assigned_order(world, personas.community), assigned_order(world, personas.community)
    # The first call stamps the token's last use (an UPDATE at most every 5 minutes): not part of the budget below.
    vid = carer.post(f"{API}/orders/{first.public_id}/check-in/", PLACE, content_type="application/json").json()["id"]
    carer.post(f"{API}/visits/{vid}/check-out/", PLACE, content_type="application/json")

    with CaptureQueriesContext(connection) as ctx:
        r = carer.post(f"{API}/orders/{order.public_id}/check-in/", PLACE, content_type="application/json")
    assert r.status_code == 201, r.json()
    # token (with user and area) · order in scope · [savepoint] · order and elder locked · open check-in? · savepoint,
    # insert visit, release · update order · two audit rows · [release] · the new visit's flags (none): 13. In a test
    # the service's transaction is the [savepoint] inside the test's; in production it is BEGIN … COMMIT. It was 41:
    # full_clean re-read every foreign key, the unique public id and each constraint, the audit snapshot every related
    # row, and the caregiver's own record was looked up.
    assert len(_statements(ctx)) == 13, _statements(ctx)

    with CaptureQueriesContext(connection) as ctx:
        r = carer.post(f"{API}/visits/{r.json()['id']}/check-out/", PLACE, content_type="application/json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed" and not r.json()["payable"]
    # token · visit in scope · [savepoint] · visit locked · order and elder locked · update visit · audit · update
    # order · audit · [release] · flags: 11 (was 41, with the visit read twice more for the answer).
    assert len(_statements(ctx)) == 11, _statements(ctx)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_row_locks_leave_out_the_rows_other_caregivers_share(world, personas):
    order = assigned_order(world, personas.community)
    with CaptureQueriesContext(connection) as ctx:
        visit, _code = services.check_in(order, *HOME, actor=world.carer_user)
        services.check_out(visit, *HOME, actor=world.carer_user)
    locks = [q["sql"].split("FOR UPDATE")[1] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    # Not the provider, the village or the caregiver: every order of the provider shares those rows.
    assert locks == [
        ' OF "homecare_serviceorder", "elders_elder"',
        ' OF "homecare_visit"',
        ' OF "homecare_serviceorder", "elders_elder"',
    ]


def test_the_audit_entries_of_a_check_in_and_a_check_out(world, personas):
    order = assigned_order(world, personas.community)
    seen = AuditEntry.objects.count()
    visit, code = services.check_in(order, *HOME, actor=world.carer_user)
    services.check_out(visit, HOME[0] + 0.001, HOME[1], code, actor=world.carer_user)
    entries = list(AuditEntry.objects.order_by("id")[seen:])
    assert [(e.action, e.model, e.object_id) for e in entries] == [
        ("update", "homecare.serviceorder", str(order.public_id)),
        ("create", "homecare.visit", str(visit.public_id)),
        ("update", "homecare.visit", str(visit.public_id)),
        ("update", "homecare.serviceorder", str(order.public_id)),
    ]
    order_in, created, closed, order_out = (e.changes for e in entries)
    assert set(order_in) == {"status", "updated_at"} and order_in["status"] == ["assigned", "in_service"]
    assert set(order_out) == {"status", "updated_at"} and order_out["status"] == ["in_service", "completed"]
    assert set(created) == {
        "public_id",
        "order",
        "elder",
        "caregiver",
        "kind",
        "visit_date",
        "status",
        "check_in_at",
        "check_in_epoch",
        "check_in_lat",
        "check_in_lng",
        "check_in_distance_m",
        "no_reference_location",
        "code_hash",
        "confirmed",
    }
    assert created["order"] == [None, str(order.public_id)] and created["elder"] == [None, str(world.elder.public_id)]
    assert created["caregiver"] == [None, str(world.carer.public_id)] and created["code_hash"] == [None, "[encrypted]"]
    # 0.001° of latitude is 111.2 m (6,371,000 m × π / 180 / 1000); duration 0 s (no time passed), now confirmed.
    assert set(closed) == {
        "status",
        "check_out_at",
        "check_out_epoch",
        "check_out_lat",
        "check_out_lng",
        "check_out_distance_m",
        "duration_s",
        "confirmed",
    }
    assert closed["status"] == ["open", "closed"] and closed["confirmed"] == [False, True]
    assert round(closed["check_out_distance_m"][1], 1) == 111.2
    assert {e.org_code for e in entries} == {world.elder.org_unit.code}


def test_check_out_by_another_caregiver_is_refused_and_writes_nothing(world, personas):
    # A worker checks in on behalf of the assigned caregiver (carer2, who has no login); carer's login may not close it.
    order = assigned_order(world, personas.community, caregiver=world.carer2)
    visit, _code = services.check_in(order, *HOME, actor=personas.community)
    seen = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.check_out(visit, *HOME, actor=world.carer_user)
    assert exc.value.error_list[0].code == ErrorCode.NOT_ASSIGNED_CAREGIVER
    visit.refresh_from_db()
    order.refresh_from_db()
    assert (visit.status, order.status) == (VisitStatus.OPEN, OrderStatus.IN_SERVICE)
    assert AuditEntry.objects.count() == seen and Visit.objects.count() == 1
    services.check_out(visit, *HOME, actor=personas.community)  # the worker who recorded it may
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
