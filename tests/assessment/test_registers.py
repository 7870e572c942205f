"""The registers of assessment agencies and assessors: lists and create forms through the services, scoped (another
county's agency is 404, and is never offered as a choice), refusals that change nothing."""

from __future__ import annotations

import pytest

from chuncheng.assessment.models import AssessmentAgency, Assessor
from chuncheng.core.models import AuditEntry
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_agency_pages_are_scoped(personas, agencies, login, client):
    own, other = (
        f"/assessments/agencies/{agencies.wuhua.public_id}/",
        f"/assessments/agencies/{agencies.guandu.public_id}/",
    )
    assert client.get("/assessments/agencies/").status_code == 302
    assert client.get(own).status_code == 302
    wuhua = login(personas.wuhua)
    page = wuhua.get("/assessments/agencies/").content.decode()
    assert agencies.wuhua.name in page and agencies.guandu.name not in page
    detail = wuhua.get(own)
    assert detail.status_code == 200
    assert "C-001" in detail.content.decode() and "C-101" not in detail.content.decode()
    assert wuhua.get(other).status_code == 404
    assert login(personas.guandu).get(own).status_code == 404
    city = login(personas.city)
    assert city.get(other).status_code == 200
    page = city.get("/assessments/agencies/").content.decode()
    assert agencies.wuhua.name in page and agencies.guandu.name in page
    assert login(personas.sysadmin).get(own).status_code == 404
    assert login(personas.operator).get("/assessments/agencies/").status_code == 404


def test_assessor_list_is_scoped(personas, agencies, login, client):
    assert client.get("/assessments/assessors/").status_code == 302
    page = login(personas.wuhua).get("/assessments/assessors/").content.decode()
    assert all(c in page for c in ("C-001", "C-002", "C-003"))
    assert "C-101" not in page and "C-102" not in page
    page = login(personas.city).get("/assessments/assessors/").content.decode()
    assert "C-001" in page and "C-101" in page


def test_register_an_agency_through_the_page(personas, login, org_tree):
    wuhua = login(personas.wuhua)
    form = wuhua.get("/assessments/agencies/new/").content.decode()
    assert 'value="530102"' in form and 'value="530111"' in form  # 官渡区 may be served, not registered in
    response = wuhua.post(
        "/assessments/agencies/new/", {"name": "盘龙路评估中心", "org_unit": "530102", "counties": ["530102", "530111"]}
    )
    assert response.status_code == 302
    agency = AssessmentAgency.objects.get(name="盘龙路评估中心")
    assert response["Location"] == f"/assessments/agencies/{agency.public_id}/"
    assert agency.org_unit.code == "530102"
    assert sorted(agency.counties.values_list("code", flat=True)) == ["530102", "530111"]
    entry = AuditEntry.objects.get(model="assessment.assessmentagency", action="create")
    assert entry.actor_username == "wuhua"
    assert entry.changes["counties"] == [None, ["530102", "530111"]]
    # Registered in another county: not a choice; a duplicate name: the service's refusal on the form.
    refused = wuhua.post(
        "/assessments/agencies/new/", {"name": "别区评估", "org_unit": "530111", "counties": ["530111"]}
    )
    assert refused.status_code == 200 and "field-error" in refused.content.decode()
    duplicate = wuhua.post(
        "/assessments/agencies/new/", {"name": "盘龙路评估中心", "org_unit": "530102", "counties": ["530102"]}
    )
    assert duplicate.status_code == 200 and "field-error" in duplicate.content.decode()
    assert not AssessmentAgency.objects.filter(name="别区评估").exists()
    assert AssessmentAgency.objects.filter(name="盘龙路评估中心").count() == 1


def test_register_pages_need_the_add_permission(personas, agencies, login):
    for user in (personas.huashan, personas.community, agencies.a1.user):
        c = login(user)
        assert c.get("/assessments/agencies/new/").status_code == 404
        assert c.get("/assessments/assessors/new/").status_code == 404
        assert c.post("/assessments/agencies/new/", {"name": "x", "org_unit": "530102"}).status_code == 404
    assert not AssessmentAgency.objects.filter(name="x").exists()


def test_register_an_assessor_through_the_page(personas, agencies, login):
    account = make_user("pg_new", "assessor", org="530102")
    other_account = make_user("pg_gnew", "assessor", org="530111")
    clerk = make_user("clerk", "township_worker", org="530102001")
    wuhua = login(personas.wuhua)
    form = wuhua.get(f"/assessments/assessors/new/?agency={agencies.wuhua.public_id}").content.decode()
    assert str(agencies.wuhua.public_id) in form and str(agencies.guandu.public_id) not in form
    assert str(account.public_id) in form  # a free assessor account of the area
    assert str(other_account.public_id) not in form  # another county's
    assert str(agencies.a1.user.public_id) not in form  # already an assessor
    assert str(clerk.public_id) not in form  # not an assessor account
    data = {
        "agency": str(agencies.wuhua.public_id),
        "name": "李护士",
        "qualification": "nurse",
        "certificate_no": "C-900",
        "user": str(account.public_id),
    }
    response = wuhua.post("/assessments/assessors/new/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/agencies/{agencies.wuhua.public_id}/"
    assessor = Assessor.objects.get(certificate_no="C-900")
    assert (assessor.agency, assessor.user, assessor.name) == (agencies.wuhua, account, "李护士")
    # Another county's agency is no choice; a duplicate certificate is the service's refusal, shown on the form.
    before = Assessor.objects.count()
    other = wuhua.post("/assessments/assessors/new/", {**data, "agency": str(agencies.guandu.public_id), "user": ""})
    assert other.status_code == 200 and "field-error" in other.content.decode()
    duplicate = wuhua.post("/assessments/assessors/new/", {**data, "user": ""})
    assert duplicate.status_code == 200 and "field-error" in duplicate.content.decode()
    assert Assessor.objects.count() == before
    # Without an account (an assessor who does not log in).
    plain = wuhua.post("/assessments/assessors/new/", {**data, "certificate_no": "C-901", "user": ""})
    assert plain.status_code == 302
    assert Assessor.objects.get(certificate_no="C-901").user is None
