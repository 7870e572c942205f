"""Pieces the registry's importers share: cell parsers, chunked look-ups, scope checks over a whole file."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chuncheng.core.imports import CellError, Importer, RowError, RowErrors, parse_decimal
from chuncheng.core.models import OrgUnit
from chuncheng.core.tabular import FORMULA_PREFIXES
from chuncheng.core.validators import validate_phone

# Look-ups by key go to the database in chunks (SQLite's and PostgreSQL's parameter limits); writes in batches.
CHUNK = 900
BATCH = 1000

SIX_PLACES = Decimal("0.000001")
TWO_PLACES = Decimal("0.01")


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def parse_latitude(value: str) -> Decimal:
    number = parse_decimal(value)
    if not -90 <= number <= 90:
        raise CellError("coordinate_range", _("The coordinate is out of range."))
    return number.quantize(SIX_PLACES)


def parse_longitude(value: str) -> Decimal:
    number = parse_decimal(value)
    if not -180 <= number <= 180:
        raise CellError("coordinate_range", _("The coordinate is out of range."))
    return number.quantize(SIX_PLACES)


def parse_area(value: str) -> Decimal:
    number = parse_decimal(value)
    if number < 0:
        raise CellError("negative", _("The number cannot be negative."))
    return number.quantize(TWO_PLACES)


def parse_text(value: str) -> str:
    """Text as written; an exported cell's formula guard (a leading ``'``, tabular.safe_cell) is taken back off,
    so a value such as ``=1`` or ``-2号`` survives the round trip."""
    text = value.strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def parse_phone(value: str) -> str:
    """A mainland mobile or landline number (code ``phone_format``), kept as written so a re-import is unchanged."""
    text = parse_text(value)  # "+86…" comes back from an export behind the formula guard
    validate_phone(text)
    return text


def upper_code(value: str) -> str:
    return value.strip().upper()


def validation_error(row: int, column: str, value: Any, exc: ValidationError) -> RowError:
    error = exc.error_list[0]
    return RowError(
        row, column, "" if value is None else str(value)[:100], error.code or "invalid", " ".join(exc.messages)
    )


def org_units_by_code(codes: Iterable[str]) -> dict[str, OrgUnit]:
    found: dict[str, OrgUnit] = {}
    for batch in chunks(sorted(set(codes))):
        found.update({u.code: u for u in OrgUnit.objects.filter(code__in=batch)})
    return found


def resolve_org_units(
    importer: Importer,
    rows: list[tuple[int, dict[str, Any]]],
    bad: set[int],
    errors: list[RowError],
    *,
    levels: frozenset[str] | None = None,
) -> None:
    """Put each row's org unit in ``values["_org_unit"]``; unknown units, units outside the actor's area and units of
    the wrong level are errors (``unknown_org_unit``, ``org_out_of_scope``, ``org_level``)."""
    units = org_units_by_code(v["org_unit_code"] for _n, v in rows)
    for number, values in rows:
        if number in bad:
            continue
        code = values["org_unit_code"]
        unit = units.get(code)
        if unit is None:
            errors.append(RowError(number, "org_unit_code", code, "unknown_org_unit", _("No org unit has this code.")))
            bad.add(number)
            continue
        try:
            importer.check_org(code, number)
        except RowErrors as exc:
            errors.extend(exc.errors)
            bad.add(number)
            continue
        if levels is not None and unit.level not in levels:
            errors.append(
                RowError(
                    number,
                    "org_unit_code",
                    code,
                    "org_level",
                    _("An institution is filed under a township or a village."),
                )
            )
            bad.add(number)
            continue
        values["_org_unit"] = unit


def actor_covers(actor, org_code: str, institution_id: int | None = None) -> bool:
    """Whether the importing actor may touch a record of this unit (or, for operators, of this institution).

    The command line without ``--user`` (actor None) is unrestricted, as in ``Importer.check_org``."""
    if actor is None:
        return True
    if getattr(actor, "institution_id", None):
        return institution_id is not None and institution_id == actor.institution_id
    prefix = getattr(actor, "scope_prefix", None)
    return bool(prefix) and org_code.startswith(prefix)


def duplicates(
    rows: list[tuple[int, dict[str, Any]]],
    key,
    column: str,
    bad: set[int],
    errors: list[RowError],
    *,
    show=None,
) -> None:
    """``duplicate_in_file`` for every row whose composite natural key appeared in an earlier row (``show`` gives
    the reported value, e.g. a masked ID number)."""
    seen: dict[Any, int] = {}
    for number, values in rows:
        k = key(values)
        if k in seen:
            errors.append(
                RowError(
                    number,
                    column,
                    show(values) if show else str(values.get(column, ""))[:100],
                    "duplicate_in_file",
                    _("This value already appears in row %(row)d of the file.") % {"row": seen[k]},
                )
            )
            bad.add(number)
        else:
            seen[k] = number
