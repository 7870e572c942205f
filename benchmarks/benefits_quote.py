"""Time ``chuncheng benefits quote`` in-process: the target is under 50 ms per call (the issue's speed limit).

Run: ``python benchmarks/benefits_quote.py [N]`` after ``chuncheng init`` (or ``chuncheng benefits load-policy``).
Prints the median and 95th-percentile time per quote (programme lookup, version in force, rule) for B1, B2 and 高龄津贴.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date


def main(n: int = 200) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")
    import django

    django.setup()
    from chuncheng.benefits import services
    from chuncheng.benefits.policy import load_policy

    load_policy()
    cases = [
        (
            "B1_bed_construction",
            {
                "kind": "private_nonprofit",
                "property": "leased",
                "lease_years": 8,
                "approved_beds": 120,
                "occupancy": 64.5,
                "nursing_type": True,
                "nursing_occupancy": 71,
                "paid_beds": 20,
            },
        ),
        ("B2_operating", {"kind": "private_forprofit", "residents_by_level": {"mild": 30, "severe": 12}, "months": 3}),
        ("P1_longevity_allowance", {"county": "530111", "age": 93, "months": 12}),
    ]
    report = {}
    for code, facts in cases:
        timings = []
        for _ in range(n):
            started = time.perf_counter()
            services.quote(code, facts, date(2023, 6, 30))
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        report[code] = {
            "median_ms": round(statistics.median(timings), 3),
            "p95_ms": round(timings[int(n * 0.95) - 1], 3),
        }
    sys.stdout.write(json.dumps({"calls": n, "limit_ms": 50, "results": report}, ensure_ascii=False, indent=1) + "\n")
    return 0 if all(r["p95_ms"] < 50 for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
