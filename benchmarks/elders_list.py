"""Benchmark: the elder list page and API, filtered by county and searched by name, on the city-scale demo.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench python benchmarks/elders_list.py

Needs a database with `chuncheng demo --scale city` (1,218,200 elders). Starts gunicorn (2 sync workers, as in
docs/deployment.md) on 127.0.0.1:8123 against it, warms up, then runs benchmarks/loadgen.py with a bounded number of
requests and reports p50/p95/p99 per URL. A benchmark account (city official) is created with a token and a session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from loadgen import run  # noqa: E402

from chuncheng.core.api_auth import issue_token  # noqa: E402
from chuncheng.core.models import OrgUnit, User  # noqa: E402
from chuncheng.elders.models import Elder  # noqa: E402

PORT = 8123


def account() -> tuple[str, str]:
    user, _created = User.objects.get_or_create(
        username="bench.city",
        defaults={
            "role": "city_official",
            "org_unit": OrgUnit.objects.get(code="530100"),
            "must_change_password": False,
        },
    )
    _token, key = issue_token(user, name="benchmark")
    client = Client()
    client.force_login(user)
    return key, client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    count = Elder.objects.count()
    if count < 1_000_000:
        raise SystemExit(f"needs the city-scale demo (found {count} elders)")
    surname = Elder.objects.filter(org_unit__code__startswith="530102").values_list("name", flat=True).first()[:1]
    full_name = Elder.objects.filter(org_unit__code__startswith="530111").values_list("name", flat=True).first()
    token, session = account()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "chuncheng.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{PORT}"
        from urllib.parse import quote

        api = [
            f"{base}/api/v1/elders/?org=530102",
            f"{base}/api/v1/elders/?q={quote(full_name)}",
            f"{base}/api/v1/elders/?org=530111&q={quote(surname)}",
        ]
        pages = [f"{base}/elders/?org=530102", f"{base}/elders/?q={quote(full_name)}"]
        results = {
            "elders": Elder.objects.count(),
            "clients": args.clients,
            "api_token": run(api, clients=args.clients, requests=60, headers={"Authorization": f"Token {token}"}),
            "pages_session": run(
                pages, clients=4, requests=60, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = ROOT / "benchmarks" / "results" / f"elders-list-postgresql-{args.clients}-clients.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
