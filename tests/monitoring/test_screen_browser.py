"""The big screen in headless Chromium at 1920×1080: every chart renders (canvas present and painted), the headline
figures and the alarm tiles fill in from the data endpoint, every panel fits the screen, no console or CSP error; a
screenshot goes to var/screenshots/screen.png."""

from __future__ import annotations

import pytest

from tests import test_browser
from tests.conftest import PASSWORD
from tests.test_browser import SCREENSHOTS, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
browser = test_browser.browser  # the shared module-scoped Chromium fixture


def test_big_screen_renders_its_charts(live_server, browser, personas, wuhua, catalogue):
    from datetime import date

    from tests.monitoring import activity

    built = activity.build(personas, date(2025, 6, 30))
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
        for chart in ("beds", "capability", "attainment", "meals", "visits"):
            assert page.locator(f"#cc-chart-{chart} canvas").count() >= 1, chart
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
        for chart in ("capability", "meals", "visits"):
            drawn = page.evaluate(
                """(id) => { const c = document.querySelector('#' + id + ' canvas');
                           const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                           let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""",
                f"cc-chart-{chart}",
            )
            assert drawn > 1000, chart
        # The alarms of 2025-06-30 (activity.py): one received that day, acknowledged after 90 s and closed after
        # 25 min; of the 15 in the 30 days, 12 acknowledged and 9 closed: 6 not closed (open now).
        assert page.locator("#cc-alarm-received").inner_text() == "1"
        assert page.locator("#cc-alarm-closed").inner_text() == "1"
        assert page.locator("#cc-alarm-open-now").inner_text() == "6"
        assert page.locator("#cc-ack-count").inner_text() == "12" and built["alarms"] == 15
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(6, 26, 51)"  # dark theme
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "screen.png"), full_page=False)
        # Every panel lies inside the 1920×1080 screen, none spills over another.
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.cc-screen-panel, .cc-screen-figure')].map(e => {
                   const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom,
                   e.scrollHeight <= e.clientHeight + 1]; })"""
        )
        assert len(boxes) == 6 + 6
        outside = [b for b in boxes if not (b[0] >= 0 and b[1] >= 0 and b[2] <= 1920 and b[3] <= 1080 and b[4])]
        assert outside == []
        assert watched.csp_errors() == []
        assert errors == []
        assert watched.failed == []
    finally:
        context.close()
