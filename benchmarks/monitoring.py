"""Benchmark: the monitoring indicators on the city-scale demo (issue 7 speed).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench python benchmarks/monitoring.py

Needs `chuncheng demo --scale city` (1,218,200 elders and, from demo/volume.py, two years of visits and meals:
at least 20 M records). Measures:
1. a full snapshot — every indicator for the city, its 14 counties and their townships, for the demo's day — run
   twice (the second finds the day's rows and replaces them), limit 5 s;
2. the dashboard page (city and a county) warm, p95 limit 300 ms, with 4 clients against gunicorn (2 workers, as in
   docs/deployment.md);
3. the big screen's data endpoint, p95 limit 200 ms, the same way.
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
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from loadgen import run  # noqa: E402

from chuncheng.core.models import OrgUnit, User  # noqa: E402
from chuncheng.demo.run import DEMO_TODAY  # noqa: E402
from chuncheng.homecare.models import Visit  # noqa: E402
from chuncheng.meals.models import MealRecord  # noqa: E402
from chuncheng.monitoring import services  # noqa: E402

PORT = 8125


def session() -> str:
    user, _created = User.objects.get_or_create(
        username="bench.monitoring",
        defaults={
            "role": "city_official",
            "org_unit": OrgUnit.objects.get(code="530100"),
            "must_change_password": False,
        },
    )
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def main() -> int:
    if connection.vendor != "postgresql":
        raise SystemExit("this benchmark needs PostgreSQL (DATABASE_URL)")
    volume = {"visits": Visit.objects.count(), "meal_records": MealRecord.objects.count()}
    if volume["visits"] + volume["meal_records"] < 20_000_000:
        sys.stderr.write(f"warning: fewer than 20 M visit and meal records ({volume})\n")
    results: dict[str, object] = {"volume": volume, "day": DEMO_TODAY.isoformat()}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as `chuncheng demo` ends: statistics of the bulk-loaded tables
    snapshots = []
    for _ in range(2):
        began = time.perf_counter()
        summary = services.take_snapshot(DEMO_TODAY)
        snapshots.append(round(time.perf_counter() - began, 2))
    results["snapshot_seconds"] = snapshots
    results["snapshot"] = {k: v for k, v in summary.items() if isinstance(v, int | float | str)}
    sys.stdout.write(f"snapshot: {snapshots} s {results['snapshot']}\n")
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session()}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "chuncheng.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "2", "--log-level", "warning"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{PORT}"
        day = DEMO_TODAY.isoformat()
        results["dashboard"] = run(
            [f"{base}/monitoring/?date={day}", f"{base}/monitoring/530102/?date={day}"],
            clients=4,
            requests=50,
            headers=cookie,
        )
        results["screen_data"] = run([f"{base}/screen/data/?date={day}"], clients=4, requests=100, headers=cookie)
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = ROOT / "benchmarks" / "results" / "monitoring-postgresql.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
