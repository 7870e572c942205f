"""``chuncheng homecare load-catalogue`` and ``scan-anomalies``."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from chuncheng.cli import main
from chuncheng.elders.queries import SHANGHAI
from chuncheng.homecare.models import CatalogueVersion, VisitFlag
from tests.homecare.conftest import make_visit

pytestmark = pytest.mark.django_db


def test_load_catalogue_is_idempotent(db, capsys):
    assert main(["homecare", "load-catalogue"]) == 0
    assert main(["homecare", "load-catalogue"]) == 0
    assert CatalogueVersion.objects.count() == 1
    assert '"version": 1' in capsys.readouterr().out


def test_scan_anomalies_prints_counts_and_refuses_a_bad_month(world, capsys):
    make_visit(world, start=datetime(2026, 10, 3, 9, tzinfo=SHANGHAI), minutes=3)
    capsys.readouterr()
    assert main(["homecare", "scan-anomalies", "--month", "2026-10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["flags_added"]["too_short"] == 1
    assert VisitFlag.objects.filter(rule="too_short").count() == 1
    assert main(["homecare", "scan-anomalies", "--month", "2026-13"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "bad_month"


def test_add_caregiver_links_a_login(world, personas, capsys):
    from chuncheng.homecare.models import Caregiver
    from tests.conftest import make_user
    from tests.homecare.conftest import hire

    staff = hire(personas.wuhua_home, "钱护理", 51, personas.city)
    login = make_user("carer2", "township_worker", org="530102001")
    args = ["homecare", "add-caregiver", "--provider", world.provider.uscc, "--staff", str(staff.public_id)]
    assert main([*args, "--login", "carer2", "--user", "community"]) == 2  # a community worker may not
    assert json.loads(capsys.readouterr().out)["code"] == "permission_denied"
    assert main([*args, "--login", "carer2", "--user", "wuhua"]) == 0
    assert Caregiver.objects.get(staff=staff).user == login
    assert main([*args, "--user", "wuhua"]) == 2  # the same staff member twice
    assert main([*args[:-1], "00000000-0000-0000-0000-000000000000", "--user", "wuhua"]) == 2


def test_add_caregiver_to_another_countys_provider_is_refused(world, personas, capsys):
    from tests.homecare.conftest import hire

    staff = hire(personas.wuhua_home, "孙护理", 52, personas.city)
    args = ["homecare", "add-caregiver", "--provider", world.provider.uscc, "--staff", str(staff.public_id)]
    assert main([*args, "--user", "guandu"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "bad_area"
