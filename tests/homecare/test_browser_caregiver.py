"""A caregiver checks in and out on a phone-sized page in a real browser (Debian's Chromium, as tests/test_browser.py;
skipped when the browser is missing). The browser's geolocation is set to the elder's home; the elder's one-time code
is echoed in development mode (HOMECARE_ECHO_CODE) and typed in as the elder would read it out."""

from __future__ import annotations

import pytest

from chuncheng.homecare.choices import OrderStatus
from chuncheng.homecare.models import Visit
from tests import test_browser
from tests.conftest import PASSWORD
from tests.homecare.conftest import HOME, assigned_order
from tests.test_browser import SCREENSHOTS, Watched, zh

pytestmark = pytest.mark.browser
browser = test_browser.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": HOME[0] + 0.0003, "longitude": HOME[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield Watched(page)
    finally:
        context.close()


def test_caregiver_checks_in_and_out_on_a_phone(live_server, settings, world, personas, phone):
    settings.HOMECARE_ECHO_CODE = True
    order = assigned_order(world, personas.community)
    page, base = phone.page, live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", world.carer_user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_load_state()

    page.goto(f"{base}/homecare/today/")
    today = page.get_by_test_id("today")
    assert world.elder.name in today.inner_text()
    today.get_by_role("button", name=zh("Check in")).click()
    page.get_by_role("button", name=zh("Check out")).wait_for()
    visit = Visit.objects.get(order=order)
    assert visit.status == "open" and 25 < visit.check_in_distance_m < 40

    code = page.evaluate("sessionStorage.getItem('homecare-last-code')")
    assert code and len(code) == 6
    page.get_by_placeholder(zh("Elder's confirmation code")).fill(code)
    page.get_by_role("button", name=zh("Check out")).click()
    page.locator(".homecare-check-out").wait_for(state="detached")
    visit.refresh_from_db()
    order.refresh_from_db()
    assert visit.status == "closed" and visit.confirmed
    assert order.status == OrderStatus.COMPLETED
    assert phone.csp_errors() == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "caregiver-today.png"), full_page=True)
