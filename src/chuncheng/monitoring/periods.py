"""Reporting periods (pure: no Django imports): a month ``2026-10``, a quarter ``2026-Q3`` or a year ``2026``, with
their first and last day, the period before, and the last complete period on a date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

MONTH, QUARTER, YEAR = "month", "quarter", "year"
QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), MONTH),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
)


@dataclass(frozen=True, order=True)
class Period:
    """One period: ``index`` is the month (1–12), the quarter (1–4) or 1 for a year."""

    kind: str
    year: int
    index: int

    @property
    def start(self) -> date:
        if self.kind == MONTH:
            return date(self.year, self.index, 1)
        if self.kind == QUARTER:
            return date(self.year, 3 * self.index - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        last_month = {MONTH: self.index, QUARTER: 3 * self.index, YEAR: 12}[self.kind]
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def label(self) -> str:
        """As written on the command line and in URLs: 2026-10, 2026-Q3, 2026."""
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    @property
    def label_zh(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == QUARTER:
            return f"{self.year}年{QUARTER_ZH[self.index]}"
        return f"{self.year}年"

    def previous(self) -> Period:
        if self.kind == YEAR:
            return Period(YEAR, self.year - 1, 1)
        count = 12 if self.kind == MONTH else 4
        if self.index == 1:
            return Period(self.kind, self.year - 1, count)
        return Period(self.kind, self.year, self.index - 1)


def parse(text: str) -> Period:
    """``2026-10`` → month, ``2026-Q3`` → quarter, ``2026`` → year; ValueError otherwise."""
    text = (text or "").strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if m:
            year = int(m.group(1))
            index = int(m.group(2)) if kind != YEAR else 1
            if year < 1900 or (kind == MONTH and not 1 <= index <= 12):
                break
            return Period(kind, year, index)
    raise ValueError(text)


def containing(kind: str, day: date) -> Period:
    if kind == MONTH:
        return Period(MONTH, day.year, day.month)
    if kind == QUARTER:
        return Period(QUARTER, day.year, (day.month - 1) // 3 + 1)
    return Period(YEAR, day.year, 1)


def last_complete(kind: str, day: date) -> Period:
    """The latest period of ``kind`` that has ended by ``day`` (the period a department reports now)."""
    current = containing(kind, day)
    return current if current.end <= day else current.previous()
