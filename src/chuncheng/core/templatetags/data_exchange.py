"""Template helpers of the data exchange pages: ``{% if user|can_import %}`` and ``{{ share|percent }}``."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """Whether the user may import at least one kind of file (the navigation shows "Import" then)."""
    from chuncheng.core.imports_views import importable_kinds

    return bool(getattr(user, "is_authenticated", False) and importable_kinds(user))


@register.filter
def percent(value, places: int = 1) -> str:
    """A share (0.1834) as a percentage ("18.3%"); empty for None."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.{int(places)}f}%"
