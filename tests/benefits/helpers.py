"""Facts and parameters for the pure rule tests, read from the real policy pack."""

from __future__ import annotations

from typing import Any

from chuncheng.benefits.policy import read_pack
from chuncheng.benefits.rules import parameter_values


def params(code: str, label: str) -> dict[str, Any]:
    spec = next(p for p in read_pack() if p["code"] == code)
    version = next(v for v in spec["versions"] if v["label"] == label)
    return parameter_values(version["parameters"])


def b1_facts(**overrides) -> dict[str, Any]:
    facts = {
        "kind": "private_nonprofit",
        "property": "owned",
        "approved_beds": 100,
        "occupancy": 45,
        "nursing_type": False,
        "paid_beds": 0,
    }
    facts.update(overrides)
    return facts
