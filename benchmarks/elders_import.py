"""Benchmark: import of the city-scale elders file against a raw COPY of the same rows into the same table.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/chuncheng_bench python benchmarks/elders_import.py [--rows N]

Steps, in one run on one database (org tree loaded, elders table empty):
1. write an elders CSV of N rows (data-exchange.md format; synthetic IDs with the fake 5399xx prefix), untimed;
2. turn the same rows into the table's own columns (encrypted ID and phone, blind index, masks) in a COPY file,
   untimed, then time ``COPY elders_elder FROM STDIN`` of that file into the table with all its indexes, and empty
   the table again;
3. time ``chuncheng import elders FILE`` in a child process (parse, validate every row, encrypt, write) and read
   the child's peak memory.
Prints and stores JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from chuncheng.core.cipher import blind_index, get_cipher, get_key_provider  # noqa: E402
from chuncheng.core.masking import mask_id_number, mask_phone  # noqa: E402
from chuncheng.core.models import OrgUnit  # noqa: E402
from chuncheng.core.validators import parse_id_number  # noqa: E402
from chuncheng.demo.city import CATEGORY_RATES, _person_name, fake_id_number  # noqa: E402
from chuncheng.elders.models import Elder  # noqa: E402

CATEGORIES = list(CATEGORY_RATES)


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    villages = list(OrgUnit.objects.filter(level="village", code__startswith="5301").values_list("code", flat=True))
    today = date(2026, 11, 1)
    used: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["id_number", "name", "org_unit_code", "hukou_local", "categories", "capability_level", "phone", "address"]
        )
        for _ in range(rows):
            birth = today - timedelta(days=rng.randrange(61 * 365, 100 * 365))
            idn = fake_id_number(rng, rng.randrange(1, 15), birth, rng.random() < 0.53)
            while idn in used:
                idn = fake_id_number(rng, rng.randrange(1, 15), birth, rng.random() < 0.53)
            used.add(idn)
            cats = ";".join(c for c in CATEGORIES if rng.random() < CATEGORY_RATES[c])
            writer.writerow(
                [
                    idn,
                    _person_name(rng),
                    rng.choice(villages),
                    rng.choice(["1", "1", "0"]),
                    cats,
                    rng.choice(["intact", "intact", "mild", "moderate", "severe", ""]),
                    f"13{rng.randrange(100000000, 999999999)}",
                    "演示路1号",
                ]
            )


def copy_file_for(csv_path: Path, out: Path) -> list[str]:
    """The table rows for the CSV's rows, in COPY text format (what any loader must end up writing)."""
    cipher, provider = get_cipher(), get_key_provider()
    org_ids = dict(OrgUnit.objects.values_list("code", "id"))
    now = timezone.now().isoformat()
    columns = [
        "public_id",
        "id_number_enc",
        "id_number_index",
        "id_number_masked",
        "name",
        "sex",
        "birth_date",
        "org_unit_id",
        "hukou_local",
        *CATEGORIES,
        "capability_level",
        "phone_enc",
        "phone_masked",
        "address",
        "status",
        "created_at",
        "updated_at",
    ]
    with csv_path.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        for row in reader:
            pid = str(uuid.uuid4())
            info = parse_id_number(row["id_number"])
            cats = set(row["categories"].split(";")) if row["categories"] else set()
            values = [
                pid,
                cipher.encrypt(row["id_number"], table="elders_elder", column="id_number_enc", row=pid),
                blind_index(row["id_number"], purpose="id_number", provider=provider),
                mask_id_number(row["id_number"]),
                row["name"],
                info.sex,
                info.birth_date.isoformat(),
                str(org_ids[row["org_unit_code"]]),
                "t" if row["hukou_local"] == "1" else "f",
                *("t" if c in cats else "f" for c in CATEGORIES),
                row["capability_level"],
                cipher.encrypt(row["phone"], table="elders_elder", column="phone_enc", row=pid),
                mask_phone(row["phone"]),
                row["address"],
                "active",
                now,
                now,
            ]
            dst.write("\t".join(values) + "\n")
    return columns


def timed_copy(copy_path: Path, columns: list[str]) -> float:
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with (
            cursor.cursor.copy(f"COPY elders_elder ({', '.join(columns)}) FROM STDIN") as copy,
            copy_path.open("rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        count = Elder.objects.count()
        cursor.execute("DELETE FROM elders_elder")
    return elapsed, count


def timed_import(csv_path: Path) -> tuple[float, int, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "chuncheng.cli", "import", "elders", str(csv_path), "--no-size-limit"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(proc.stdout[-2000:] + proc.stderr[-2000:])
    report = json.loads(proc.stdout)
    return elapsed, max(peak_kb, before), report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_218_200)
    parser.add_argument("--workdir", default=str(ROOT / "var" / "bench"))
    args = parser.parse_args()
    if connection.vendor == "postgresql" and Elder.objects.exists():
        raise SystemExit("the elders table must be empty: use a dedicated benchmark database")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    csv_path, copy_path = work / f"elders-{args.rows}.csv", work / f"elders-{args.rows}.copy"
    if not csv_path.exists():
        write_csv(csv_path, args.rows)
    result = {"rows": args.rows, "database": connection.vendor, "date": timezone.localdate().isoformat()}
    if connection.vendor == "postgresql":
        columns = copy_file_for(csv_path, copy_path)
        copy_seconds, copied = timed_copy(copy_path, columns)
        assert copied == args.rows, copied
        result["copy_seconds"] = round(copy_seconds, 1)
    import_seconds, peak_kb, report = timed_import(csv_path)
    assert report["created"] == args.rows, report
    result["import_seconds"] = round(import_seconds, 1)
    result["import_peak_mb"] = round(peak_kb / 1024)
    if "copy_seconds" in result:
        result["ratio_import_to_copy"] = round(import_seconds / copy_seconds, 2)
    again_seconds, _peak, again = timed_import(csv_path)
    result["reimport_seconds"] = round(again_seconds, 1)
    result["reimport_created_updated"] = [again["created"], again["updated"]]
    out = ROOT / "benchmarks" / "results" / f"elders-import-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    sys.stdout.write(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
