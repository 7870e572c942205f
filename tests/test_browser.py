"""Pages in a real browser: Debian's headless Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import translation

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CHUNCHENG_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Watched:
    """A page with what the browser reported on the side: console errors and failed loads."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None)

    def csp_errors(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]


@pytest.fixture
def watched(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield Watched(page)
    finally:
        context.close()


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_county_official_walks_the_org_tree_and_is_kept_in_its_district(live_server, personas, watched):
    page = watched.page
    base = live_server.url

    # Log in through the login page.
    page.goto(f"{base}/org/")
    assert page.url.startswith(f"{base}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.fill("#id_username", personas.wuhua.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_load_state()

    # Home (or the page asked for before logging in); the navbar names the user and its area.
    page.goto(f"{base}/")
    whoami = page.get_by_test_id("whoami")
    assert "wuhua" in whoami.inner_text()
    assert "五华区" in whoami.inner_text()
    # The vendored Bootstrap, our stylesheet and the scripts loaded under the strict CSP.
    assert page.evaluate("getComputedStyle(document.querySelector('.cc-navbar')).backgroundColor") == "rgb(31, 111, 74)"
    assert page.evaluate("getComputedStyle(document.querySelector('.container-fluid')).paddingLeft") == "12px"
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"

    # The org tree starts at the user's district.
    page.goto(f"{base}/org/")
    assert page.url == f"{base}/org/530102/"
    assert page.get_by_test_id("org-name").inner_text() == "五华区"
    children = page.get_by_test_id("children")
    for township in ("华山街道", "护国街道", "大观街道"):
        assert children.get_by_role("link", name=township, exact=True).is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "org-tree.png"), full_page=False)

    # Into a township: the breadcrumbs lead back to the district (and no higher: the city is outside its area).
    children.get_by_role("link", name="华山街道", exact=True).click()
    page.wait_for_url(f"{base}/org/530102001/")
    assert page.get_by_test_id("org-name").inner_text() == "华山街道"
    crumbs = page.get_by_test_id("breadcrumbs")
    assert crumbs.get_by_role("link", name="五华区").get_attribute("href") == "/org/530102/"
    assert crumbs.locator(".active").inner_text() == "华山街道"
    assert "昆明市" not in crumbs.inner_text()
    assert page.get_by_test_id("children").get_by_role("link").count() > 0  # its communities

    # Another district, and another district's institution: not found, as if absent.
    not_found = zh("Not found")
    response = page.goto(f"{base}/org/530111/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == not_found
    assert "官渡区" not in page.content()
    response = page.goto(f"{base}/institutions/{personas.guandu_home.public_id}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == not_found
    assert personas.guandu_home.name not in page.content()
    # Its own district's institution opens.
    response = page.goto(f"{base}/institutions/{personas.wuhua_home.public_id}/")
    assert response.status == 200
    assert personas.wuhua_home.name in page.content()

    assert watched.csp_errors() == []
    expected_404 = {f"{base}/org/530111/ 404", f"{base}/institutions/{personas.guandu_home.public_id}/ 404"}
    unexpected = [f for f in watched.failed if f not in expected_404 and not f.startswith(f"{base}/favicon.ico ")]
    assert unexpected == []
