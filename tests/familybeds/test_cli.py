"""``chuncheng familybeds compliance --month YYYY-MM [--org CODE]``."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from chuncheng.cli import main
from chuncheng.elders.queries import SHANGHAI
from tests.familybeds.conftest import make_visit, setup

pytestmark = pytest.mark.django_db


def test_compliance_prints_a_line_per_bed_and_a_summary(beds_world, personas, capsys):
    bed = setup(
        beds_world.elder, personas.community, beds_world.provider, plan=[{"kind": "cleaning", "visits_per_month": 1}]
    )
    setup(beds_world.guandu_elder, personas.guandu, beds_world.guandu_provider)
    make_visit(beds_world, start=datetime(2026, 10, 2, 9, tzinfo=SHANGHAI), minutes=60)
    capsys.readouterr()
    assert main(["familybeds", "compliance", "--month", "2026-10", "--org", "530102"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {
        "bed": str(bed.public_id),
        "org_unit": beds_world.elder.org_unit.code,
        "planned": 1,
        "verified": 1,
        "rate": "1.00",
        "status": "compliant",
    }
    assert lines[1] == {"month": "2026-10", "org": "530102", "beds": 1, "short": 0}
    assert main(["familybeds", "compliance", "--month", "2026-10"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["beds"] == 2
    assert main(["familybeds", "compliance", "--month", "2026/10"]) == 2
    assert json.loads(capsys.readouterr().out)["code"] == "bad_month"
