"""Benchmark: the check-in / check-out API (EVV) with 100 concurrent caregivers on 127.0.0.1 (issue 6: p95 < 100 ms).

    createdb chuncheng_bench_hc
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench_hc chuncheng init --no-demo --skip-static
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench_hc python benchmarks/homecare_checkin.py \
        --clients 100 --visits 10 --workers 4

Run it on a quiet machine (not beside other test suites): the load generator shares the cores with the server.

Setup (scratch rows, written in bulk, not through the services: what is measured is the API, not the set-up): one
provider serving 五华区 (530102), N caregivers each with a township-worker login and an API token, N elders with home
coordinates, and per caregiver ``--visits`` orders assigned for today. Then ``chuncheng serve`` (gunicorn, ``--workers``
sync workers, no huey worker) on 127.0.0.1:8124; each of N client threads, as its caregiver, does for each of its orders
``POST /api/v1/homecare/orders/<id>/check-in/`` then ``POST /api/v1/homecare/visits/<id>/check-out/`` (no code: the
server does not echo it outside DEBUG, so visits close unconfirmed — the same writes). Reported: p50/p95/p99 per call,
errors, throughput; written to benchmarks/results/homecare-checkin-<vendor>.json. The rows are left in the scratch
database (drop it afterwards).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from chuncheng.core.api_auth import issue_token  # noqa: E402
from chuncheng.core.models import OrgUnit, User  # noqa: E402
from chuncheng.elders.models import Elder  # noqa: E402
from chuncheng.elders.queries import today  # noqa: E402
from chuncheng.homecare import services  # noqa: E402
from chuncheng.homecare.models import Caregiver, Provider, ServiceOrder  # noqa: E402
from chuncheng.institutions.models import Institution, Staff  # noqa: E402

PORT = 8124
HOME = (25.040000, 102.710000)
TAG = "bench-hc"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup(clients: int, visits: int) -> list[tuple[str, list[str]]]:
    """Per caregiver: (API token, public ids of its assigned orders for today)."""
    services.load_catalogue()
    wuhua = OrgUnit.objects.get(code="530102")
    village = OrgUnit.objects.filter(code__startswith="530102", level="village").order_by("code").first()
    township = OrgUnit.objects.filter(code__startswith="530102", level="township").order_by("code").first()
    provider, _ = Provider.objects.get_or_create(
        uscc="52530102BENCHHC01X"[:18],
        defaults={"name": "压测居家服务社", "org_unit": wuhua, "areas": ["530102"]},
    )
    employer, _ = Institution.objects.get_or_create(
        uscc="52530102BENCHHC02X",
        defaults={
            "name": "压测护理员雇主",
            "org_unit": township,
            "kind": "private_nonprofit",
            "approved_beds": 1,
            "nursing_beds": 0,
        },
    )
    item = services.item_in_force("cleaning", today())
    run = int(time.time())
    elders = Elder.objects.bulk_create(
        Elder(
            id_number_enc="-",
            id_number_index=f"{TAG}-{run}-{i}",
            id_number_masked="5301**********0000",
            name=f"压测老人{i}",
            sex="female",
            birth_date=date(1945, 1, 1),
            org_unit=village,
            lat=Decimal(str(HOME[0])),
            lng=Decimal(str(HOME[1])),
        )
        for i in range(clients)
    )
    plan = []
    for i in range(clients):
        user = User.objects.create(
            username=f"{TAG}.{run}.{i}", role="township_worker", org_unit=township, must_change_password=False
        )
        staff = Staff.objects.create(
            institution=employer,
            org_unit=township,
            id_number_enc="-",
            id_number_index=f"{TAG}-{run}-{i}",
            id_number_masked="5301**********0000",
            name=f"压测护理员{i}",
            role="caregiver",
        )
        carer = Caregiver.objects.create(provider=provider, staff=staff, user=user)
        orders = ServiceOrder.objects.bulk_create(
            ServiceOrder(
                elder=elders[i],
                provider=provider,
                item=item,
                kind="cleaning",
                target_group="general",
                market_amount=item.market_price,
                elder_amount=item.market_price,
                subsidy_amount=0,
                scheduled_on=today(),
                status="assigned",
                caregiver=carer,
                created_by=user,
            )
            for _ in range(visits)
        )
        _token, key = issue_token(user, name="benchmark")
        plan.append((key, [str(o.public_id) for o in orders]))
    return plan


def drive(plan: list[tuple[str, list[str]]]) -> dict:
    timings: dict[str, list[float]] = {"check_in": [], "check_out": []}
    errors: dict[str, int] = {"check_in": 0, "check_out": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(len(plan))

    def post(conn, path: str, body: dict, token: str) -> tuple[int, dict, float]:
        data = json.dumps(body)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        start = time.perf_counter()
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        return response.status, (json.loads(payload) if payload else {}), elapsed

    def record(call: str, ok: bool, ms: float) -> None:
        with lock:
            if ok:
                timings[call].append(ms)
            else:
                errors[call] += 1

    def client(token: str, orders: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        barrier.wait()
        place = {"lat": HOME[0], "lng": HOME[1]}
        for order in orders:
            status, body, ms = post(conn, f"/api/v1/homecare/orders/{order}/check-in/", place, token)
            record("check_in", status == 201, ms)
            if status != 201:
                continue
            status, _body, ms = post(conn, f"/api/v1/homecare/visits/{body['id']}/check-out/", place, token)
            record("check_out", status == 200, ms)
        conn.close()

    threads = [threading.Thread(target=client, args=entry) for entry in plan]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    report = {"clients": len(plan), "wall_seconds": round(wall, 2)}
    for call, values in timings.items():
        report[call] = {
            "ok": len(values),
            "errors": errors[call],
            "p50_ms": round(statistics.median(values), 1) if values else None,
            "p95_ms": round(_percentile(values, 0.95), 1) if values else None,
            "p99_ms": round(_percentile(values, 0.99), 1) if values else None,
        }
    both = timings["check_in"] + timings["check_out"]
    report["all"] = {"p95_ms": round(_percentile(both, 0.95), 1) if both else None}
    report["requests_per_second"] = round(len(both) / wall, 1) if wall else None
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--visits", type=int, default=10, help="check-in + check-out pairs per client")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    args = parser.parse_args()
    plan = setup(args.clients, args.visits)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chuncheng.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--workers",
            str(args.workers),
            "--no-worker",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: gunicorn's master and workers are stopped together
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        results = {
            "database": connection.vendor,
            "gunicorn_workers": args.workers,
            "visits_per_client": args.visits,
            **drive(plan),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    out = ROOT / "benchmarks" / "results" / f"homecare-checkin-{connection.vendor}-{args.clients}-clients.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
