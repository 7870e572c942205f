"""The import front door in a real browser: a county official uploads an institutions file and finds the institution.

Debian's headless Chromium driven by Playwright, launched as in tests/test_browser.py (skipped when the browser is
missing, failed instead when CHUNCHENG_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_browser
from tests.conftest import PASSWORD
from tests.test_browser import SCREENSHOTS, zh

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the shared module-scoped Chromium fixture
watched = test_browser.watched  # a zh-CN page at 1280×860 with what the browser reported


def institutions_csv() -> tuple[str, bytes]:
    """One institution in 五华区 大观街道, with a valid unified social credit code (GB 32100 check character)."""
    from chuncheng.core.validators import uscc_check_char

    body = "52530102MA1234567"
    uscc = body + uscc_check_char(body)
    name = "大观浏览器测试颐养院"
    text = f"name,uscc,org_unit_code,kind,approved_beds,nursing_beds\n{name},{uscc},530102003,private_nonprofit,80,40\n"
    return name, text.encode("utf-8")


def test_county_official_uploads_an_institutions_file(live_server, personas, watched):
    page = watched.page
    base = live_server.url
    name, payload = institutions_csv()

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", personas.wuhua.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_load_state()

    # The navigation leads to the import page (the official may import several kinds).
    page.goto(f"{base}/")
    page.locator("#nav").get_by_role("link", name=zh("Import"), exact=True).click()
    page.wait_for_url(f"{base}/imports/")
    page.select_option("#id_kind", "institutions")
    page.set_input_files("#id_file", files=[{"name": "institutions.csv", "mimeType": "text/csv", "buffer": payload}])
    page.get_by_role("button", name=zh("Upload and import")).click()
    page.wait_for_load_state()

    result = page.get_by_test_id("import-result")
    result.wait_for()
    assert page.get_by_test_id("count-rows").inner_text().strip() == "1"
    assert page.get_by_test_id("count-created").inner_text().strip() == "1"
    assert page.get_by_test_id("count-invalid").inner_text().strip() == "0"
    assert page.get_by_test_id("import-errors").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-result.png"), full_page=False)

    # The new institution is in the official's list.
    page.goto(f"{base}/institutions/")
    assert page.get_by_test_id("institutions").get_by_role("link", name=name).is_visible()

    # The run is in the import log.
    page.goto(f"{base}/imports/log/")
    log = page.get_by_test_id("import-log")
    assert "institutions.csv" in log.inner_text() and "institutions" in log.inner_text()

    # A bad file: nothing written, every problem in a table, and the problems as a CSV built into the page.
    page.goto(f"{base}/imports/")
    page.select_option("#id_kind", "institutions")
    bad = payload.replace(b",80,40", b",80,90")  # more nursing beds than approved beds
    page.set_input_files("#id_file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
    page.get_by_role("button", name=zh("Upload and import")).click()
    errors = page.get_by_test_id("import-errors")
    errors.wait_for()
    assert "nursing_beds" in errors.inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("error-report").click()
    report = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert report.splitlines()[1].startswith("2,nursing_beds,")

    assert watched.csp_errors() == []
    unexpected = [f for f in watched.failed if not f.startswith(f"{base}/favicon.ico ")]
    assert unexpected == []
