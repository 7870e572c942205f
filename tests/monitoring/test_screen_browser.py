"""The big screen in headless Chromium at 1920×1080: the charts render (canvas present), the headline figures fill
in from the data endpoint, no console or CSP error; a screenshot goes to var/screenshots/screen.png."""

from __future__ import annotations

import pytest

from tests import test_browser
from tests.conftest import PASSWORD
from tests.test_browser import SCREENSHOTS, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
browser = test_browser.browser  # the shared module-scoped Chromium fixture


def test_big_screen_renders_its_charts(live_server, browser, personas, wuhua, catalogue):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.set_default_timeout(20_000)
    watched = test_browser.Watched(page)
    errors: list[str] = []  # console errors with where they came from (the browser's own favicon probe aside)
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not (m.location.get("url") or "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    try:
        base = live_server.url
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", personas.city.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name=zh("Log in")).click()
        page.wait_for_load_state()
        page.goto(f"{base}/screen/?date=2025-06-30")
        page.wait_for_selector("#cc-screen[data-loaded='1']")
        page.wait_for_timeout(1500)  # ECharts' entry animation (1 s) ends before the pixels are read
        assert page.locator("#cc-chart-beds canvas").count() >= 1
        assert page.locator("#cc-chart-attainment canvas").count() >= 1
        figures = page.locator(".cc-screen-figure")
        assert figures.count() == 6
        assert page.locator(".cc-screen-figure[data-key='nursing_bed_share'] .cc-screen-figure-value").inner_text() == (
            "48.57"  # 170 / 350 nursing beds of the city
        )
        # The charts drew something: the canvas is not blank.
        painted = page.evaluate(
            """() => { const c = document.querySelector('#cc-chart-beds canvas');
                       const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                       let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }"""
        )
        assert painted > 1000
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(6, 26, 51)"  # dark theme
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "screen.png"), full_page=False)
        assert watched.csp_errors() == []
        assert errors == []
        assert watched.failed == []
    finally:
        context.close()
