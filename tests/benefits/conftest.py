"""Benefits fixtures: the policy pack loaded into the test database."""

from __future__ import annotations

import pytest

from tests.elders.conftest import registry, villages  # noqa: F401  (fixtures reused)


@pytest.fixture
def policy(db):
    from chuncheng.benefits.policy import load_policy

    load_policy()
