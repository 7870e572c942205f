"""Family-bed fixtures: the home-care world (providers, caregivers, elders of 五华区 and 官渡区) with capability levels
set — the 五华 elder severely disabled, the 官渡 elder moderately, the plain elder mildly (not eligible) — plus a
helper to set up a bed through the service."""

from __future__ import annotations

from datetime import date

import pytest

from tests.elders.conftest import villages  # noqa: F401  (fixture)
from tests.homecare.conftest import catalogue, make_visit, register, world  # noqa: F401  (fixtures)

__all__ = ["make_visit", "register", "setup"]


@pytest.fixture
def beds_world(world):  # noqa: F811
    from chuncheng.elders.models import Elder

    for elder, level in ((world.elder, "severe"), (world.guandu_elder, "moderate"), (world.plain, "mild")):
        Elder.objects.filter(pk=elder.pk).update(capability_level=level)
        elder.refresh_from_db()
    return world


def setup(elder, actor, contractor, *, start=date(2026, 9, 1), plan=None):
    """A bed set up by the service; ``contractor`` is a provider or an institution."""
    from chuncheng.familybeds import services
    from chuncheng.institutions.models import Institution

    key = "institution" if isinstance(contractor, Institution) else "provider"
    return services.setup_bed(elder, start_date=start, plan=plan, actor=actor, **{key: contractor})
