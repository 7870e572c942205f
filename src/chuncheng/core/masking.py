"""Server-side masking of personal data for display and export (security checklist D5; GB/T 35273 §7.2).

Every function accepts ``None`` or ``""`` and returns ``""``. Masks never reveal more than 10 characters
of an ID number or 7 digits of a mobile number.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from chuncheng.core.validators import validate_landline, validate_mobile

__all__ = ["mask_address", "mask_id_number", "mask_name", "mask_phone"]

STAR = "*"
ELLIPSIS = "…"


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _mask_ends(text: str) -> str:
    """Keep only the first and last character; strings of two characters or fewer are starred completely."""
    if len(text) <= 2:
        return STAR * len(text)
    return text[0] + STAR * (len(text) - 2) + text[-1]


def mask_id_number(value: object) -> str:
    """``530102199001011234`` → ``530102********1234``; anything not 18 long keeps at most its first and last."""
    text = _text(value)
    if len(text) == 18:
        return text[:6] + STAR * 8 + text[-4:]
    return _mask_ends(text)


def mask_phone(value: object) -> str:
    """``13812345678`` → ``138****5678``; ``0871-65123456`` → ``0871-****3456``.

    A landline extension is starred; anything that is not a valid phone number keeps its first and last character.
    """
    text = _text(value)
    if not text:
        return ""
    try:
        mobile = validate_mobile(text)
    except ValidationError:
        pass
    else:
        return mobile[:3] + STAR * 4 + mobile[-4:]
    try:
        landline = validate_landline(text)
    except ValidationError:
        return _mask_ends(text)
    area, number, *extension = landline.split("-")
    masked = f"{area}-{STAR * 4}{number[-4:]}"
    return masked + (f"-{STAR * len(extension[0])}" if extension else "")


def mask_name(value: object) -> str:
    """``张三丰`` → ``张**``, ``张三`` → ``张*``: keep the first character only."""
    text = _text(value)
    if len(text) <= 1:
        return STAR * len(text)
    return text[0] + STAR * (len(text) - 1)


def mask_address(value: object) -> str:
    """Keep the first 6 characters (province/city/district), then ``…``.

    An address of 6 characters or fewer keeps only its first half, so a short address is never shown whole.
    """
    text = _text(value)
    if not text:
        return ""
    keep = 6 if len(text) > 6 else len(text) // 2
    return text[:keep] + ELLIPSIS
