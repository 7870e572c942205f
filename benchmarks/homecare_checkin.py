"""Benchmark: the check-in / check-out API (EVV) with 100 concurrent caregivers on 127.0.0.1 (issue 6: p95 < 100 ms).

    createdb chuncheng_bench_hc
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench_hc chuncheng init --no-demo --skip-static
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench_hc python benchmarks/homecare_checkin.py \
        --clients 100 --visits 10 --workers 4

    # the same clients with a pause between calls (an open-ish load instead of a closed loop), 2 threads a worker:
    ... python benchmarks/homecare_checkin.py --clients 100 --visits 10 --workers 4 --threads 2 --pause-ms 1000

Run it on a quiet machine (not beside other test suites): the load generator shares the cores with the server.

Setup (scratch rows, written in bulk, not through the services: what is measured is the API, not the set-up): one
provider serving 五华区 (530102), N caregivers each with a township-worker login and an API token, N elders with home
coordinates, and per caregiver ``--visits`` orders assigned for today. Then ``chuncheng serve`` (gunicorn, ``--workers``
sync workers, or ``--threads`` threads each, no huey worker) on 127.0.0.1:8124. One spare caregiver first warms every
worker up (its calls are not counted). Then each of N client threads, as its caregiver, does for each of its orders
``POST /api/v1/homecare/orders/<id>/check-in/`` then ``POST /api/v1/homecare/visits/<id>/check-out/`` (no code: the
server does not echo it outside DEBUG, so visits close unconfirmed — the same writes), back to back (a closed loop: 100
clients always have 100 calls in flight), or with ``--pause-ms`` of think time (0.5–1.5 × the mean) after each call.

Reported per call: client-side p50/p95/p99 (what a caregiver's phone would see, queueing included), server-side p50/p95
(gunicorn's own request time, ``%(D)s`` in its access log: from the worker reading the request to the response written;
it leaves out the wait in the listen queue), errors and throughput; and where the CPU went, per request: the gunicorn
processes, the PostgreSQL backends serving them and the load generator itself (from /proc, so Linux only). Written to
benchmarks/results/homecare-checkin-<vendor>-<clients>-clients[-suffix].json. The rows are left in the scratch database
(drop it afterwards).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
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


def _post(conn, path: str, body: dict, token: str) -> tuple[int, dict, float]:
    data = json.dumps(body)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    start = time.perf_counter()
    conn.request("POST", path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    return response.status, (json.loads(payload) if payload else {}), elapsed


def warm_up(spares: list[tuple[str, list[str]]]) -> None:
    """Two pairs each of the spare caregivers, at once, so that every worker (thread) has loaded its code and opened
    its database connection before anything is measured."""

    def pairs(token: str, orders: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        place = {"lat": HOME[0], "lng": HOME[1]}
        for order in orders[:2]:
            status, body, _ms = _post(conn, f"/api/v1/homecare/orders/{order}/check-in/", place, token)
            if status == 201:
                _post(conn, f"/api/v1/homecare/visits/{body['id']}/check-out/", place, token)
        conn.close()

    threads = [threading.Thread(target=pairs, args=spare) for spare in spares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc); a process gone since counts as 0."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def _group(pgid: int) -> list[int]:
    """The processes of a process group (the ``chuncheng serve`` process, gunicorn's master and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _backends() -> list[int]:
    """PostgreSQL backends connected to this database, other than this script's own."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _server_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Per call, gunicorn's request time in ms, from access-log lines ``<path> <status> <microseconds>`` after
    ``offset`` (the warm-up's lines come before it)."""
    found: dict[str, list[float]] = {"check_in": [], "check_out": []}
    with log.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[2].isdigit():
            continue
        call = (
            "check_in" if parts[0].endswith("/check-in/") else "check_out" if parts[0].endswith("/check-out/") else ""
        )
        if call:
            found[call].append(int(parts[2]) / 1000)
    return found


def drive(plan: list[tuple[str, list[str]]], pause_ms: float = 0.0) -> dict:
    timings: dict[str, list[float]] = {"check_in": [], "check_out": []}
    errors: dict[str, int] = {"check_in": 0, "check_out": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(len(plan))
    post = _post

    def record(call: str, ok: bool, ms: float) -> None:
        with lock:
            if ok:
                timings[call].append(ms)
            else:
                errors[call] += 1

    def pause(rng: random.Random, spread: tuple[float, float]) -> None:
        if pause_ms:
            time.sleep(rng.uniform(*spread) * pause_ms / 1000)

    def client(token: str, orders: list[str]) -> None:
        rng = random.Random(token)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        barrier.wait()
        pause(rng, (0.0, 1.0))  # with think time, clients do not all start at the same instant
        place = {"lat": HOME[0], "lng": HOME[1]}
        for order in orders:
            status, body, ms = post(conn, f"/api/v1/homecare/orders/{order}/check-in/", place, token)
            record("check_in", status == 201, ms)
            if status != 201:
                continue
            pause(rng, (0.5, 1.5))
            status, _body, ms = post(conn, f"/api/v1/homecare/visits/{body['id']}/check-out/", place, token)
            record("check_out", status == 200, ms)
            pause(rng, (0.5, 1.5))
        conn.close()

    threads = [threading.Thread(target=client, args=entry) for entry in plan]
    started = time.perf_counter()
    cpu_started = resource.getrusage(resource.RUSAGE_SELF)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu_ended = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (cpu_ended.ru_utime - cpu_started.ru_utime) + (cpu_ended.ru_stime - cpu_started.ru_stime)
    report = {"clients": len(plan), "pause_ms": pause_ms, "wall_seconds": round(wall, 2), "client_cpu_s": client_cpu}
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
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (> 1: gthread workers)")
    parser.add_argument("--pause-ms", type=float, default=0.0, help="mean think time after each call (0: closed loop)")
    parser.add_argument("--suffix", default="", help="appended to the results file name")
    args = parser.parse_args()
    plan = setup(args.clients + args.workers * args.threads, args.visits)
    spares, plan = plan[args.clients :], plan[: args.clients]
    logdir = Path(tempfile.mkdtemp(prefix="homecare-checkin-"))
    access_log = logdir / "access.log"
    # Read by gunicorn under the command line ``chuncheng serve`` builds (which sets the access log to stdout).
    gunicorn_args = f"--threads {args.threads} --access-logformat '%(U)s %(s)s %(D)s'"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GUNICORN_CMD_ARGS": gunicorn_args}
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
        stdout=access_log.open("w"),
        start_new_session=True,  # its own process group: gunicorn's master and workers are stopped together
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        warm_up(spares)
        time.sleep(0.5)
        offset = access_log.stat().st_size
        processes, backends = _group(server.pid), _backends()
        server_cpu, db_cpu = _cpu_seconds(processes), _cpu_seconds(backends)
        with open("/proc/loadavg") as fh:
            load_before = fh.read().split()[0]
        report = drive(plan, args.pause_ms)
        # A backend opened during the run (a worker's first connection, or any with CONN_MAX_AGE=0 that is still
        # open) counts whole; one opened and closed within the run is missed (see the count reported below).
        new_backends = sorted(set(_backends()) - set(backends))
        server_cpu = _cpu_seconds(processes) - server_cpu
        db_cpu = _cpu_seconds(backends) - db_cpu + _cpu_seconds(new_backends)
        results = {
            "database": connection.vendor,
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.threads,
            "conn_max_age": connection.settings_dict.get("CONN_MAX_AGE"),
            "visits_per_client": args.visits,
            "load_average_before": float(load_before),
            **report,
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    requests = results["check_in"]["ok"] + results["check_out"]["ok"]
    served = _server_times(access_log, offset)
    for call, values in served.items():
        results[call]["server_p50_ms"] = round(statistics.median(values), 1) if values else None
        results[call]["server_p95_ms"] = round(_percentile(values, 0.95), 1) if values else None
    both = served["check_in"] + served["check_out"]
    results["all"]["server_p95_ms"] = round(_percentile(both, 0.95), 1) if both else None
    results["cpu_ms_per_request"] = {
        "gunicorn": round(server_cpu * 1000 / requests, 1) if requests else None,
        "postgresql": round(db_cpu * 1000 / requests, 1) if requests else None,
        "load_generator": round(results.pop("client_cpu_s") * 1000 / requests, 1) if requests else None,
        "postgresql_connections_opened_during_run": len(new_backends),
    }
    results["cpu_seconds_available"] = round(results["wall_seconds"] * (os.cpu_count() or 1), 1)
    suffix = f"-{args.suffix}" if args.suffix else ""
    name = f"homecare-checkin-{connection.vendor}-{args.clients}-clients{suffix}.json"
    out = ROOT / "benchmarks" / "results" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
