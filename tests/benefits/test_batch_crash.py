"""Crash consistency (security-checklist G2): a batch SIGKILLed after chunk k, then rerun, equals a clean run (高龄津贴
and the capability-level allowance P3, both compiled to one INSERT … SELECT per chunk).

Runs real processes on a throwaway SQLite file (``CHUNCHENG_VAR_DIR``): setup, a copy for the clean run, the killed
run (test hook ``CHUNCHENG_TEST_KILL_AFTER_CHUNK``), the rerun, and the clean run on the copy.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

SETUP = """
from datetime import date, timedelta
from chuncheng.cli import _setup_django, load_reference_org_units
_setup_django()
from django.core.management import call_command
call_command("migrate", verbosity=0)
load_reference_org_units()
from chuncheng.benefits.policy import load_policy
load_policy()
from chuncheng.core.models import OrgUnit
from tests.benefits.batch_helpers import add_elders
villages = list(OrgUnit.objects.filter(level="village", code__startswith="5301").order_by("code")[:40])
births = [date(1920, 1, 1) + timedelta(days=37 * i) for i in range(900)]
for i, village in enumerate(villages):
    add_elders(village, births[i::len(villages)], f"v{i}")
from chuncheng.elders.models import Elder
elders = list(Elder.objects.order_by("pk"))
levels = ["", "intact", "mild", "moderate", "severe", "total"]
for n, elder in enumerate(elders):
    elder.dibao = n % 3 != 0
    elder.capability_level = levels[(n // 3) % 6]
Elder.objects.bulk_update(elders, ["dibao", "capability_level"])
"""


def _env(var_dir, **extra):
    env = {**os.environ, "CHUNCHENG_VAR_DIR": str(var_dir), "CHUNCHENG_BATCH_CHUNK": "100", **extra}
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join([os.getcwd(), env.get("PYTHONPATH", "")])
    return env


def _run(var_dir, code, **extra):
    return subprocess.run(
        [sys.executable, "-m", "chuncheng.cli", "benefits", "run", code, "--period", "2023-06"],
        env=_env(var_dir, **extra),
        capture_output=True,
        text=True,
    )


def _rows(var_dir):
    with sqlite3.connect(var_dir / "chuncheng.sqlite3") as db:
        rows = db.execute(
            "SELECT beneficiary_id, CAST(amount AS TEXT), CAST(county_share AS TEXT), org_unit_id, breakdown, reasons "
            "FROM benefits_entitlement ORDER BY 1"
        ).fetchall()
        batch = db.execute("SELECT status, created_count, chunks FROM benefits_paymentbatch").fetchall()
    return rows, batch


@pytest.mark.parametrize("code", ["P1_longevity_allowance", "P3_disability_care_subsidy"])
def test_killed_batch_resumes_to_the_same_result_as_a_clean_run(tmp_path, code):
    crash, clean = tmp_path / "crash", tmp_path / "clean"
    crash.mkdir()
    subprocess.run([sys.executable, "-c", SETUP], env=_env(crash), check=True, capture_output=True, text=True)
    shutil.copytree(crash, clean)

    killed = _run(crash, code, CHUNCHENG_TEST_KILL_AFTER_CHUNK="3")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    partial, batch = _rows(crash)
    assert batch[0][0] == "running" and batch[0][2] == 3
    assert len(partial) > 0

    resumed = _run(crash, code)
    assert resumed.returncode == 0, resumed.stderr
    again = _run(crash, code)  # nothing to do
    assert again.returncode == 0, again.stderr

    done = _run(clean, code)
    assert done.returncode == 0, done.stderr
    crash_rows, crash_batch = _rows(crash)
    clean_rows, clean_batch = _rows(clean)
    assert crash_rows == clean_rows
    assert len(clean_rows) > 100
    assert crash_batch[0][:2] == clean_batch[0][:2] == ("computed", len(clean_rows))
