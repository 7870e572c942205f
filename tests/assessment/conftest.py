"""Assessment fixtures: a 五华区 agency with three assessors (two to fill, one to review), a 官渡区 agency with one,
and the elders of tests/elders (王秀英 in 五华区, 张桂兰 in 官渡区)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import make_user
from tests.elders.conftest import registry, villages  # noqa: F401  (fixtures reused)


@dataclass
class Agencies:
    wuhua: object
    guandu: object
    a1: object  # 五华区 agency, fills
    a2: object  # 五华区 agency, fills
    a3: object  # 五华区 agency, reviews
    g1: object  # 官渡区 agency
    g2: object  # 官渡区 agency


@pytest.fixture
def agencies(personas, org_tree) -> Agencies:
    from chuncheng.assessment import services

    wuhua_county, guandu_county = org_tree.get(code="530102"), org_tree.get(code="530111")
    wuhua = services.register_agency("五华康评评估中心", wuhua_county, [wuhua_county], actor=personas.wuhua)
    guandu = services.register_agency("官渡评估所", guandu_county, [guandu_county], actor=personas.guandu)

    def assessor(agency, username, county, cert, actor):
        user = make_user(username, "assessor", org=county)
        return services.register_assessor(
            agency, {"name": username, "qualification": "nurse", "certificate_no": cert}, actor=actor, user=user
        )

    return Agencies(
        wuhua,
        guandu,
        assessor(wuhua, "pg_a1", "530102", "C-001", personas.wuhua),
        assessor(wuhua, "pg_a2", "530102", "C-002", personas.wuhua),
        assessor(wuhua, "pg_a3", "530102", "C-003", personas.wuhua),
        assessor(guandu, "pg_g1", "530111", "C-101", personas.guandu),
        assessor(guandu, "pg_g2", "530111", "C-102", personas.guandu),
    )


@pytest.fixture
def assigned(personas, registry, agencies):  # noqa: F811
    """王秀英's assessment, requested by the community worker and assigned to the 五华区 agency (a1 + a2)."""
    from chuncheng.assessment import services

    assessment = services.request_assessment(registry.wuhua, actor=personas.community)
    return services.assign(assessment, agencies.wuhua, [agencies.a1, agencies.a2], actor=personas.wuhua)


@pytest.fixture
def submitted(assigned, agencies):
    from chuncheng.assessment import services
    from tests.assessment.helpers import answers_totalling

    services.save_answers(assigned, answers_totalling(50), actor=agencies.a1.user)
    return services.submit(assigned, actor=agencies.a2.user)
