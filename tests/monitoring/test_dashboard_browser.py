"""The dashboard (area page) in headless Chromium: indicators with their sparklines and attainment colours, the
ranking of counties, the drill-down to the records behind a number; no console or CSP error. Screenshots go to
var/screenshots/dashboard.png and dashboard-records.png."""

from __future__ import annotations

from datetime import date

import pytest

from tests import test_browser
from tests.conftest import PASSWORD
from tests.test_browser import SCREENSHOTS, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
browser = test_browser.browser  # the shared module-scoped Chromium fixture


def _history(wuhua):
    """Month-end snapshots of the year before 2025-06-30, with 甲院's nursing beds growing from 20 to 60, so the
    sparklines have a trend."""
    from chuncheng.monitoring import queries, services

    a, _b = wuhua
    ends = sorted(queries.month_ends(date(2025, 6, 30), 12))
    for n, day in enumerate(ends):
        a.nursing_beds = 20 + round(40 * n / (len(ends) - 1))
        a.save()
        services.take_snapshot(day)
    return len(ends)


def test_dashboard_sparklines_ranking_and_drill_down(live_server, browser, personas, wuhua, catalogue):
    months = _history(wuhua)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
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
        page.goto(f"{base}/monitoring/?date=2025-06-30")
        row = page.locator("tr[data-key='nursing_bed_share']").first
        spark = row.locator("svg[data-testid='sparkline']")
        assert spark.is_visible()
        # 12 month-ends and the day itself (computed live): 13 points.
        assert len(spark.locator("polyline").get_attribute("points").split()) == months + 1
        # The line is drawn (a stroke colour from app.css, not the default black of an unstyled SVG).
        stroke = spark.locator("polyline").evaluate("e => getComputedStyle(e).stroke")
        assert stroke not in ("none", "rgb(0, 0, 0)")
        assert page.locator("svg[data-testid='sparkline']").count() >= 10
        assert page.locator("[data-testid='ranking'] tr[data-code='530102']").is_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
        # Drill down: city → 五华区 (ranking) → the records behind its nursing beds.
        page.locator("[data-testid='ranking'] tr[data-code='530102'] a").first.click()
        page.wait_for_load_state()
        assert "/monitoring/530102/" in page.url
        page.locator("tr[data-key='nursing_bed_share'] [data-testid='records-link']").click()
        page.wait_for_load_state()
        assert "/monitoring/530102/records/nursing_bed_share/" in page.url
        assert page.locator("[data-testid='records-total']").inner_text() == "120"  # 60 + 10 + 50
        assert page.locator("[data-testid='records'] tbody tr").count() == 3
        page.screenshot(path=str(SCREENSHOTS / "dashboard-records.png"), full_page=True)
        assert watched.csp_errors() == []
        failed = [f for f in watched.failed if "/favicon.ico" not in f]  # the browser's own favicon probe
        assert failed == []
        assert [m for m in watched.console_errors if not m.startswith("Failed to load resource")] == []
    finally:
        context.close()
