"""Assets are local (the platform runs on networks without the internet), and every page carries the security headers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.test import Client

import chuncheng

PACKAGE = Path(chuncheng.__file__).resolve().parent
STATIC = PACKAGE / "static"
VENDOR = STATIC / "vendor"

# A remote URL (with a scheme, or protocol-relative) in a place where the browser would load it.
_REMOTE = r"""(?:https?:)?//[^\s"'<>)]+"""
REMOTE_ASSET = re.compile(
    rf"""<script\b[^>]*\bsrc\s*=\s*["']?(?P<script>{_REMOTE})"""
    rf"""|<link\b[^>]*\bhref\s*=\s*["']?(?P<link>{_REMOTE})"""
    rf"""|@import\s+(?:url\(\s*)?["']?(?P<import>{_REMOTE})"""
    rf"""|\burl\(\s*["']?(?P<url>{_REMOTE})""",
    re.IGNORECASE,
)
STATIC_TAG = re.compile(r"""\{%\s*static\s+(["'])(?P<path>[^"']+)\1""")


def templates() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("**/templates/**/*.html") if p.is_file())


def own_sources() -> list[Path]:
    return sorted(
        p
        for suffix in ("py", "js", "css")
        for p in PACKAGE.glob(f"**/*.{suffix}")
        if p.is_file() and VENDOR not in p.parents
    )


def remote_assets(text: str) -> list[str]:
    return [m.group(0) for m in REMOTE_ASSET.finditer(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('<script src="https://cdn.jsdelivr.net/npm/htmx.org"></script>', True),
        ("<link rel='stylesheet' href='//cdn.example.com/b.css'>", True),
        ("body { background: url(http://example.com/x.png) }", True),
        ('@import "https://fonts.googleapis.com/css?family=Noto";', True),
        ('@import url("https://example.com/a.css");', True),
        ("<script src=\"{% static 'vendor/htmx-2.0.11/htmx.min.js' %}\"></script>", False),
        ('<a href="https://www.gov.cn/">中国政府网</a>', False),  # a link, not a loaded asset
        ("background: url(data:image/svg+xml;base64,AAAA)", False),
    ],
)
def test_the_scanner_tells_remote_assets_apart(text, found):
    assert bool(remote_assets(text)) is found


def test_no_template_or_own_source_loads_a_remote_asset():
    files = templates() + own_sources()
    assert any(p.name == "base.html" for p in files) and any(p.name == "app.css" for p in files)
    offenders = {
        str(p.relative_to(PACKAGE)): hits for p in files if (hits := remote_assets(p.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_every_static_path_in_templates_exists():
    referenced = {
        (str(p.relative_to(PACKAGE)), m.group("path"))
        for p in templates()
        for m in STATIC_TAG.finditer(p.read_text(encoding="utf-8"))
    }
    assert any(path.startswith("vendor/bootstrap") for _, path in referenced)
    missing = sorted((template, path) for template, path in referenced if not (STATIC / path).is_file())
    assert missing == []


def test_every_static_path_in_templates_is_found_by_the_staticfiles_finders():
    """What collectstatic copies and the development server serves: a file only on disk is not enough."""
    from django.contrib.staticfiles import finders

    referenced = {m.group("path") for p in templates() for m in STATIC_TAG.finditer(p.read_text(encoding="utf-8"))}
    assert referenced
    assert sorted(path for path in referenced if not finders.find(path)) == []


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


@pytest.fixture
def served_static(settings):
    """Serve static files from the app folders through WhiteNoise, as after collectstatic (clients made after this)."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def test_api_docs_load_only_local_assets(personas, login, served_static):
    client = login(personas.wuhua)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    parser = _Assets()
    parser.feed(response.content.decode())
    assert any(u.endswith("swagger-ui-bundle.js") for u in parser.urls), parser.urls
    assert any(u.endswith("swagger-ui.css") for u in parser.urls), parser.urls
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content if asset.streaming else [asset.content]), url


def test_the_openapi_schema_lists_the_endpoints(personas, login):
    client = login(personas.wuhua)
    as_json = client.get("/api/schema/", {"format": "json"})
    assert as_json.status_code == 200
    as_yaml = client.get("/api/schema/")
    assert as_yaml.status_code == 200
    for document in (json.loads(as_json.content), yaml.safe_load(as_yaml.content)):
        assert str(document["openapi"]).startswith("3."), document.get("openapi")
        assert {"/api/v1/org-units/", "/api/v1/institutions/", "/api/v1/auth/token/"} <= set(document["paths"])


PAGES = [
    "/accounts/login/",
    "/",
    "/org/",
    "/org/530102/",
    "/org/530111/",  # 404: another district
    "/institutions/",
    "/api/v1/institutions/",
    "/api/v1/org-units/",
    "/api/schema/",
    "/api/docs/",
    "/healthz",
]


def test_security_headers_on_every_response(personas, login):
    anonymous = Client()
    official = login(personas.wuhua)
    seen = set()
    for client, path in [(anonymous, "/accounts/login/"), (anonymous, "/api/v1/institutions/")] + [
        (official, p) for p in PAGES
    ]:
        response = client.get(path)
        seen.add(response.status_code)
        csp = response.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp, (path, csp)
        assert "frame-ancestors 'none'" in csp, (path, csp)
        if path != "/api/docs/":
            assert "unsafe-inline" not in csp, (path, csp)
            assert "unsafe-eval" not in csp, (path, csp)
        assert response.get("X-Frame-Options") == "DENY", path
        assert response.get("X-Content-Type-Options") == "nosniff", path
    assert {200, 302, 401, 404} <= seen
