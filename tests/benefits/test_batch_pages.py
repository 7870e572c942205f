"""Batch pages and API: start, progress polling, review, approve, export; entitlements scoped by county (404)."""

from __future__ import annotations

import time

import pytest

from chuncheng.benefits import batches
from chuncheng.benefits.models import Entitlement, PaymentBatch
from tests.benefits.batch_helpers import PERIOD, city_mix
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
P1 = "P1_longevity_allowance"


@pytest.fixture
def batch(policy, personas, villages):
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)
    return batches.run(P1, PERIOD, actor=personas.city)


def _ent(batch, county):
    return Entitlement.objects.filter(batch=batch, org_unit__code__startswith=county).first()


def test_entitlement_page_and_api_scope_other_county_is_404(batch, personas, login, client):
    own, other = _ent(batch, "530102"), _ent(batch, "530111")
    page, api = f"/benefits/entitlements/{own.public_id}/", f"/api/v1/benefits/entitlements/{own.public_id}/"
    other_page = f"/benefits/entitlements/{other.public_id}/"
    other_api = f"/api/v1/benefits/entitlements/{other.public_id}/"
    assert client.get(page).status_code == 302
    assert client.get(api).status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get(page).status_code == 200
    assert wuhua.get(api).json()["amount"] == str(own.amount)
    assert wuhua.get(other_page).status_code == 404
    assert wuhua.get(other_api).status_code == 404
    assert login(personas.guandu).get(page).status_code == 404
    assert login(personas.city).get(other_page).status_code == 200
    assert login(personas.operator).get(page).status_code == 404
    assert login(personas.sysadmin).get(page).status_code == 404


def test_batch_review_is_limited_to_the_users_area(batch, personas, login, client):
    url, api = f"/benefits/batches/{batch.public_id}/", f"/api/v1/benefits/batches/{batch.public_id}/"
    assert client.get(url).status_code == 302
    assert client.get(api).status_code == 401
    body = login(personas.wuhua).get(api).json()
    assert [r["county"] for r in body["review"]["by_area"]] == ["530102"]
    assert body["status"] == "computed" and body["percent"] == 100
    city = login(personas.city).get(api).json()
    assert [r["county"] for r in city["review"]["by_area"]] == ["530102", "530111"]
    assert city["review"]["count"] == 12
    assert login(personas.wuhua).get(url).status_code == 200
    assert login(personas.huashan).get(url).status_code == 404  # township workers do not see batches
    assert login(personas.sysadmin).get(url).status_code == 404
    assert login(personas.operator).get("/benefits/batches/").status_code == 404


def test_progress_poll_does_not_extend_the_session(batch, personas, login):
    from chuncheng.core.middleware import _LAST_SEEN

    city = login(personas.city)
    url = f"/benefits/batches/{batch.public_id}/progress/"
    assert city.get(url).status_code == 200
    session = city.session
    seen = time.time() - 60
    session[_LAST_SEEN] = seen
    session.save()
    response = city.get(url, headers={"X-Chuncheng-Poll": "1"})
    assert response.status_code == 200 and "batch-progress" in response.content.decode()
    assert city.session[_LAST_SEEN] == seen
    city.get(url)
    assert city.session[_LAST_SEEN] > seen


def test_start_approve_lock_export_from_the_pages(
    policy, personas, login, villages, django_capture_on_commit_callbacks
):
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)
    maker = login(personas.city)
    assert login(personas.wuhua).post("/benefits/batches/", {"programme": P1, "period": "2023-06"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = maker.post("/benefits/batches/", {"programme": P1, "period": "2023-06"})
    assert response.status_code == 302 and len(callbacks) == 1
    batch = PaymentBatch.objects.get()
    batches.run_batch(batch.pk)  # what the enqueued task does
    assert maker.get("/benefits/batches/").status_code == 200
    export = f"/benefits/batches/{batch.public_id}/payment-file/?format=csv"
    assert maker.get(export).status_code == 302  # refused: not approved, redirected with a message
    maker.post(f"/benefits/batches/{batch.public_id}/approve/")
    batch.refresh_from_db()
    assert batch.status == "computed"  # the maker cannot approve
    checker = login(make_user("city2", "city_official", org="530100"))
    checker.post(f"/benefits/batches/{batch.public_id}/approve/")
    checker.post(f"/benefits/batches/{batch.public_id}/lock/")
    batch.refresh_from_db()
    assert batch.status == "locked"
    response = checker.get(export)
    assert response.status_code == 200 and "bank_account" in response.content.decode("utf-8-sig")
    assert checker.get(export.replace("csv", "xlsx")).content[:2] == b"PK"
    assert login(personas.wuhua).get(export).status_code == 404
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        checker.post("/benefits/batches/", {"programme": P1, "period": "2023-06"})
    assert callbacks == [] and PaymentBatch.objects.count() == 1
    ledger = login(personas.wuhua).get("/api/v1/benefits/ledger/totals/?by=area").json()
    assert [r["group"] for r in ledger["rows"]] == ["530102"]
    assert login(personas.city).get("/benefits/ledger/?by=fund").status_code == 404
    assert login(personas.city).get("/benefits/ledger/?by=year").status_code == 200
    assert login(personas.sysadmin).get("/api/v1/benefits/ledger/totals/").status_code == 404
