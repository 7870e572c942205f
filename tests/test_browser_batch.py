"""A monthly allowance batch in a real browser: the city official starts it from the page, the job queue runs it, the
page's progress bar follows it and, when it ends, the page shows the review totals per county.

Debian's headless Chromium driven by Playwright, launched as in tests/test_browser.py (skipped when the browser is
missing, failed instead when CHUNCHENG_REQUIRE_BROWSER=1). The test plays the worker: it takes the enqueued task from
the real (SQLite-stored) huey queue and executes it, as ``chuncheng worker`` would.
"""

from __future__ import annotations

import time

import pytest

from chuncheng.benefits.models import Entitlement, PaymentBatch
from tests import test_browser
from tests.benefits.batch_helpers import city_mix
from tests.benefits.conftest import policy  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.elders import conftest as elder_fixtures
from tests.test_browser import SCREENSHOTS, zh

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the shared module-scoped Chromium fixture
watched = test_browser.watched  # a zh-CN page at 1280×860 with what the browser reported
registry, villages = elder_fixtures.registry, elder_fixtures.villages
P1 = "P1_longevity_allowance"


def run_enqueued_batch(batch_id: int, timeout: float = 15.0) -> None:
    """Take this batch's task off the queue and execute it (other tasks, from other test workers, are put back)."""
    from huey.contrib.djhuey import HUEY

    deadline = time.monotonic() + timeout
    others = []
    try:
        while time.monotonic() < deadline:
            task = HUEY.dequeue()
            if task is None:
                time.sleep(0.1)
                continue
            if task.name.endswith("run_batch_task") and task.args and task.args[0] == batch_id:
                HUEY.execute(task)
                return
            others.append(task)
        raise AssertionError("the batch's task never reached the queue")
    finally:
        for task in others:
            HUEY.enqueue(task)


def test_city_official_runs_a_batch_and_sees_progress_and_totals(live_server, personas, policy, villages, watched):  # noqa: F811
    wuhua, _other, guandu = villages
    city_mix(wuhua, guandu)  # 6 of 8 elders in each county are 80 or older on 2023-06-01
    page, base = watched.page, live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", personas.city.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_load_state()

    # Through the menu: the benefits group is a drop-down (Bootstrap's script, allowed by the CSP).
    page.goto(f"{base}/")
    nav = page.locator("#nav")
    nav.get_by_role("button", name=zh("Benefits")).or_(nav.get_by_role("link", name=zh("Benefits"))).click()
    nav.get_by_role("link", name=zh("Payment batches"), exact=True).click()
    page.wait_for_url(f"{base}/benefits/batches/")
    form = page.get_by_test_id("run-batch")
    form.locator("select[name=programme]").select_option(P1)
    form.locator("input[name=period]").fill("2023-06")
    form.get_by_role("button", name=zh("Run batch")).click()
    page.wait_for_url(f"{base}/benefits/batches/*/")

    # Enqueued, not yet run: the page shows a draft at 0 % and polls.
    batch = PaymentBatch.objects.get(programme__code=P1)
    progress = page.get_by_test_id("batch-progress")
    assert zh("Draft") in progress.inner_text()
    assert page.get_by_test_id("batch-percent").inner_text() == "0%"
    assert progress.get_attribute("hx-get") == f"/benefits/batches/{batch.public_id}/progress/"
    assert page.get_by_test_id("review-totals").inner_text().startswith(f"{zh('Entitlements')}: 0 ")

    run_enqueued_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "computed" and batch.created_count == 12

    # The next poll sees the end of the run and reloads the page: 100 %, computed, the totals by county.
    page.wait_for_function(
        "(word) => document.querySelector('[data-testid=batch-progress]').innerText.includes(word)", arg=zh("Computed")
    )
    assert page.get_by_test_id("batch-percent").inner_text() == "100%"
    assert page.locator("progress").evaluate("(bar) => bar.value") == 100
    assert page.get_by_test_id("batch-progress").get_attribute("hx-get") is None  # polling has stopped
    expected = sum(e.amount for e in Entitlement.objects.filter(batch=batch))
    totals = page.get_by_test_id("review-totals").inner_text()
    assert totals.startswith(f"{zh('Entitlements')}: 12 ") and f"{expected}" in totals
    areas = page.locator("table").first.inner_text()
    assert "五华区" in areas and "官渡区" in areas
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "benefit-batch.png"), full_page=True)
    assert watched.csp_errors() == []
