"""The import pipeline every kind shares (docs/data-exchange.md).

Read the header (English key or Chinese label, any order; unknown columns refused), validate every row, and only then
write: all or nothing by default, the valid rows with ``partial``. Writers upsert on the natural key, so importing the
same file twice changes nothing. Every run is recorded in the import log, and bulk writes leave their own audit row.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.models import AuditAction, ImportLog, SecurityEventKind
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.core.tabular import FileRefused, open_sheet


class CellError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Column:
    """A file column: its English key and its Chinese header (both accepted; part of the file format)."""

    key: str
    label: str
    required: bool = False
    parse: Callable[[str], Any] | None = None
    # Personal data (ID numbers, phones) is masked when an error report echoes the cell.
    mask: Callable[[str], str] | None = None

    def shown(self, text: str) -> str:
        return self.mask(text) if self.mask else text[:100]


@dataclass
class RowError:
    row: int
    column: str
    value: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "code": self.code, "message": self.message}


@dataclass
class ImportResult:
    kind: str
    rows_total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: FileRefused | None = None
    dry_run: bool = False
    partial: bool = False
    written: bool = False

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "rows_total": self.rows_total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid_rows": self.invalid_rows,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "written": self.written,
            "errors": [e.as_dict() for e in self.errors],
        }
        if self.file_error is not None:
            data["file_error"] = {"code": self.file_error.code, "message": self.file_error.message}
        return data


# ---- cell parsers (raise CellError with a stable code) -------------------------------------------------------

TRUE_WORDS = {"1", "true", "yes", "y", "是", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "f"}


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    raise CellError("bool_format", _("Use 1/0, true/false or 是/否."))


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise CellError("date_format", _("Use a date in the form YYYY-MM-DD.")) from exc


def parse_int(value: str) -> int:
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise CellError("int_format", _("Use a whole number.")) from exc
    if number != number.to_integral_value():
        raise CellError("int_format", _("Use a whole number."))
    return int(number)


def parse_non_negative_int(value: str) -> int:
    number = parse_int(value)
    if number < 0:
        raise CellError("negative", _("The number cannot be negative."))
    return number


def parse_decimal(value: str) -> Decimal:
    try:
        return Decimal(value.strip())
    except InvalidOperation as exc:
        raise CellError("decimal_format", _("Use a number.")) from exc


def parse_list(value: str) -> list[str]:
    return [p.strip() for p in value.replace("；", ";").split(";") if p.strip()]


def choice_parser(choices, aliases: dict[str, str] | None = None) -> Callable[[str], str]:
    """Accept a choice's English key, a Chinese alias from the file format, or its zh-hans label."""
    from django.utils import translation

    def parse(value: str) -> str:
        v = value.strip()
        if v in choices.values:
            return v
        if aliases and v in aliases:
            return aliases[v]
        with translation.override("zh-hans"):
            by_label = {str(label): key for key, label in choices.choices}
        if v in by_label:
            return by_label[v]
        raise CellError(
            "choice", _("Not one of the allowed values: %(values)s") % {"values": ", ".join(choices.values)}
        )

    return parse


def validation_cell_error(exc: ValidationError) -> CellError:
    return CellError(exc.error_list[0].code or "invalid", " ".join(exc.messages))


# ---- the importer base ---------------------------------------------------------------------------------------


