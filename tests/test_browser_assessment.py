"""A capability assessment in a real browser, on a tablet-sized screen: an assessor fills the GB/T 42195 form (a
partial save, then the rest) and submits; a county official signs it off; the elder's page shows the new level.

Debian's headless Chromium driven by Playwright, launched as in tests/test_browser.py (skipped when the browser is
missing, failed instead when CHUNCHENG_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from chuncheng.assessment.health import open_answers
from tests import test_browser
from tests.assessment import conftest as assessment_fixtures
from tests.conftest import PASSWORD
from tests.elders import conftest as elder_fixtures
from tests.test_browser import SCREENSHOTS, Watched, zh

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the shared module-scoped Chromium fixture
# The services-built set-up of tests/assessment: a 五华区 agency and its assessors, 王秀英's assigned assessment.
agencies, assigned = assessment_fixtures.agencies, assessment_fixtures.assigned
registry, villages = elder_fixtures.registry, elder_fixtures.villages

TABLET = {"width": 1024, "height": 768}

# All best answers except a few, and a dementia diagnosis: 84 points (mild), raised one level by C.4 b) → moderate.
LOWER = {"B.1.3": 2, "B.2.4": 1, "B.3.4": 2}
ADJUSTMENTS = {"coma": False, "diagnosis_dementia": True, "diagnosis_psychiatric": False, "risk_events_30d": 1}


def expected_answers() -> dict:
    from tests.assessment.helpers import best_answers

    return {**best_answers(), **LOWER, **ADJUSTMENTS}


def new_page(browser):
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, Watched(page)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_load_state()
    assert not page.url.startswith(f"{base}/accounts/login/"), "login failed"


def click_answers(page, codes: list[str], answers: dict) -> None:
    for code in codes:
        radio = page.locator(f'input[type=radio][name="{code}"][value="{answers[code]}"]')
        # Tap the label, as on a tablet (the whole label is the target, not the small circle).
        page.locator(f'label[for="{code}-{answers[code]}"]').click()
        assert radio.is_checked(), code


def test_assessor_fills_official_signs_off_and_the_elder_gets_the_level(
    live_server, personas, registry, agencies, assigned, browser
):
    from chuncheng.assessment.models import Assessment
    from chuncheng.assessment.scoring import load_standard, score
    from chuncheng.elders.choices import CapabilityLevel

    base = live_server.url
    standard = load_standard()
    answers = expected_answers()
    expected = score(answers)
    assert (expected.total, expected.preliminary_level, expected.final_level) == (84, "mild", "moderate")
    detail_url = f"{base}/assessments/{assigned.public_id}/"

    # 1. The assessor logs in and opens the assessment assigned to them from the list.
    context, watched = new_page(browser)
    try:
        page = watched.page
        log_in(page, base, agencies.a1.user.username)
        page.goto(f"{base}/assessments/")
        page.get_by_test_id("assessments").get_by_role("link", name=registry.wuhua.name).click()
        page.wait_for_url(detail_url)
        form = page.get_by_test_id("form")
        form.wait_for()

        # The first dimension, then a partial save: the answers come back checked.
        first = [i["code"] for i in standard.items if i["dimension"] == "B.1"]
        click_answers(page, first, answers)
        form.get_by_role("button", name=zh("Save"), exact=True).click()
        page.wait_for_url(detail_url)
        for code in first:
            assert page.locator(f'input[name="{code}"][value="{answers[code]}"]').is_checked(), code
        saved = Assessment.objects.get(pk=assigned.pk)
        assert saved.status == "in_progress"
        assert {k: open_answers(saved)[k] for k in first} == {k: answers[k] for k in first}

        # The rest of the form, and the C.4 adjustment inputs.
        rest = [code for code in standard.item_codes if code not in first]
        click_answers(page, rest, answers)
        page.locator('label[for="adj-diagnosis_dementia"]').click()
        assert page.locator("#adj-diagnosis_dementia").is_checked()
        assert not page.locator("#adj-coma").is_checked()
        page.fill('input[name="risk_events_30d"]', str(answers["risk_events_30d"]))

        # Usable on a tablet: nothing wider than the screen, and every option a finger-sized target.
        assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        heights = page.evaluate(
            "Array.from(document.querySelectorAll('[data-testid=form] .form-check'))"
            ".map(e => e.getBoundingClientRect().height)"
        )
        assert len(heights) == sum(len(i["options"]) for i in standard.items) + 3
        assert min(heights) >= 28, min(heights)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "assessment-form.png"), full_page=False)

        form.get_by_role("button", name=zh("Submit for review")).click()
        page.wait_for_url(detail_url)
        assert page.get_by_test_id("total").inner_text().strip() == f"{expected.total} / 90"
        assert page.get_by_test_id("level").inner_text().strip() == standard.level_name(expected.final_level)
        assert page.get_by_test_id("form").count() == 0
        assert watched.csp_errors() == []
        assert [f for f in watched.failed if not f.startswith(f"{base}/favicon.ico ")] == []
    finally:
        context.close()

    submitted = Assessment.objects.get(pk=assigned.pk)
    assert submitted.status == "submitted"
    assert open_answers(submitted) == answers
    assert submitted.final_level == expected.final_level == score(open_answers(submitted)).final_level

    # 2. A county official (not one of the assessors), in a new browser context, signs it off.
    context, watched = new_page(browser)
    try:
        page = watched.page
        log_in(page, base, personas.wuhua.username)
        page.goto(detail_url)
        review = page.get_by_test_id("review")
        review.locator('input[name="note"]').fill("现场复核无误")
        review.get_by_role("button", name=zh("Sign off")).click()
        page.wait_for_url(detail_url)
        assert page.get_by_test_id("review").count() == 0

        signed = Assessment.objects.get(pk=assigned.pk)
        assert signed.status == "signed_off"
        assert signed.reviewed_by_id == personas.wuhua.pk
        assert signed.valid_until is not None

        # 3. The elder's page shows the new capability level, in Chinese.
        page.goto(f"{base}/elders/{registry.wuhua.public_id}/")
        with translation.override("zh-hans"):
            label = str(CapabilityLevel(expected.final_level).label)
        assert label == "中度失能"
        level_row = page.locator("dt", has_text=zh("capability level")).locator("xpath=following-sibling::dd[1]")
        assert level_row.get_by_test_id("capability-level").inner_text().strip() == label
        valid_until = level_row.get_by_test_id("capability-valid-until").inner_text()
        assert signed.valid_until.isoformat() in valid_until
        assert level_row.get_by_test_id("assessment-report").count() == 1
        assert watched.csp_errors() == []
        assert [f for f in watched.failed if not f.startswith(f"{base}/favicon.ico ")] == []
    finally:
        context.close()
    registry.wuhua.refresh_from_db()
    assert registry.wuhua.capability_level == expected.final_level
