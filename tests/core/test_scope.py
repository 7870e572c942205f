"""The scope matrix: every page and endpoint, for anonymous, another area, the owner's area and an administrator.

A user of 五华区 can neither list, open, change nor export a record of 官渡区, and gets 404 (never 403) for a direct
URL. The last test walks the URL resolver and fails if any route is missing from this matrix.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from chuncheng.institutions.models import Institution

pytestmark = pytest.mark.django_db


def _detail(p, which):
    return f"/institutions/{getattr(p, which).public_id}/"


# route name -> how to build its URL for a given target record ("own" = 五华区's, "other" = 官渡区's)
RECORD_PAGES = {
    "institutions:detail": lambda p, w: _detail(p, w),
    "institutions:edit": lambda p, w: _detail(p, w) + "edit/",
}
RECORD_API = {
    "institution-detail": lambda p, w: f"/api/v1/institutions/{getattr(p, w).public_id}/",
}


@pytest.mark.parametrize("name", sorted(RECORD_PAGES))
def test_record_pages_scope(personas, login, client, name):
    build = RECORD_PAGES[name]
    own, other = build(personas, "wuhua_home"), build(personas, "guandu_home")
    assert client.get(own).status_code == 302  # anonymous → login
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    assert wuhua.get(other).status_code == 404
    assert login(personas.guandu).get(own).status_code == 404
    assert login(personas.city).get(other).status_code == 200
    assert login(personas.auditadmin).get(own).status_code == 404
    assert login(personas.sysadmin).get(own).status_code == 404


@pytest.mark.parametrize("name", sorted(RECORD_API))
def test_record_api_scope(personas, login, client, name):
    build = RECORD_API[name]
    own, other = build(personas, "wuhua_home"), build(personas, "guandu_home")
    assert client.get(own).status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get(own).status_code == 200
    response = wuhua.get(other)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert login(personas.operator).get(other).status_code == 404
    assert login(personas.operator).get(own).status_code == 200


def test_other_area_cannot_change_or_set_status(personas, login):
    wuhua = login(personas.wuhua)
    target = personas.guandu_home
    before = Institution.objects.values().get(pk=target.pk)
    assert wuhua.post(f"/institutions/{target.public_id}/edit/", {"name": "改名"}).status_code == 404
    assert wuhua.post(f"/institutions/{target.public_id}/status/", {"status": "exited"}).status_code == 404
    api = wuhua.patch(f"/api/v1/institutions/{target.public_id}/", {"name": "改名"}, content_type="application/json")
    assert api.status_code == 404
    assert wuhua.post(f"/api/v1/institutions/{target.public_id}/status/", {"status": "exited"}).status_code == 404
    assert Institution.objects.values().get(pk=target.pk) == before


def test_lists_and_exports_hold_only_the_users_area(personas, login):
    names = {
        "wuhua": {"华山颐养院"},
        "guandu": {"关上康养中心"},
        "city": {"华山颐养院", "关上康养中心"},
        "huashan": {"华山颐养院"},
        "operator": {"华山颐养院"},
    }
    for persona, expected in names.items():
        c = login(getattr(personas, persona))
        page = c.get("/institutions/").content.decode()
        for name in {"华山颐养院", "关上康养中心"}:
            assert (name in page) == (name in expected), (persona, name)
        api = c.get("/api/v1/institutions/").json()
        assert {r["name"] for r in api["results"]} == expected
        exported = c.get("/institutions/export/?format=csv").content.decode("utf-8-sig")
        assert {row["name"] for row in csv.DictReader(io.StringIO(exported))} == expected
        api_export = c.get("/api/v1/institutions/export/").content.decode("utf-8-sig")
        assert {row["name"] for row in csv.DictReader(io.StringIO(api_export))} == expected


def test_community_worker_sees_institutions_of_its_community_only(personas, login, org_tree):
    from tests.conftest import make_institution

    village = personas.community.org_unit
    make_institution(village.code, "社区嵌入式养老院")
    api = login(personas.community).get("/api/v1/institutions/").json()
    assert [r["name"] for r in api["results"]] == ["社区嵌入式养老院"]


def test_org_tree_scope(personas, login, client):
    assert client.get("/org/530102/").status_code == 302
    assert client.get("/api/v1/org-units/").status_code == 401
    wuhua = login(personas.wuhua)
    assert wuhua.get("/org/530102/").status_code == 200
    assert wuhua.get("/org/530102001/").status_code == 200
    assert wuhua.get("/org/530111/").status_code == 404
    assert wuhua.get("/org/530100/").status_code == 404
    assert wuhua.get("/api/v1/org-units/530111/").status_code == 404
    codes = [u["code"] for u in wuhua.get("/api/v1/org-units/?page_size=500").json()["results"]]
    assert codes and all(c.startswith("530102") for c in codes)
    assert "530111" not in wuhua.get("/org/?q=关上").content.decode()
    operator = login(personas.operator)
    assert operator.get("/org/530102001/").status_code == 200
    assert operator.get("/org/530102/").status_code == 404


def test_administrator_pages_are_invisible_to_others(personas, login):
    for path in ("/admin/users/", "/admin/audit/", "/admin/security-events/"):
        for persona in (personas.city, personas.wuhua, personas.operator):
            assert login(persona).get(path).status_code == 404, (path, persona.username)
    assert login(personas.sysadmin).get("/admin/users/").status_code == 200
    assert login(personas.secadmin).get("/admin/users/").status_code == 200
    assert login(personas.auditadmin).get("/admin/users/").status_code == 404
    assert login(personas.auditadmin).get("/admin/audit/").status_code == 200
    assert login(personas.sysadmin).get("/admin/audit/").status_code == 404
    assert login(personas.secadmin).get("/admin/security-events/").status_code == 200
    assert login(personas.wuhua).get("/api/v1/audit/").status_code == 404
    assert login(personas.auditadmin).get("/api/v1/audit/").status_code == 200


# Routes and where this module (or the named module) proves their scope.
COVERED = {
    "core:home": "every persona's home page (test_browser, test_auth)",
    "core:login": "tests/core/test_auth.py",
    "core:logout": "tests/core/test_auth.py",
    "core:password_change": "tests/core/test_auth.py",
    "core:otp": "tests/core/test_auth.py",
    "core:orgunit_list": "test_org_tree_scope",
    "core:orgunit_detail": "test_org_tree_scope",
    "core:users": "test_administrator_pages_are_invisible_to_others",
    "core:user_role": "tests/core/test_accounts_pages.py",
    "core:user_unlock": "tests/core/test_accounts_pages.py",
    "core:audit": "test_administrator_pages_are_invisible_to_others",
    "core:security_events": "test_administrator_pages_are_invisible_to_others",
    "core:healthz": "public liveness probe, no data",
    "institutions:list": "test_lists_and_exports_hold_only_the_users_area",
    "institutions:export": "test_lists_and_exports_hold_only_the_users_area",
    "institutions:create": "tests/institutions/test_institutions.py",
    "institutions:detail": "test_record_pages_scope",
    "institutions:edit": "test_record_pages_scope",
    "institutions:status": "test_other_area_cannot_change_or_set_status",
    "orgunit-list": "test_org_tree_scope",
    "orgunit-detail": "test_org_tree_scope",
    "institution-list": "test_lists_and_exports_hold_only_the_users_area",
    "institution-detail": "test_record_api_scope",
    "institution-set-status": "test_other_area_cannot_change_or_set_status",
    "institution-export": "test_lists_and_exports_hold_only_the_users_area",
    "institutions:residents": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:admit": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:discharge": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:transfer": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:residents_export": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "institutions:staff": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:caregivers": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:hire": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:staff_detail": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:staff_edit": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "institutions:staff_leave": "tests/institutions/test_registry_scope.py::test_denied_writes_change_nothing",
    "institutions:staff_export": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "institutions:staff_statistics": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "facilities:list": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "facilities:export": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "facilities:create": "tests/institutions/test_facilities.py::test_pages_create_edit_close",
    "facilities:detail": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "facilities:edit": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "facilities:status": "tests/institutions/test_registry_scope.py::test_denied_writes_change_nothing",
    "facilities:staff": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "facilities:hire": "tests/institutions/test_registry_scope.py::test_record_pages_scope",
    "facility-list": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "facility-detail": "tests/institutions/test_registry_scope.py::test_record_api_scope",
    "facility-set-status": "tests/institutions/test_registry_scope.py::test_denied_writes_change_nothing",
    "facility-export": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "stay-list": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "stay-detail": "tests/institutions/test_registry_scope.py::test_record_api_scope",
    "stay-discharge": "tests/institutions/test_registry_scope.py::test_denied_writes_change_nothing",
    "stay-transfer": "tests/institutions/test_registry_scope.py::test_denied_writes_change_nothing",
    "stay-export": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "staff-list": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "staff-detail": "tests/institutions/test_registry_scope.py::test_record_api_scope",
    "staff-leave": "tests/institutions/test_registry_scope.py::test_denied_writes_change_nothing",
    "staff-export": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "staff-statistics": "tests/institutions/test_registry_scope.py::test_lists_and_exports_hold_only_the_users_scope",
    "audit-list": "test_administrator_pages_are_invisible_to_others",
    "api-token": "tests/core/test_auth.py",
    "api-me": "tests/core/test_auth.py",
    "api-root": "DRF's index of endpoints, no data",
    "schema": "tests/test_assets.py (public contract, no data)",
    "api-docs": "tests/test_assets.py",
    "api-redoc": "tests/test_assets.py",
    "core:imports": "tests/core/test_imports_page.py (kinds offered, 403 for a kind not permitted, 404 for none)",
    "core:import_log": "tests/core/test_imports_page.py::test_the_import_log_shows_own_runs_and_all_to_the_city",
    "core:import_template": "tests/core/test_imports_page.py::test_template_downloads_carry_the_chinese_headers",
    "core:population_list": "tests/core/test_population.py::test_population_page_lists_only_the_users_area_with_totals",
    "core:population_export": "tests/core/test_population.py::test_population_export_page_is_scoped",
    "core:population_create": "tests/core/test_population.py::test_population_create_page",
    "core:population_edit": "tests/core/test_population.py::test_population_edit_page",
    "population-list": "tests/core/test_population.py::test_population_api_list_is_scoped",
    "population-detail": "tests/core/test_population.py::test_population_api_refusals_change_nothing",
    "population-export": "tests/core/test_population.py::test_population_api_export_is_scoped",
    "api-import": "tests/core/test_imports_page.py::test_api_import_refusals",
    "api-import-log": "tests/core/test_imports_page.py::test_api_import_log",
    "set_language": "language switch, no data",
    "elders:list": "tests/elders/test_scope.py::test_lists_searches_and_exports_hold_only_the_users_area",
    "elders:search": "tests/elders/test_scope.py::test_lists_searches_and_exports_hold_only_the_users_area",
    "elders:export": "tests/elders/test_scope.py::test_lists_searches_and_exports_hold_only_the_users_area",
    "elders:create": "tests/elders/test_scope.py::test_register_page_needs_the_add_permission",
    "elders:detail": "tests/elders/test_scope.py::test_record_pages_scope",
    "elders:edit": "tests/elders/test_scope.py::test_record_pages_scope",
    "elders:death": "tests/elders/test_scope.py::test_record_pages_scope",
    "elders:move_away": "tests/elders/test_scope.py::test_record_pages_scope",
    "elders:contact_add": "tests/elders/test_scope.py::test_record_pages_scope",
    "elders:contact_edit": "tests/elders/test_scope.py::test_record_pages_scope",
    "elders:reveal": "tests/elders/test_scope.py::test_posts_to_another_area_change_nothing",
    "elders:contact_remove": "tests/elders/test_scope.py::test_posts_to_another_area_change_nothing",
    "elder-list": "tests/elders/test_scope.py::test_lists_searches_and_exports_hold_only_the_users_area",
    "elder-search": "tests/elders/test_scope.py::test_lists_searches_and_exports_hold_only_the_users_area",
    "elder-export": "tests/elders/test_scope.py::test_lists_searches_and_exports_hold_only_the_users_area",
    "elder-detail": "tests/elders/test_scope.py::test_record_api_scope",
    "elder-contacts": "tests/elders/test_scope.py::test_record_api_scope",
    "elder-death": "tests/elders/test_scope.py::test_api_writes_to_another_area_change_nothing",
    "elder-move-away": "tests/elders/test_scope.py::test_api_writes_to_another_area_change_nothing",
    "elder-contact-detail": "tests/elders/test_scope.py::test_api_writes_to_another_area_change_nothing",
    "elder-reveal": "tests/elders/test_scope.py::test_api_writes_to_another_area_change_nothing",
    "assessment:list": "tests/assessment/test_api_pages.py::test_lists_and_exports_hold_only_the_users_area",
    "assessment:export": "tests/assessment/test_api_pages.py::test_lists_and_exports_hold_only_the_users_area",
    "assessment:request": "tests/assessment/test_api_pages.py::test_pages_request_assign_fill_submit_review (elder read through the requester's scope)",
    "assessment:detail": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment:assign": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment:fill": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment:review": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment:report": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment:agencies": "tests/assessment/test_registers.py::test_agency_pages_are_scoped",
    "assessment:agency": "tests/assessment/test_registers.py::test_agency_pages_are_scoped",
    "assessment:agency-create": "tests/assessment/test_registers.py::test_register_an_agency_through_the_page",
    "assessment:assessors": "tests/assessment/test_registers.py::test_assessor_list_is_scoped",
    "assessment:assessor-create": "tests/assessment/test_registers.py::test_register_an_assessor_through_the_page",
    "assessment-list": "tests/assessment/test_api_pages.py::test_lists_and_exports_hold_only_the_users_area",
    "assessment-detail": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment-assign": "tests/assessment/test_api_pages.py::test_api_assessor_outside_the_agency_is_refused",
    "assessment-answers": "tests/assessment/test_api_pages.py::test_api_process_end_to_end",
    "assessment-submit": "tests/assessment/test_api_pages.py::test_scope_other_county_is_404_everywhere",
    "assessment-review": "tests/assessment/test_api_pages.py::test_api_process_end_to_end",
    "assessment-export": "tests/assessment/test_api_pages.py::test_lists_and_exports_hold_only_the_users_area",
    "assessment-agency-list": "tests/assessment/test_api_pages.py::test_lists_and_exports_hold_only_the_users_area",
    "assessment-agency-detail": "tests/assessment/test_api_pages.py::test_lists_and_exports_hold_only_the_users_area",
    "benefits:programmes": "tests/benefits/test_api_pages.py::test_programmes_api_and_page (policy data, no personal data)",
    "benefits:eligibility": "tests/benefits/test_api_pages.py::test_eligibility_scope_other_county_is_404",
    "api-benefits-programmes": "tests/benefits/test_api_pages.py::test_programmes_api_and_page",
    "api-benefits-quote": "tests/benefits/test_api_pages.py::test_api_quote_matches_the_cli_shape (facts posted, nothing read)",
    "api-benefits-eligibility": "tests/benefits/test_api_pages.py::test_eligibility_scope_other_county_is_404",
    "benefits:batches": "tests/benefits/test_batch_pages.py::test_start_approve_lock_export_from_the_pages",
    "benefits:batch": "tests/benefits/test_batch_pages.py::test_batch_review_is_limited_to_the_users_area",
    "benefits:batch_progress": "tests/benefits/test_batch_pages.py::test_progress_poll_does_not_extend_the_session",
    "benefits:batch_approve": "tests/benefits/test_batch_pages.py::test_start_approve_lock_export_from_the_pages",
    "benefits:batch_lock": "tests/benefits/test_batch_pages.py::test_start_approve_lock_export_from_the_pages",
    "benefits:batch_export": "tests/benefits/test_batch_pages.py::test_start_approve_lock_export_from_the_pages",
    "benefits:entitlement": "tests/benefits/test_batch_pages.py::test_entitlement_page_and_api_scope_other_county_is_404",
    "benefits:ledger": "tests/benefits/test_batch_pages.py::test_start_approve_lock_export_from_the_pages",
    "api-benefits-batch": "tests/benefits/test_batch_pages.py::test_batch_review_is_limited_to_the_users_area",
    "api-benefits-entitlement": "tests/benefits/test_batch_pages.py::test_entitlement_page_and_api_scope_other_county_is_404",
    "api-benefits-ledger": "tests/benefits/test_batch_pages.py::test_start_approve_lock_export_from_the_pages",
    "benefits:applications": "tests/benefits/test_application_pages.py::test_the_operator_sees_only_its_own_institutions_applications (and the 404 test: list holds no other county)",
    "benefits:application_create": "tests/benefits/test_application_pages.py::test_the_maker_applies_through_the_pages (applicants read through the user's scope)",
    "benefits:application": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefits:application_edit": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefits:application_attach": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefits:application_submit": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefits:application_decide": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefits:application_attachment": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefit-application-list": "tests/benefits/test_application_pages.py::test_the_operator_sees_only_its_own_institutions_applications",
    "benefit-application-detail": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefit-application-attach": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefit-application-attachment": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefit-application-submit": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefit-application-decide": "tests/benefits/test_application_pages.py::test_another_county_is_404_everywhere_and_changes_nothing",
    "benefits:simulate": "tests/benefits/test_simulation.py::test_the_page_prefills_the_parameters_and_shows_the_result",
    "api-benefits-simulate": "tests/benefits/test_simulation.py::test_a_county_official_sees_only_their_county_and_its_totals",
    "benefits:adjust": "tests/benefits/test_adjustments.py::test_a_beneficiary_of_another_area_is_404_and_nothing_is_written",
    "api-benefits-adjustments": "tests/benefits/test_adjustments.py::test_a_beneficiary_of_another_area_is_404_and_nothing_is_written",
    "timebank:volunteers": "tests/timebank/test_api_pages.py::test_pages_flow_and_other_county_404",
    "timebank:volunteer": "tests/timebank/test_api_pages.py::test_pages_flow_and_other_county_404",
    "timebank:service_create": "tests/timebank/test_api_pages.py::test_pages_flow_and_other_county_404",
    "timebank:relative_create": "tests/timebank/test_api_pages.py::test_pages_flow_and_other_county_404",
    "timebank:withdraw": "tests/timebank/test_api_pages.py::test_pages_flow_and_other_county_404",
    "timebank:service_confirm": "tests/timebank/test_api_pages.py::test_pages_flow_and_other_county_404",
    "api-timebank-volunteers": "tests/timebank/test_api_pages.py::test_api_scope_other_county_is_404_and_changes_nothing",
    "api-timebank-volunteer": "tests/timebank/test_api_pages.py::test_api_scope_other_county_is_404_and_changes_nothing",
    "api-timebank-services": "tests/timebank/test_api_pages.py::test_api_scope_other_county_is_404_and_changes_nothing",
    "api-timebank-relatives": "tests/timebank/test_api_pages.py::test_api_scope_other_county_is_404_and_changes_nothing",
    "api-timebank-withdraw": "tests/timebank/test_api_pages.py::test_api_scope_other_county_is_404_and_changes_nothing",
    "api-timebank-confirm": "tests/timebank/test_api_pages.py::test_api_scope_other_county_is_404_and_changes_nothing",
    "alarms:list": "tests/alarms/test_handling.py::test_pages_list_open_first_and_act",
    "alarms:detail": "tests/alarms/test_handling.py::test_pages_list_open_first_and_act",
    "alarms:transition": "tests/alarms/test_handling.py::test_pages_list_open_first_and_act",
    "alarms:devices": "tests/alarms/test_handling.py::test_devices_and_vendors",
    "alarms:vendors": "tests/alarms/test_handling.py::test_devices_and_vendors (city-wide register, no personal data)",
    "alarms:stats": "tests/alarms/test_handling.py::test_response_times_per_county_for_a_month",
    "api-alarms": "tests/alarms/test_handling.py::test_api_alarms_scope_and_transitions",
    "api-alarm": "tests/alarms/test_handling.py::test_api_alarms_scope_and_transitions",
    "api-alarm-transition": "tests/alarms/test_handling.py::test_api_alarms_scope_and_transitions",
    "api-alarms-stats": "tests/alarms/test_handling.py::test_response_times_per_county_for_a_month",
    "api-alarms-devices": "tests/alarms/test_handling.py::test_devices_and_vendors",
    "api-alarms-vendors": "tests/alarms/test_handling.py::test_devices_and_vendors (city-wide register, no personal data)",
    "api-alarms-webhook": "tests/alarms/test_webhook.py::test_refusals_write_nothing (vendor HMAC, no session; reads nothing)",
    "welfare:elder": "tests/welfare/test_scope.py::test_elder_pages_and_api",
    "welfare:visit_create": "tests/welfare/test_scope.py::test_elder_pages_and_api",
    "api-welfare-elder": "tests/welfare/test_scope.py::test_elder_pages_and_api",
    "welfare:visits": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "welfare:overdue": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "welfare:visit_rate": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "api-welfare-visit-rate": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "api-welfare-overdue": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "welfare-visit-list": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "welfare-visit-detail": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "welfare-task-list": "tests/welfare/test_scope.py::test_visit_lists_rate_and_overdue_hold_only_the_users_area",
    "welfare:task_close": "tests/welfare/test_scope.py::test_writes_to_another_area_change_nothing",
    "welfare-task-close": "tests/welfare/test_scope.py::test_writes_to_another_area_change_nothing",
    "welfare:list_publish": "tests/welfare/test_scope.py::test_writes_to_another_area_change_nothing",
    "service-list-publish": "tests/welfare/test_scope.py::test_writes_to_another_area_change_nothing",
    "welfare:list_draft": "tests/welfare/test_scope.py::test_writes_to_another_area_change_nothing",
    "welfare:lists": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "welfare:list_detail": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "welfare:item": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "welfare:item_export": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "service-list-list": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "service-list-detail": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "service-item-detail": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "service-item-entitled": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "service-item-export": "tests/welfare/test_scope.py::test_lists_items_and_exports",
    "homecare:providers": "tests/homecare/test_scope.py::test_provider_page_lists_and_registers",
    "homecare-provider-list": "tests/homecare/test_api.py::test_providers_api_registers_within_the_area",
    "homecare-provider-detail": "tests/homecare/test_api.py::test_providers_api_registers_within_the_area",
    "homecare:orders": "tests/homecare/test_scope.py::test_lists_hold_only_the_users_area",
    "homecare:order": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare:order_action": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare:visits": "tests/homecare/test_scope.py::test_lists_hold_only_the_users_area",
    "homecare:flag_review": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare:today": "tests/homecare/test_scope.py::test_the_caregiver_page_lists_todays_orders",
    "homecare:alerts": "tests/homecare/test_schedule.py::test_alerts_page_is_scoped_and_acknowledges",
    "homecare:alert_ack": "tests/homecare/test_schedule.py::test_alerts_page_is_scoped_and_acknowledges",
    "homecare-order-list": "tests/homecare/test_scope.py::test_lists_hold_only_the_users_area",
    "homecare-order-detail": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-order-accept": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-order-assign": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-order-cancel": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-order-check-in": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-visit-list": "tests/homecare/test_scope.py::test_lists_hold_only_the_users_area",
    "homecare-visit-detail": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-visit-check-out": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare-visit-review": "tests/homecare/test_scope.py::test_other_area_orders_and_visits_are_404_and_writes_change_nothing",
    "homecare:landing": "tests/homecare/test_provider_portal.py::test_the_menu_holds_only_the_portal_and_homecare_lands_by_role (redirect by role, no data)",
    "homecare:provider_home": "tests/homecare/test_provider_portal.py::test_a_provider_operator_sees_nothing_of_another_provider",
    "homecare:provider_schedule": "tests/homecare/test_provider_portal.py::test_a_provider_operator_sees_nothing_of_another_provider",
    "homecare:provider_flags": "tests/homecare/test_provider_portal.py::test_a_provider_operator_sees_nothing_of_another_provider",
    "homecare:provider_settlements": "tests/homecare/test_settlements.py::test_settlement_pages",
    "homecare:settlements": "tests/homecare/test_settlements.py::test_settlement_pages",
    "homecare:settlement": "tests/homecare/test_settlements.py::test_settlement_pages",
    "homecare:settlement_approve": "tests/homecare/test_settlements.py::test_settlement_pages",
    "homecare-order-decline": "tests/homecare/test_provider_portal.py::test_the_operator_accepts_declines_and_assigns_but_creates_and_cancels_nothing",
    "homecare-alert-list": "tests/homecare/test_provider_portal.py::test_a_provider_operator_sees_nothing_of_another_provider",
    "homecare-alert-detail": "tests/homecare/test_provider_portal.py::test_a_provider_operator_sees_nothing_of_another_provider",
    "homecare-alert-acknowledge": "tests/homecare/test_provider_portal.py::test_a_provider_operator_sees_nothing_of_another_provider; tests/homecare/test_schedule.py",
    "homecare-settlement-list": "tests/homecare/test_settlements.py::test_api_settles_lists_and_approves_in_scope",
    "homecare-settlement-detail": "tests/homecare/test_settlements.py::test_api_settles_lists_and_approves_in_scope",
    "homecare-settlement-approve": "tests/homecare/test_settlements.py::test_api_settles_lists_and_approves_in_scope",
    "familybeds:list": "tests/familybeds/test_pages.py::test_list_shows_compliance_and_counts",
    "familybeds:create": "tests/familybeds/test_pages.py::test_create_form_sets_up_a_bed_and_shows_refusals",
    "familybeds:detail": "tests/familybeds/test_pages.py::test_other_county_pages_are_404",
    "familybeds:adaptation": "tests/familybeds/test_pages.py::test_other_county_pages_are_404",
    "familybeds:status": "tests/familybeds/test_pages.py::test_other_county_pages_are_404",
    "familybed-list": "tests/familybeds/test_api.py::test_other_county_is_404_and_changes_nothing",
    "familybed-detail": "tests/familybeds/test_api.py::test_other_county_is_404_and_changes_nothing",
    "familybed-adaptation": "tests/familybeds/test_api.py::test_other_county_is_404_and_changes_nothing",
    "familybed-status": "tests/familybeds/test_api.py::test_other_county_is_404_and_changes_nothing",
    "familybed-compliance": "tests/familybeds/test_api.py::test_other_county_is_404_and_changes_nothing",
    "familybed-counts": "tests/familybeds/test_api.py::test_compliance_and_counts",
    "meals:records": "tests/meals/test_scope.py::test_record_pages_and_api",
    "api-meals-records": "tests/meals/test_scope.py::test_record_pages_and_api (GET), test_tablet_page_and_api (POST)",
    "api-meals-record": "tests/meals/test_scope.py::test_record_pages_and_api",
    "meals:record_review": "tests/meals/test_scope.py::test_review_in_another_county_is_404_and_changes_nothing",
    "api-meals-record-review": "tests/meals/test_scope.py::test_review_in_another_county_is_404_and_changes_nothing",
    "meals:tablet": "tests/meals/test_scope.py::test_tablet_page_and_api",
    "meals:cards": "tests/meals/test_scope.py::test_cards_page_and_api",
    "api-meals-cards": "tests/meals/test_scope.py::test_cards_page_and_api",
    "meals:settlements": "tests/meals/test_scope.py::test_settlement_pages_and_api",
    "api-meals-settlements": "tests/meals/test_scope.py::test_settlement_pages_and_api",
    "meals:checks": "tests/meals/test_scope.py::test_checks_pages_and_api",
    "api-meals-checks": "tests/meals/test_scope.py::test_checks_pages_and_api",
    "monitoring:area": "tests/monitoring/test_scope.py::test_area_page",
    "monitoring:area_detail": "tests/monitoring/test_scope.py::test_area_page",
    "monitoring:records": "tests/monitoring/test_drill.py::test_drill_is_scoped",
    "api-monitoring-indicators": "tests/monitoring/test_scope.py::test_api",
    "api-monitoring-values": "tests/monitoring/test_scope.py::test_api",
    "screen:screen": "tests/monitoring/test_screen.py::test_screen_is_scoped",
    "screen:data": "tests/monitoring/test_screen.py::test_screen_is_scoped",
    "monitoring:reported": "tests/monitoring/test_reported_pages.py::test_pages_report_review_and_download",
    "monitoring:reported_create": "tests/monitoring/test_reported_pages.py::test_pages_report_review_and_download",
    "monitoring:reported_detail": "tests/monitoring/test_reported_pages.py::test_pages_report_review_and_download",
    "monitoring:reported_review": "tests/monitoring/test_reported_pages.py::test_pages_report_review_and_download",
    "monitoring:reported_evidence": "tests/monitoring/test_reported_pages.py::test_pages_report_review_and_download",
    "monitoring:bulletin": "tests/monitoring/test_bulletin.py::test_pages_api_cli_and_scope",
    "monitoring:bulletin_print": "tests/monitoring/test_bulletin.py::test_pages_api_cli_and_scope",
    "monitoring:bulletin_xlsx": "tests/monitoring/test_bulletin.py::test_pages_api_cli_and_scope",
    "api-monitoring-reported": "tests/monitoring/test_reported_pages.py::test_api",
    "api-monitoring-reported-due": "tests/monitoring/test_reported_pages.py::test_api",
    "api-monitoring-reported-value": "tests/monitoring/test_reported_pages.py::test_api",
    "api-monitoring-reported-review": "tests/monitoring/test_reported_pages.py::test_api",
    "api-monitoring-reported-evidence": "tests/monitoring/test_reported_pages.py::test_api",
    "api-monitoring-bulletin": "tests/monitoring/test_bulletin.py::test_pages_api_cli_and_scope",
    "api-monitoring-bulletin-xlsx": "tests/monitoring/test_bulletin.py::test_pages_api_cli_and_scope",
}


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_route_is_in_the_scope_matrix():
    routes = _names(get_resolver())
    missing = sorted(routes - COVERED.keys())
    assert missing == [], f"routes without a scope test: {missing}"
