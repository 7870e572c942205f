"""The dashboard per area: indicators grouped by theme, the child areas ranked by one indicator (numbers by hand),
drill-down links, scope."""

from __future__ import annotations

import re

import pytest

from chuncheng.monitoring import queries
from tests.monitoring.conftest import DAY

pytestmark = pytest.mark.django_db


def test_ranking_of_townships_by_nursing_share(personas, wuhua, catalogue):
    from chuncheng.core.models import OrgUnit

    # 华山街道 (530102001): 甲院 60 of 100 + 华山颐养院 (personas) 50 of 100 → 110/200 = 55%.
    # 530102002: 乙院 10 of 50 = 20%. 丁院 (530102003) opens in 2026: no beds yet → no value, ranked last.
    ind, rows = queries.ranking(OrgUnit.objects.get(code="530102"), DAY, "nursing_bed_share")
    assert ind.key == "nursing_bed_share"
    ranked = [(r.rank, r.unit.code, r.value) for r in rows if r.value is not None]
    assert [(rank, code, float(v)) for rank, code, v in ranked] == [(1, "530102001", 55.0), (2, "530102002", 20.0)]
    assert len(rows) == 11 and all(r.rank is None and r.value is None for r in rows[2:])
    # P ≥55%: 55 attained; 20 with no history falls short by more than 10% → off track.
    assert {t.code: t.status for t in rows[0].targets}["P"] == "attained"
    assert {t.code: t.status for t in rows[1].targets}["P"] == "off_track"


def test_ranking_reads_stored_snapshots_first(personas, wuhua, catalogue):
    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring import services

    services.take_snapshot(DAY)
    a, _b = wuhua
    a.nursing_beds = 100  # a later change does not alter the day's stored ranking
    a.save()
    _ind, rows = queries.ranking(OrgUnit.objects.get(code="530100"), DAY, "nursing_bed_share")
    # 官渡区: 关上康养中心 (personas) 50 of 100 = 50%, first; 五华区 (70 + 50) / (150 + 100) = 48%, second.
    assert [(r.rank, r.unit.code, float(r.value)) for r in rows[:2]] == [(1, "530111", 50.0), (2, "530102", 48.0)]
    assert len(rows) == 14 and rows[2].value is None  # no other county has beds


def test_dashboard_page_groups_ranks_and_drills_down(personas, login, wuhua, catalogue):
    city = login(personas.city)
    body = city.get("/monitoring/?date=2025-06-30").content.decode()
    assert 'data-testid="ranking"' in body and body.count('data-testid="theme"') == 2  # eldercare, childcare
    ranking = body.split('data-testid="ranking"')[1].split("</section>")[0]
    assert re.search(r'data-code="530102"><td>2</td>.*?href="/monitoring/530102/\?date=2025-06-30', ranking, re.S)
    assert "48.00" in ranking
    beds = city.get("/monitoring/?date=2025-06-30&rank=beds_per_1000_elders").content.decode()
    assert "25.00" in beds.split('data-testid="ranking"')[1].split("</section>")[0]  # (150 + 100) ×1000 / 10,000
    # The county official drills down to a township; the township has no children, so no ranking.
    county = login(personas.wuhua)
    assert 'data-code="530102001"' in county.get("/monitoring/?date=2025-06-30").content.decode()
    township = county.get("/monitoring/530102001/?date=2025-06-30").content.decode()
    assert 'data-testid="ranking"' not in township and 'href="/monitoring/530102/?date=2025-06-30"' in township
    assert county.get("/monitoring/530111/?rank=nursing_bed_share").status_code == 404
    # An unknown key ranks nothing, never an error.
    assert city.get("/monitoring/?rank=nope").status_code == 200
