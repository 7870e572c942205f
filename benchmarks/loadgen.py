"""A small, bounded HTTP load generator for 127.0.0.1: N concurrent clients, each sending a fixed number of requests.

    python benchmarks/loadgen.py --clients 16 --requests 50 --header "Authorization: Token …" URL [URL …]

Prints JSON with the count, errors and the p50/p95/p99 latency in milliseconds per URL. Only loopback targets are
allowed (this is a benchmark of our own server on this machine).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(urls: list[str], clients: int, requests: int, headers: dict[str, str], warmup: int = 3) -> dict:
    for url in urls:
        host = urlsplit(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing non-loopback target {url}")
    timings: dict[str, list[float]] = {u: [] for u in urls}
    errors: dict[str, int] = {u: 0 for u in urls}
    lock = threading.Lock()

    def worker(index: int) -> None:
        parts = urlsplit(urls[0])
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        for i in range(warmup + requests):
            url = urls[(index + i) % len(urls)]
            p = urlsplit(url)
            path = p.path + (f"?{p.query}" if p.query else "")
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
            elapsed = (time.perf_counter() - start) * 1000
            if i >= warmup:
                with lock:
                    if ok:
                        timings[url].append(elapsed)
                    else:
                        errors[url] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    report = {"clients": clients, "wall_seconds": round(wall, 2), "urls": {}}
    for url, values in timings.items():
        report["urls"][url] = {
            "ok": len(values),
            "errors": errors[url],
            "p50_ms": round(statistics.median(values), 1) if values else None,
            "p95_ms": round(_percentile(values, 0.95), 1) if values else None,
            "p99_ms": round(_percentile(values, 0.99), 1) if values else None,
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=50, help="per client, after 3 warm-up requests")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    sys.stdout.write(
        json.dumps(run(args.urls, args.clients, args.requests, headers), ensure_ascii=False, indent=1) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
