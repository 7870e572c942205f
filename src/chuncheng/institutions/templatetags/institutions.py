"""Template filters of the institutions registry."""

from django import template

from chuncheng.institutions.choices import DischargeReason

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.6667 → ``66.7%``; None (no beds to fill) → ``—``."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def discharge_reason(value) -> str:
    """A stored discharge reason's label (imports may leave it blank)."""
    return str(DischargeReason(value).label) if value in DischargeReason.values else (value or "")
