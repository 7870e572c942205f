"""B7 (kunming-policy.md §4; 000 §八, §二十三; 003 §三(八)): an institution on the black list, or ordered to exit,
receives no subsidy.

This module is the interface between benefits and supervision. The supervision module owns the sanction list and
registers a provider with ``register_provider``; every eligibility check asks ``is_sanctioned``. With no provider
registered the answer is "not sanctioned" with the note "no sanction list loaded", and that note is shown in the
reasons, so nobody mistakes an empty list for a clean record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

# A provider answers (sanctioned, note in Chinese) for an institution on a date.
Provider = Callable[[Any, date], tuple[bool, str]]

NO_LIST_NOTE = "未载入失信黑名单/责令退出名单（no sanction list loaded）"

_providers: list[Provider] = []


def register_provider(provider: Provider) -> None:
    """Called by the supervision module at start-up (``AppConfig.ready``)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_provider(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def is_sanctioned(institution: Any, on: date) -> tuple[bool, str]:
    """Whether the institution is on the black list or ordered to exit on ``on``, and why (Chinese)."""
    if not _providers:
        return False, NO_LIST_NOTE
    for provider in _providers:
        sanctioned, note = provider(institution, on)
        if sanctioned:
            return True, note
    return False, ""
