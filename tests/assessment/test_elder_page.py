"""The elder's page: the capability level with its validity and report, the request button, and the welfare section
(what the elder is entitled to under the list, and why), with a bounded number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from chuncheng.assessment import services
from chuncheng.assessment.models import Assessment
from tests.elders.conftest import admit  # noqa: F401  (fixture reused)
from tests.welfare.conftest import pack  # noqa: F401  (fixture reused)

pytestmark = pytest.mark.django_db


def test_level_validity_report_and_welfare_section(personas, registry, submitted, login, pack):  # noqa: F811
    signed = services.review(submitted, actor=personas.wuhua, approve=True, today=date(2026, 3, 31))
    body = login(personas.wuhua).get(f"/elders/{registry.wuhua.public_id}/").content.decode()
    assert 'data-testid="capability-valid-until"' in body and "2027-03-31" in body
    assert f"/assessments/{signed.public_id}/report/" in body
    assert 'data-testid="welfare-section"' in body and 'data-testid="entitlements"' in body
    assert 'data-testid="request-assessment"' in body  # nothing open: a county official may request one


def test_the_request_button_posts_to_the_request_view(personas, registry, login):
    client = login(personas.community)
    body = client.get(f"/elders/{registry.wuhua.public_id}/").content.decode()
    assert 'data-testid="request-assessment"' in body and 'action="/assessments/request/"' in body
    response = client.post("/assessments/request/", {"elder": str(registry.wuhua.public_id)})
    opened = Assessment.objects.get(elder=registry.wuhua)
    assert response.status_code == 302 and response["Location"].endswith(f"/assessments/{opened.public_id}/")
    body = client.get(f"/elders/{registry.wuhua.public_id}/").content.decode()
    assert 'data-testid="request-assessment"' not in body and 'data-testid="assessment-open"' in body


def test_users_without_the_modules_see_neither(personas, registry, login, admit):  # noqa: F811
    admit(registry.wuhua, personas.operator.institution)
    body = login(personas.operator).get(f"/elders/{registry.wuhua.public_id}/").content.decode()
    assert 'data-testid="request-assessment"' not in body
    assert 'data-testid="welfare-section"' not in body


def test_detail_page_query_count_is_pinned(personas, registry, submitted, login, pack, django_assert_max_num_queries):  # noqa: F811
    services.review(submitted, actor=personas.wuhua, approve=True, today=date(2026, 3, 31))
    client = login(personas.wuhua)
    client.get(f"/elders/{registry.wuhua.public_id}/")  # warm the policy caches
    # 12 for the page as it was (session, user, org unit, elder, access log, change check, contacts, history, stays,
    # the session save) + 1 for the assessments + 6 for the welfare section (list, flag, entitlements, items, flags,
    # rules): 19 whatever the number of assessments, items or rules.
    with django_assert_max_num_queries(19):
        assert client.get(f"/elders/{registry.wuhua.public_id}/").status_code == 200
