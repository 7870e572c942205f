"""The bulletin's print page in headless Chromium: no CSP or console error, and printed as the browser would (print
media, the page's own ``@page`` size) it is an A4 PDF; a screenshot goes to var/screenshots/bulletin.png."""

from __future__ import annotations

import re

import pytest

from tests import test_browser
from tests.conftest import PASSWORD
from tests.monitoring import test_bulletin
from tests.test_browser import SCREENSHOTS, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
browser = test_browser.browser  # the shared module-scoped Chromium fixture
snapshots = test_bulletin.snapshots  # the hand-built snapshots of 2026-09-30 and 2026-10-31


def test_print_page_is_a4(live_server, browser, personas, snapshots):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(20_000)
    watched = test_browser.Watched(page)
    try:
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", personas.city.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name=zh("Log in")).click()
        page.wait_for_load_state()
        page.goto(f"{base}/monitoring/bulletin/print/?org=530100&period=2026-10")
        assert page.locator("h1.cc-bulletin-title").inner_text() == "昆明市养老服务监测指标通报（2026年10月）"
        assert page.locator("[data-testid='bulletin-areas'] tbody tr").count() == 14
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "bulletin.png"), full_page=False)
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
        boxes = {tuple(round(float(x)) for x in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
        assert boxes == {(595, 842)} or boxes == {(596, 843)}  # A4 in points (210 × 297 mm)
        assert 1 <= len(re.findall(rb"/Type /Page\b", pdf)) <= 4
        assert watched.csp_errors() == []
        assert watched.failed == []
    finally:
        context.close()
