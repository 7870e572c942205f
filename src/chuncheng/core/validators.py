"""Validators for Chinese identifiers: resident ID numbers, unified social credit codes and phone numbers.

Check-character algorithms:

* 居民身份证号码 — GB 11643-1999, ISO 7064 MOD 11-2 check character.
* 统一社会信用代码 — GB 32100-2015, MOD 31 check character over a 31-symbol alphabet.

Every function here is pure and works without Django settings; errors are raised as
``django.core.exceptions.ValidationError`` with a stable ``code`` that callers and tests may rely on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "USCC_CHARSET",
    "IdNumberInfo",
    "age_on",
    "id_number_check_char",
    "id_number_validator",
    "parse_id_number",
    "phone_validator",
    "uscc_check_char",
    "uscc_validator",
    "validate_id_number",
    "validate_landline",
    "validate_mobile",
    "validate_phone",
    "validate_uscc",
]

# GB 11643-1999: W_i = 2^(18-i) mod 11 for positions 1..17; S mod 11 indexes the check map.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_MAP = "10X98765432"
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_ID_MIN_BIRTH_YEAR = 1880

# GB 32100-2015: 31 symbols (no I, O, S, V, Z); W_i = 3^(i-1) mod 31.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RE = re.compile(f"[{USCC_CHARSET}]{{18}}")

_MOBILE_RE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
# Area codes: 010 and 02x are three characters, every other one is four (03xx–09xx); this is what makes
# a hyphen-less number unambiguous. Local numbers never start with 0 or 1.
_LANDLINE_RE = re.compile(r"\(?(0[12][0-9]|0[3-9][0-9]{2})\)?-?([2-9][0-9]{6,7})(?:-([0-9]{1,6}))?")

_SHANGHAI_FALLBACK = timezone(timedelta(hours=8))  # China has had no DST since 1991.


def _clean(value: object) -> str:
    """Fold full-width characters (NFKC) and drop all whitespace."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


def _today_shanghai() -> date:
    try:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo("Asia/Shanghai")
    except Exception:  # tzdata missing on a minimal system
        tz = _SHANGHAI_FALLBACK
    return datetime.now(tz).date()


# --- 居民身份证号码 ---------------------------------------------------------------------------------


def id_number_check_char(first17: str) -> str:
    """Return the GB 11643-1999 (MOD 11-2) check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_MAP[total % 11]


@dataclass(frozen=True)
class IdNumberInfo:
    """Facts encoded in a resident ID number (GB 11643-1999)."""

    region_code: str
    birth_date: date
    sex: str  # "male" / "female": the 17th digit (end of the sequence code) is odd for men


def _id_birth_date(normalised: str) -> date | None:
    try:
        born = date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        return None
    return born if born.year >= _ID_MIN_BIRTH_YEAR else None


def _validate_id_number(value: object, today: date | None) -> tuple[str, date]:
    normalised = _clean(value).upper()
    if not _ID_RE.fullmatch(normalised):
        raise ValidationError(
            _("Enter an 18-character ID number: 17 digits followed by a digit or X."), code="id_number_format"
        )
    born = _id_birth_date(normalised)
    if born is None:
        raise ValidationError(_("The ID number contains an invalid date of birth."), code="id_number_birth_date")
    if born > (today if today is not None else _today_shanghai()):
        raise ValidationError(_("The ID number's date of birth is in the future."), code="id_number_future_birth")
    if id_number_check_char(normalised[:17]) != normalised[17]:
        raise ValidationError(_("The ID number's check digit is wrong."), code="id_number_check_digit")
    return normalised, born


def validate_id_number(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character resident ID number (GB 11643-1999) and return it normalised.

    Whitespace is removed, full-width characters are folded and a trailing ``x`` is upper-cased.
    ``today`` defaults to the current date in Asia/Shanghai. Error codes: ``id_number_format``,
    ``id_number_birth_date``, ``id_number_future_birth``, ``id_number_check_digit``.
    """
    return _validate_id_number(value, today)[0]


def parse_id_number(value: str) -> IdNumberInfo:
    """Validate an ID number (GB 11643-1999) and return its region code, date of birth and sex."""
    normalised, born = _validate_id_number(value, None)
    return IdNumberInfo(
        region_code=normalised[:6],
        birth_date=born,
        sex="male" if int(normalised[16]) % 2 else "female",
    )


def age_on(birth_date: date, day: date) -> int:
    """Return the age in completed years (周岁) on ``day``.

    Someone born on 29 February turns a year older on 1 March in common years.
    Raises ``ValueError`` if ``day`` is before ``birth_date``.
    """
    if day < birth_date:
        raise ValueError("day is before birth_date")
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


# --- 统一社会信用代码 -------------------------------------------------------------------------------


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a USCC."""
    if len(first17) != 17 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError(f"first17 must be 17 characters from {USCC_CHARSET}")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return it upper-cased without whitespace.

    Error codes: ``uscc_format``, ``uscc_check_char``.
    """
    normalised = _clean(value).upper()
    if not _USCC_RE.fullmatch(normalised):
        raise ValidationError(
            _("Enter an 18-character unified social credit code (digits and capital letters except I, O, S, V, Z)."),
            code="uscc_format",
        )
    if uscc_check_char(normalised[:17]) != normalised[17]:
        raise ValidationError(_("The unified social credit code's check character is wrong."), code="uscc_check_char")
    return normalised


# --- Phone numbers -----------------------------------------------------------------------------------


def _match_mobile(value: object) -> str | None:
    match = _MOBILE_RE.fullmatch(_clean(value).replace("-", ""))
    return match.group(1) if match else None


def _match_landline(value: object) -> str | None:
    match = _LANDLINE_RE.fullmatch(_clean(value))
    if not match:
        return None
    area, number, extension = match.groups()
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number and return its 11 digits.

    Spaces and hyphens are ignored and a ``+86``/``86`` prefix is stripped. Error code: ``phone_mobile_format``.
    """
    mobile = _match_mobile(value)
    if mobile is None:
        raise ValidationError(_("Enter a valid 11-digit mobile number."), code="phone_mobile_format")
    return mobile


def validate_landline(value: str) -> str:
    """Validate a mainland fixed-line number and return it as ``0871-65123456`` (``-extension`` kept).

    Accepts the area code with or without a hyphen or parentheses. Error code: ``phone_landline_format``.
    """
    landline = _match_landline(value)
    if landline is None:
        raise ValidationError(
            _("Enter a valid landline number with its area code, e.g. 0871-65123456."), code="phone_landline_format"
        )
    return landline


def validate_phone(value: str) -> str:
    """Validate a mobile or landline number and return it normalised. Error code: ``phone_format``."""
    phone = _match_mobile(value) or _match_landline(value)
    if phone is None:
        raise ValidationError(_("Enter a valid mobile or landline number."), code="phone_format")
    return phone


# --- Django field validators (raise or return None) ---------------------------------------------------


def id_number_validator(value: str) -> None:
    """Model/form field validator for resident ID numbers."""
    validate_id_number(value)


def uscc_validator(value: str) -> None:
    """Model/form field validator for unified social credit codes."""
    validate_uscc(value)


def phone_validator(value: str) -> None:
    """Model/form field validator for mobile or landline numbers."""
    validate_phone(value)
