"""Pages and API of capability assessment: the process end to end, scope (another county → 404), refusals that
change nothing, the report and exports, and query counts pinned for the lists."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuncheng.assessment import services
from chuncheng.assessment.health import open_answers
from chuncheng.assessment.models import Assessment
from tests.assessment.helpers import answers_totalling

pytestmark = pytest.mark.django_db


def test_api_process_end_to_end(personas, registry, agencies, login):
    community = login(personas.community)
    created = community.post(
        "/api/v1/assessments/", {"elder": str(registry.wuhua.public_id)}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/assessments/{created.json()['id']}/"
    assign = login(personas.wuhua).post(
        url + "assign/",
        {
            "agency": str(agencies.wuhua.public_id),
            "assessors": [str(agencies.a1.public_id), str(agencies.a2.public_id)],
        },
        content_type="application/json",
    )
    assert assign.status_code == 200, assign.content
    a1 = login(agencies.a1.user)
    bad = a1.post(url + "answers/", {"answers": {"B.2.4": 4}}, content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "option_unknown")
    saved = a1.post(url + "answers/", {"answers": answers_totalling(66)}, content_type="application/json")
    assert saved.status_code == 200
    submitted = a1.post(url + "submit/")
    assert submitted.json()["total"] == 66
    assert submitted.json()["final_level"] == "mild"
    refused = login(agencies.a2.user).post(url + "review/", {"approve": True}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (422, "reviewer_is_assessor")
    signed = login(personas.wuhua).post(url + "review/", {"approve": True}, content_type="application/json")
    assert signed.json()["status"] == "signed_off"
    assert signed.json()["valid_until"]


def test_api_assessor_outside_the_agency_is_refused(personas, registry, agencies, login):
    assessment = services.request_assessment(registry.wuhua, actor=personas.community)
    response = login(personas.city).post(
        f"/api/v1/assessments/{assessment.public_id}/assign/",
        {
            "agency": str(agencies.wuhua.public_id),
            "assessors": [str(agencies.a1.public_id), str(agencies.g1.public_id)],
        },
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (422, "assessor_not_in_agency")
    assessment.refresh_from_db()
    assert assessment.status == "requested"


@pytest.fixture
def two_counties(personas, registry, agencies, submitted):
    """A signed-off 五华区 assessment and a requested 官渡区 one."""
    services.review(submitted, actor=personas.wuhua, approve=True)
    other = services.request_assessment(registry.guandu, actor=personas.guandu)
    return submitted, other


def test_scope_other_county_is_404_everywhere(personas, agencies, login, two_counties, client):
    own, other = two_counties
    wuhua = login(personas.wuhua)
    for suffix in ("", "report/"):
        assert client.get(f"/assessments/{own.public_id}/{suffix}").status_code == 302
        assert wuhua.get(f"/assessments/{own.public_id}/{suffix}").status_code == 200
        assert login(personas.guandu).get(f"/assessments/{own.public_id}/{suffix}").status_code == 404
    assert wuhua.get(f"/assessments/{other.public_id}/").status_code == 404
    assert login(agencies.g1.user).get(f"/assessments/{own.public_id}/").status_code == 404
    assert login(personas.auditadmin).get(f"/assessments/{own.public_id}/").status_code == 404
    assert login(personas.operator).get("/assessments/").status_code == 404
    assert client.get(f"/api/v1/assessments/{own.public_id}/").status_code == 401
    assert wuhua.get(f"/api/v1/assessments/{own.public_id}/").status_code == 200
    assert wuhua.get(f"/api/v1/assessments/{other.public_id}/").json()["code"] == "not_found"
    before = Assessment.objects.values().get(pk=other.pk)
    for path, data in (
        ("assign/", {"agency": "x"}),
        ("review/", {"decision": "approve"}),
        ("answers/", {"B.1.1": "4"}),
    ):
        assert wuhua.post(f"/assessments/{other.public_id}/{path}", data).status_code == 404
    assert wuhua.post(f"/api/v1/assessments/{other.public_id}/submit/").status_code == 404
    assert Assessment.objects.values().get(pk=other.pk) == before


def test_lists_and_exports_hold_only_the_users_area(personas, login, two_counties, agencies):
    expected = {"wuhua": {"王秀英"}, "guandu": {"张桂兰"}, "city": {"王秀英", "张桂兰"}, "community": {"王秀英"}}
    for persona, names in expected.items():
        c = login(getattr(personas, persona))
        page = c.get("/assessments/").content.decode()
        for name in ("王秀英", "张桂兰"):
            assert (name in page) == (name in names), (persona, name)
        assert {r["elder_name"] for r in c.get("/api/v1/assessments/").json()["results"]} == names
        exported = c.get("/assessments/export/?format=csv").content.decode("utf-8-sig")
        assert {row["老年人"] for row in csv.DictReader(io.StringIO(exported))} == names
        api_export = c.get("/api/v1/assessments/export/").content.decode("utf-8-sig")
        assert {row["老年人"] for row in csv.DictReader(io.StringIO(api_export))} == names
    assert login(agencies.a1.user).get("/api/v1/assessments/").json()["count"] == 1
    agencies_api = login(personas.wuhua).get("/api/v1/assessment-agencies/").json()["results"]
    assert [a["name"] for a in agencies_api] == ["五华康评评估中心"]
    agency_id = agencies.guandu.public_id
    assert login(personas.wuhua).get(f"/api/v1/assessment-agencies/{agency_id}/").status_code == 404
    assert login(personas.guandu).get(f"/api/v1/assessment-agencies/{agency_id}/").status_code == 200


def test_report_in_chinese_with_sub_scores(personas, login, two_counties):
    own, _ = two_counties
    page = login(personas.wuhua).get(f"/assessments/{own.public_id}/report/").content.decode()
    assert "老年人能力评估报告" in page
    for name in ("自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"):
        assert name in page
    assert "能力中度受损（中度失能）" in page
    assert "GB/T 42195-2022" in page
    xlsx = login(personas.wuhua).get("/assessments/export/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_pages_request_assign_fill_submit_review(personas, registry, agencies, login):
    community = login(personas.community)
    response = community.post("/assessments/request/", {"elder": str(registry.wuhua.public_id), "reason": "first"})
    assessment = Assessment.objects.get(elder=registry.wuhua)
    assert response.status_code == 302
    url = f"/assessments/{assessment.public_id}/"
    wuhua = login(personas.wuhua)
    assert 'data-testid="assign"' in wuhua.get(url).content.decode()
    wuhua.post(
        url + "assign/",
        {
            "agency": str(agencies.wuhua.public_id),
            "assessors": [str(agencies.a1.public_id), str(agencies.a2.public_id)],
        },
    )
    a1 = login(agencies.a1.user)
    form = a1.get(url).content.decode()
    assert "B.2.4" in form and "可独立上下楼梯，不需要协助" in form
    answers = answers_totalling(40, risk_events_30d=2)
    post = {k: str(v) for k, v in answers.items() if k.startswith("B.")}
    post["risk_events_30d"] = "2"
    a1.post(url + "answers/", {k: v for k, v in post.items() if k.startswith("B.1")})  # partial save
    assessment.refresh_from_db()
    assert assessment.status == "in_progress" and len(open_answers(assessment)) == 8 + 3  # booleans default to False
    a1.post(url + "answers/", {**post, "submit": "1"})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.total, assessment.final_level) == ("submitted", 40, "total")
    assert 'data-testid="review"' not in a1.get(url).content.decode()
    wuhua.post(url + "review/", {"decision": "approve"})
    assessment.refresh_from_db()
    registry.wuhua.refresh_from_db()
    assert assessment.status == "signed_off"
    assert registry.wuhua.capability_level == "total"


def _make_many(personas, registry, agencies, n=3):
    """n signed-off assessments of 王秀英 (one open at a time)."""
    for _ in range(n):
        a = services.request_assessment(registry.wuhua, actor=personas.community)
        services.assign(a, agencies.wuhua, [agencies.a1, agencies.a2], actor=personas.wuhua)
        services.save_answers(a, answers_totalling(70), actor=agencies.a1.user)
        services.submit(a, actor=agencies.a1.user)
        services.review(a, actor=personas.wuhua, approve=True)


def test_list_query_counts_do_not_grow_with_rows(personas, registry, agencies, login):
    c = login(personas.wuhua)

    def counts():
        c.get("/assessments/")  # warm the session
        with CaptureQueriesContext(connection) as page:
            assert c.get("/assessments/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert c.get("/api/v1/assessments/").status_code == 200
        return len(page), len(api)

    _make_many(personas, registry, agencies, 1)
    one = counts()
    _make_many(personas, registry, agencies, 3)
    assert counts() == one
