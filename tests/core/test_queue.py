"""The job queue: huey on its embedded SQLite storage by default, on Redis when REDIS_URL is set."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from chuncheng.core.models import AuditEntry, User
from chuncheng.core.tasks import deactivate_dormant_accounts, nightly_account_review

pytestmark = pytest.mark.django_db


def test_default_queue_is_sqlite_and_a_task_round_trips(personas, monkeypatch):
    import huey.contrib.djhuey as djhuey
    from huey import SqliteHuey
    from huey.contrib.djhuey import HUEY

    # djhuey closes "old" database connections around a task; inside the test's transaction that would close the
    # test connection itself (a real worker runs in autocommit and is unaffected).
    monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
    assert isinstance(HUEY, SqliteHuey)
    HUEY.flush()
    User.objects.filter(pk=personas.huashan.pk).update(last_login=timezone.now() - timedelta(days=91))
    nightly_account_review()  # enqueues into the SQLite storage
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    assert HUEY.execute(task) == 1
    personas.huashan.refresh_from_db()
    assert personas.huashan.is_active is False


def test_dormant_accounts_are_disabled_after_90_days(personas):
    now = timezone.now()
    User.objects.update(last_login=now)
    with time_machine.travel(now + timedelta(days=89)):
        assert deactivate_dormant_accounts() == 0
    with time_machine.travel(now + timedelta(days=91)):
        assert deactivate_dormant_accounts() == User.objects.count()
    entry = AuditEntry.objects.filter(action="bulk_update", model="core.user").latest("id")
    assert entry.changes["reason"] == "dormant_90_days"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_redis_url_switches_the_queue_to_redis(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='chuncheng.settings'; django.setup();"
        "from huey.contrib.djhuey import HUEY; print(type(HUEY).__name__);"
        "up = os.environ['CHECK_ROUND_TRIP'] == '1'\n"
        "if up:\n"
        "    HUEY.storage.flush_queue(); HUEY.storage.enqueue(b'ping'); print(HUEY.storage.dequeue().decode())"
    )
    up = _redis_up()
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "CHUNCHENG_VAR_DIR": str(tmp_path),
        "CHECK_ROUND_TRIP": "1" if up else "0",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "RedisHuey"
    if up:
        assert out[1] == "ping"