class Importer(ABC):
    """One file kind. Subclasses give ``kind``, ``model``, ``columns``, ``natural_key``, ``prepare`` and ``write``."""

    kind: str = ""
    model: type[models.Model]
    # Large kinds (elders) read the file twice instead of holding its rows: check everything, then write.
    streaming: bool = False
    columns: list[Column] = []
    natural_key: str = ""
    # Resource name in the permission matrix, used to check the actor may import this kind.
    resource: str = ""

    def __init__(self, actor=None):
        self.actor = actor

    def columns_by_header(self) -> dict[str, Column]:
        mapping: dict[str, Column] = {}
        for col in self.columns:
            mapping[col.key] = col
            mapping[col.label] = col
        return mapping

    def check_org(self, code: str, row: int, column: str = "org_unit_code") -> None:
        """A row may only name a unit inside the actor's area (the command line without --user is unrestricted)."""
        prefix = getattr(self.actor, "scope_prefix", None) if self.actor is not None else None
        if self.actor is not None and (prefix is None or not code.startswith(prefix)):
            raise fail(row, column, code, "org_out_of_scope", _("This org unit is outside your area."))

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        """Cross-field checks on one parsed row; raise ``CellError`` via ``self.fail(column, ...)``. Returns the row."""
        return values

    def check_batch(self, rows: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
        """Checks across rows (duplicates inside the file, references to other rows)."""
        key = self.natural_key
        seen: dict[Any, int] = {}
        errors: list[RowError] = []
        if not key:
            return errors
        key_column = self.columns_by_header().get(key)
        for number, values in rows:
            value = values.get(key)
            if value in seen:
                errors.append(
                    RowError(
                        number,
                        key,
                        key_column.shown(str(value)) if key_column else str(value),
                        "duplicate_in_file",
                        _("This value already appears in row %(row)d of the file.") % {"row": seen[value]},
                    )
                )
            else:
                seen[value] = number
        return errors

    def row_key(self, values: dict[str, Any]) -> Any:
        """The natural key of a parsed row (streaming imports detect duplicates inside the file with it)."""
        return values.get(self.natural_key) if self.natural_key else None

    def check_stream(self, row: int, values: dict[str, Any]) -> list[RowError]:
        """Cross-row checks of a streaming import, seen row by row (duplicates are already handled)."""
        return []

    @abstractmethod
    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        """Upsert the valid rows; return (created, updated, unchanged)."""

    def write_stream(self, rows: Iterator[dict[str, Any]]) -> tuple[int, int, int]:
        """Streaming imports override this to write without holding every row; the default collects them."""
        return self.write(list(rows))


class ImportFailed(Exception):
    def __init__(self, result: ImportResult):
        super().__init__(result.kind)
        self.result = result


def run_import(
    importer: Importer,
    fh: IO[bytes],
    file_name: str,
    *,
    partial: bool = False,
    dry_run: bool = False,
    max_bytes: int | None = None,
) -> ImportResult:
    """Validate the whole file, then write (unless invalid and not partial, or a dry run). Logs the run."""
    result = ImportResult(kind=importer.kind, dry_run=dry_run, partial=partial)
    if importer.actor is not None and not permitted(importer.actor, importer.resource, Action.IMPORT):
        raise PermissionDenied(_("You are not allowed to import this kind of file."))
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    fh.seek(0)
    try:
        if max_bytes is not None and size > max_bytes:
            raise FileRefused("file_too_large", _("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20})
        if importer.streaming:
            bad = _validate_streaming(importer, fh, file_name, result)
            bad |= {e.row for e in result.errors}
            has_valid = result.rows_total > len(bad)
        else:
            valid = _validate(importer, fh, file_name, result)
            has_valid = bool(valid)
    except FileRefused as exc:
        result.file_error = exc
        has_valid = False
    if result.file_error is None and result.rows_total == 0:
        result.file_error = FileRefused("file_no_rows", _("The file has a header but no data rows."))
    if result.file_error is None and (result.ok or partial) and not dry_run and has_valid:
        with transaction.atomic():
            if importer.streaming:
                counts = importer.write_stream(_valid_rows_again(importer, fh, file_name, bad))
            else:
                counts = importer.write(valid)
            result.created, result.updated, result.unchanged = counts
            audit.record_bulk(
                importer.actor,
                AuditAction.BULK_CREATE,
                importer.model,
                result.created + result.updated,
                {
                    "import": importer.kind,
                    "file": Path(file_name).name,
                    "sha256": digest.hexdigest(),
                    "created": result.created,
                    "updated": result.updated,
                },
            )
            result.written = True
    elif result.file_error is None and dry_run:
        result.unchanged = 0
    ImportLog.objects.create(
        user=importer.actor if getattr(importer.actor, "pk", None) else None,
        username=getattr(importer.actor, "username", "") or "system",
        kind=importer.kind,
        file_name=Path(file_name).name[:255],
        file_sha256=digest.hexdigest(),
        dry_run=dry_run,
        partial=partial,
        rows_total=result.rows_total,
        rows_created=result.created,
        rows_updated=result.updated,
        rows_unchanged=result.unchanged,
        rows_invalid=result.invalid_rows,
    )
    audit.security_event(
        SecurityEventKind.IMPORT,
        user=importer.actor,
        data_kind=importer.kind,
        rows=result.rows_total,
        written=result.written,
    )
    return result


def _open(importer: Importer, fh: IO[bytes], file_name: str):
    sheet = open_sheet(fh, file_name)
    by_header = importer.columns_by_header()
    unknown = [h for h in sheet.header if h and h not in by_header]
    if unknown:
        raise FileRefused("unknown_columns", _("Unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
    columns = [by_header.get(h) for h in sheet.header]
    present = {c.key for c in columns if c}
    missing = [c.key for c in importer.columns if c.required and c.key not in present]
    if missing:
        raise FileRefused("missing_columns", _("Required columns are missing: %(cols)s") % {"cols": ", ".join(missing)})
    return sheet, columns


def _rows(importer: Importer, sheet, columns, result: ImportResult) -> Iterator[tuple[int, dict[str, Any]]]:
    """Parse and check each row on its own; yield the good ones, record the problems of the others in ``result``."""
    for number, cells in sheet.rows:
        result.rows_total += 1
        if len(cells) < len(columns):
            result.errors.append(
                RowError(
                    number,
                    "",
                    "",
                    "row_truncated",
                    _("The row has fewer cells than the header: the file may be cut off."),
                )
            )
            continue
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        for col, raw in zip(columns, cells, strict=False):
            if col is None:
                continue
            text = raw.strip()
            if not text:
                if col.required:
                    row_errors.append(RowError(number, col.key, "", "required", _("This column is required.")))
                values[col.key] = None
                continue
            try:
                values[col.key] = col.parse(text) if col.parse else text
            except CellError as exc:
                row_errors.append(RowError(number, col.key, col.shown(text), exc.code, exc.message))
            except ValidationError as exc:
                err = validation_cell_error(exc)
                row_errors.append(RowError(number, col.key, col.shown(text), err.code, err.message))
        if not row_errors:
            try:
                values = importer.prepare(values, number)
            except RowErrors as exc:
                row_errors.extend(exc.errors)
        if row_errors:
            result.errors.extend(row_errors)
        else:
            yield number, values


def _validate(importer: Importer, fh: IO[bytes], file_name: str, result: ImportResult) -> list[dict[str, Any]]:
    sheet, columns = _open(importer, fh, file_name)
    parsed = list(_rows(importer, sheet, columns, result))
    batch_errors = importer.check_batch(parsed)
    if batch_errors:
        result.errors.extend(batch_errors)
        bad = {e.row for e in batch_errors}
        parsed = [(n, v) for n, v in parsed if n not in bad]
    result.errors.sort(key=lambda e: (e.row, e.column))
    return [v for _n, v in parsed]


def _validate_streaming(importer: Importer, fh: IO[bytes], file_name: str, result: ImportResult) -> set[int]:
    """First pass of a streaming import: every check, keeping only natural keys (for duplicates) and errors.

    Returns the numbers of rows that failed a cross-row check (their own problems are already in ``result``)."""
    sheet, columns = _open(importer, fh, file_name)
    seen: dict[Any, int] = {}
    rejected: set[int] = set()
    key_column = importer.columns_by_header().get(importer.natural_key)
    for number, values in _rows(importer, sheet, columns, result):
        key = importer.row_key(values)
        if key is not None and key in seen:
            rejected.add(number)
            shown = str(values.get(importer.natural_key, ""))
            result.errors.append(
                RowError(
                    number,
                    importer.natural_key,
                    key_column.shown(shown) if key_column else shown[:100],
                    "duplicate_in_file",
                    _("This value already appears in row %(row)d of the file.") % {"row": seen[key]},
                )
            )
            continue
        if key is not None:
            seen[key] = number
        problems = importer.check_stream(number, values)
        if problems:
            rejected.add(number)
            result.errors.extend(problems)
    result.errors.sort(key=lambda e: (e.row, e.column))
    return rejected


def _valid_rows_again(importer: Importer, fh: IO[bytes], file_name: str, bad: set[int]) -> Iterator[dict[str, Any]]:
    """Second pass of a streaming import: re-read the file and yield the rows the first pass accepted."""
    fh.seek(0)
    sheet, columns = _open(importer, fh, file_name)
    scratch = ImportResult(kind=importer.kind)
    for number, values in _rows(importer, sheet, columns, scratch):
        if number not in bad:
            yield values


class RowErrors(Exception):
    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        super().__init__(len(self.errors))


def fail(row: int, column: str, value: Any, code: str, message: str) -> RowErrors:
    return RowErrors([RowError(row, column, "" if value is None else str(value)[:100], code, message)])
