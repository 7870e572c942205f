"""Reading and writing the exchange files (docs/data-exchange.md): CSV in UTF-8 or GB18030/GBK, and XLSX.

Rows are streamed, never loaded whole, so a 1.22 M-row file stays within a small, constant memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _


class FileRefused(Exception):
    """The file as a whole cannot be read: wrong type, wrong encoding, empty, too large."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


SNIFF_BYTES = 256 * 1024


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the head decodes as UTF-8, else GB18030 (a superset of GBK/GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRefused("file_encoding", _("The file is neither UTF-8 nor GBK/GB18030 text.")) from exc


def file_format(name: str, head: bytes) -> str:
    """'xlsx' or 'csv', checked against the content, not only the name: a file must be what it claims."""
    suffix = Path(name).suffix.lower()
    is_zip = head.startswith(b"PK\x03\x04")
    if suffix == ".xlsx":
        if not is_zip:
            raise FileRefused("file_not_xlsx", _("The file is named .xlsx but is not an Excel workbook."))
        return "xlsx"
    if suffix in {".csv", ".txt", ""}:
        if is_zip or b"\x00" in head[:4096]:
            raise FileRefused("file_not_csv", _("The file is named .csv but is not a text file."))
        return "csv"
    raise FileRefused("file_type", _("Only .csv and .xlsx files can be imported."))


@dataclass
class Sheet:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)


def open_sheet(fh: IO[bytes], name: str) -> Sheet:
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    if not head:
        raise FileRefused("file_empty", _("The file is empty."))
    kind = file_format(name, head)
    return _xlsx_sheet(fh) if kind == "xlsx" else _csv_sheet(fh, detect_encoding(head))


class _TextView(io.TextIOWrapper):
    """A text view of the caller's binary file that leaves it open when dropped (imports read a file twice)."""

    def close(self) -> None:
        try:
            if not self.closed:
                self.detach()
        except ValueError:  # already detached
            pass


def _csv_sheet(fh: IO[bytes], encoding: str) -> Sheet:
    text = _TextView(fh, encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise FileRefused("file_empty", _("The file is empty.")) from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FileRefused("file_encoding", _("The file cannot be read as CSV text.")) from exc

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, cells in enumerate(reader, start=2):
                if any(c.strip() for c in cells):
                    yield number, cells
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileRefused("file_encoding", _("The file cannot be read as CSV text.")) from exc

    return Sheet([h.strip() for h in header], rows())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_sheet(fh: IO[bytes]) -> Sheet:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRefused("file_not_xlsx", _("The file is not a readable Excel workbook.")) from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(v).strip() for v in next(iterator)]
    except StopIteration as exc:
        raise FileRefused("file_empty", _("The file is empty.")) from exc
    while header and header[-1] == "":
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(iterator, start=2):
            cells = [_cell(v) for v in values]
            if any(c.strip() for c in cells):
                yield number, cells

    return Sheet(header, rows())


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formula injection in exported text (security-checklist F6)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(path_or_fh, header: list[str], rows) -> int:
    own = isinstance(path_or_fh, str | Path)
    fh = open(path_or_fh, "w", encoding="utf-8-sig", newline="") if own else path_or_fh  # noqa: SIM115
    try:
        writer = csv.writer(fh)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            count += 1
        return count
    finally:
        if own:
            fh.close()


def write_xlsx(path_or_fh, header: list[str], rows, *, title: str = "data") -> int:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        count += 1
    workbook.save(path_or_fh)
    return count
