"""Elder programmes compiled to SQL for the monthly batches (docs/benefits.md, "How a run works").

A city has about a million elders, so a batch never loops over them in Python: each elder programme is compiled into
one ``SELECT`` of (id, org_unit_id, amount, province_share, city_share, county_share, breakdown, reasons) over the
elders whose primary key lies in a chunk ``(lo, hi]`` (the placeholders ``__lo__`` and ``__hi__``, see ``bind``), and
the batch wraps it in an ``INSERT … SELECT``. The SQL never computes money: the facts that decide a rule take few
values, each combination (a *cell*) is priced once by the pure rule (``rules.calculate``), and the SQL only sorts the
elders into the cells. So the SQL and the quote cannot disagree.

- 高龄津贴 (shape ``age_band``): a cell is a county and an age band; the band is a range of ``birth_date`` (age on the
  first day of the period).
- Flat and capability-level allowances (shapes ``flat_monthly`` and ``by_capability_level``, P2 and P3): a cell is
  the policy version in force for the elder's county, economic difficulty (特困, 低保 or 低保边缘) and capability level;
  the age only has to reach the version's ``min_age``. The age is still shown in the reasons ("年龄 75周岁 ≥ 60周岁"),
  so each cell is priced with a marker age and the SQL writes the elder's age in place of the marker. Before the SQL
  is built every cell is checked against the pure rule at ages around ``min_age`` and up to 130, in two counties: a
  rule whose result depends on anything else than these facts refuses to compile (``NotCompilable``), so a future
  change of the rule cannot make the batch pay what a quote would not.

Both read the chunk's key range in a fenced subquery (``fence_sql``): the planner, which cannot estimate the compiled
conditions, otherwise walks every elder of every community per chunk (PostgreSQL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection

from chuncheng.benefits import rules
from chuncheng.benefits.choices import RuleShape
from chuncheng.benefits.models import Entitlement, PolicyVersion, Programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.elders.choices import ElderStatus

CELL_SHAPES = (RuleShape.FLAT_MONTHLY, RuleShape.BY_CAPABILITY_LEVEL)
COMPILED_SHAPES = (RuleShape.AGE_BAND, *CELL_SHAPES)
AGE_MARK = 987_654_321  # the age a cell is priced with; the SQL replaces it by the elder's age in the JSON
CHECK_AGES = (0, 1, 9, 10, 11, 59, 60, 61, 64, 65, 66, 69, 70, 79, 80, 81, 89, 90, 99, 100, 101, 109, 110, 119, 130)
CHECK_COUNTIES = ("530102", "530111")  # two counties: a cell's result must not depend on the county


class NotCompilable(RuntimeError):
    """The pure rule depends on a fact the compiled SQL does not sort elders by: a programming error, never data."""


def prep(name: str, value: Any) -> Any:
    """``value`` as the database stores the entitlement field ``name`` (a date is a string on SQLite)."""
    return Entitlement._meta.get_field(name).get_db_prep_save(value, connection)


def fence_sql() -> str:
    return "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"


def years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)  # day is the 1st of a month, so never 29 February


def _chunk_sql() -> str:
    # The chunk's key range in a fenced subquery (OFFSET 0 is not flattened): the planner, which cannot estimate the
    # compiled filters, otherwise walks every elder of every community per chunk.
    return f"(SELECT * FROM elders_elder WHERE id > %s AND id <= %s {fence_sql()}) e"


def _money_sql(value: Decimal) -> str:
    return f"CAST('{Decimal(value):.2f}' AS NUMERIC(14, 2))"


@dataclass
class CompiledRule:
    """The SELECT of (id, org_unit_id, amount, province_share, city_share, county_share, breakdown, reasons) for the
    elders with pk in (lo, hi]; breakdown and reasons are JSON text."""

    sql: str
    params: list[Any]


def bind(compiled: CompiledRule, lo: int, hi: int) -> list[Any]:
    return [lo if p == "__lo__" else hi if p == "__hi__" else p for p in compiled.params]


def compile_rule(programme: Programme, version: PolicyVersion, period: date) -> CompiledRule | None:
    """The programme's rule compiled for ``period``, or None when its shape is computed per beneficiary in Python.
    ``version`` is the city-wide version in force (高龄津贴 uses it for every county, as the simulation does)."""
    if programme.shape == RuleShape.AGE_BAND:
        return compile_age_band(programme, version, period)
    if programme.shape in CELL_SHAPES:
        return compile_elder_cells(programme, period)
    return None


# ---------------------------------------------------------------------------------------------------------------
# 高龄津贴: a cell per county and age band


def compile_age_band(programme: Programme, version: PolicyVersion, period: date) -> CompiledRule:
    values = rules.parameter_values(version.parameters)
    bands = values["bands"]
    table = values["per_month_by_county"]
    band_cases, band_params = [], []
    for band in sorted(bands, key=lambda b: -b["min_age"]):
        condition = "e.birth_date <= %s"
        band_params.append(prep("period", years_before(period, band["min_age"])))
        if band["max_age"] is not None:
            condition += " AND e.birth_date > %s"
            band_params.append(prep("period", years_before(period, band["max_age"] + 1)))
        band_cases.append(f"WHEN {condition} THEN %s")
        band_params.append(band["key"])
    band_sql = "CASE " + " ".join(band_cases) + " END"
    columns: dict[str, list[str]] = {"amount": [], "province_share": [], "city_share": [], "county_share": []}
    breakdown_whens: list[str] = []
    cell_params: dict[str, list[Any]] = {name: [] for name in [*columns, "breakdown"]}
    for county in sorted(table):
        for band in bands:
            result = rules.calculate(programme.shape, version.parameters, {"county": county, "age": band["min_age"]})
            key = f"{county}|{band['key']}"
            for name, value in (
                ("amount", result.amount),
                ("province_share", result.shares["province"]),
                ("city_share", result.shares["city"]),
                ("county_share", result.shares["county"]),
            ):
                columns[name].append(f"WHEN %s THEN {_money_sql(value)}")
                cell_params[name].append(key)
            breakdown_whens.append("WHEN %s THEN %s")
            cell_params["breakdown"].extend(
                [key, json.dumps([line.as_dict() for line in result.breakdown], ensure_ascii=False)]
            )
    key_sql = "(x.county || '|' || x.band)"
    select_parts, params = [], []
    for name, whens in columns.items():
        select_parts.append(f"CASE {key_sql} " + " ".join(whens) + f" END AS {name}")
        params.extend(cell_params[name])
    select_parts.append(f"CASE {key_sql} " + " ".join(breakdown_whens) + " END AS breakdown")
    params.extend(cell_params["breakdown"])
    select_parts.append("'[]' AS reasons")  # 高龄津贴 entitlements carry no reasons (the band is in the breakdown)
    counties = ", ".join(["%s"] * len(table))
    youngest = min(b["min_age"] for b in bands)
    inner = (
        f"SELECT e.id, e.org_unit_id, substr(o.code, 1, 6) AS county, {band_sql} AS band "
        f"FROM {_chunk_sql()} JOIN core_orgunit o ON o.id = e.org_unit_id "
        f"WHERE e.status = %s AND e.birth_date <= %s AND substr(o.code, 1, 6) IN ({counties})"
    )
    inner_params = [
        *band_params,
        "__lo__",
        "__hi__",
        ElderStatus.ACTIVE.value,
        prep("period", years_before(period, youngest)),
        *sorted(table),
    ]
    sql = f"SELECT x.id, x.org_unit_id, {', '.join(select_parts)} FROM ({inner}) x WHERE x.band IS NOT NULL"
    return CompiledRule(sql, [*params, *inner_params])


# ---------------------------------------------------------------------------------------------------------------
# P2, P3: a cell per version in force, economic difficulty and capability level; the age only has to reach min_age


@dataclass(frozen=True)
class Cell:
    """One priced combination of facts: what the pure rule pays an elder of any age ≥ ``min_age`` in it, with the
    breakdown and reasons as JSON text holding ``AGE_MARK`` where the elder's age goes."""

    version_id: int
    difficult: bool
    level: str
    min_age: int
    amount: Decimal
    shares: tuple[Decimal, Decimal, Decimal]
    breakdown: str
    reasons: str


def _in_force(programme: Programme, period: date) -> tuple[PolicyVersion | None, list[PolicyVersion]]:
    """The city-wide version in force on ``period`` and the area versions an elder's county can select, most
    specific first (``policy.version_in_force`` with county = the first 6 digits of the org-unit code, so an area
    longer than 6 digits never applies)."""
    versions = [
        v
        for v in programme.versions.all()
        if v.effective_from <= period and (v.effective_to is None or period <= v.effective_to)
    ]
    city = next((v for v in versions if v.area == ""), None)
    areas = sorted((v for v in versions if 0 < len(v.area) <= 6), key=lambda v: -len(v.area))
    return city, areas


def _payable(shape: str, version: PolicyVersion, age: int, difficult: bool, level: str, county: str):
    """The pure rule on one elder's facts (as ``services.elder_facts`` builds them) → (amount, shares, breakdown
    JSON, reasons JSON), or None when the batch would not pay it (ineligible, nothing to pay, or refused facts)."""
    facts = {
        "county": county,
        "age": age,
        "economically_difficult": difficult,
        "capability_level": level,
        "months": 1,
    }
    try:
        result = rules.calculate(shape, version.parameters, facts)
    except QuoteError:
        return None
    if not result.eligible or result.amount <= 0:
        return None
    out = result.as_dict()
    shares = (result.shares["province"], result.shares["city"], result.shares["county"])
    return (
        result.amount,
        shares,
        json.dumps(out["breakdown"], ensure_ascii=False),
        json.dumps(out["reasons"], ensure_ascii=False),
    )


def _price_cell(programme: Programme, version: PolicyVersion, difficult: bool, level: str) -> Cell | None:
    """The cell priced once with the marker age, after checking that the pure rule agrees with it at every checked
    age (payable exactly from ``min_age``, same money, same JSON with the age in place of the marker)."""
    min_age = int(rules.parameter_values(version.parameters)["min_age"])
    shape = programme.shape
    template = _payable(shape, version, AGE_MARK, difficult, level, CHECK_COUNTIES[0])
    for n, age in enumerate(sorted({*CHECK_AGES, min_age - 1, min_age, min_age + 1})):
        if age < 0:
            continue
        got = _payable(shape, version, age, difficult, level, CHECK_COUNTIES[n % 2])
        if template is None or age < min_age:
            expected = None
        else:
            amount, shares, breakdown, reasons = template
            mark = str(AGE_MARK)
            expected = (amount, shares, breakdown.replace(mark, str(age)), reasons.replace(mark, str(age)))
        if got != expected:
            raise NotCompilable(
                f"{programme.code} ({version.label}): the pure rule at age {age} (economically difficult: "
                f"{difficult}, level: {level or '-'}) differs from its compiled cell"
            )
    if template is None:
        return None
    amount, shares, breakdown, reasons = template
    return Cell(version.pk, difficult, level, min_age, amount, shares, breakdown, reasons)


def _birth_number_sql() -> str:
    """The birth date as the integer YYYYMMDD: (period − birth) // 10000 is then the age in full years (周岁)."""
    if connection.vendor == "postgresql":
        return "CAST(to_char(CAST(e.birth_date AS timestamp), 'YYYYMMDD') AS INTEGER)"  # no time zone involved
    return "CAST(replace(e.birth_date, '-', '') AS INTEGER)"  # SQLite stores a date as YYYY-MM-DD text


def compile_elder_cells(programme: Programme, period: date) -> CompiledRule:
    """P2/P3: one cell per (version in force for the county, economic difficulty, capability level), priced by the
    pure rule; elders are joined to the payable cells by those facts and an age of at least the version's
    ``min_age`` (in full years on the first day of the period, as ``services.elder_facts``)."""
    city, areas = _in_force(programme, period)
    levels = list(rules.CAPABILITY_LEVELS)
    cells = [
        cell
        for version in [*areas, *([city] if city else [])]
        for difficult in (False, True)
        for level in [*levels, ""]  # "" stands for no (or an unknown) level: the rule refuses it or ignores it
        if (cell := _price_cell(programme, version, difficult, level)) is not None
    ]
    params: list[Any] = []
    if areas:
        whens = []
        for version in areas:
            whens.append(f"WHEN substr(o.code, 1, {len(version.area)}) = %s THEN {int(version.pk)}")
            params.append(version.area)
        fallback = str(int(city.pk)) if city else "CAST(NULL AS INTEGER)"
        version_sql = f"CASE {' '.join(whens)} ELSE {fallback} END"
        join_sql = " JOIN core_orgunit o ON o.id = e.org_unit_id"
    else:
        version_sql = str(int(city.pk)) if city else "CAST(NULL AS INTEGER)"
        join_sql = ""
    level_list = ", ".join(["%s"] * len(levels))
    params.extend(levels)
    youngest = min((c.min_age for c in cells), default=0)
    birth_by = period.year * 10000 + period.month * 100 + period.day
    inner = (
        f"SELECT e.id, e.org_unit_id, {version_sql} AS version, "
        "CASE WHEN e.tekun OR e.dibao OR e.dibao_edge THEN 1 ELSE 0 END AS difficult, "
        f"CASE WHEN e.capability_level IN ({level_list}) THEN e.capability_level ELSE '' END AS level, "
        f"({birth_by} - {_birth_number_sql()}) / 10000 AS age "
        f"FROM {_chunk_sql()}{join_sql} "
        "WHERE e.status = %s AND e.birth_date <= %s"
    )
    params.extend(["__lo__", "__hi__", ElderStatus.ACTIVE.value, prep("period", years_before(period, youngest))])
    rows = []
    for cell in cells or [None]:
        if cell is None:  # nothing payable in any cell: a cell no elder can join
            rows.append(
                "SELECT CAST(NULL AS INTEGER) AS version, 0 AS difficult, '' AS level, 0 AS min_age, "
                f"{_money_sql(Decimal(0))} AS amount, {_money_sql(Decimal(0))} AS province_share, "
                f"{_money_sql(Decimal(0))} AS city_share, {_money_sql(Decimal(0))} AS county_share, "
                "'[]' AS breakdown, '[]' AS reasons"
            )
            continue
        province, city_share, county = cell.shares
        rows.append(
            f"SELECT {int(cell.version_id)} AS version, {int(cell.difficult)} AS difficult, %s AS level, "
            f"{int(cell.min_age)} AS min_age, {_money_sql(cell.amount)} AS amount, "
            f"{_money_sql(province)} AS province_share, {_money_sql(city_share)} AS city_share, "
            f"{_money_sql(county)} AS county_share, %s AS breakdown, %s AS reasons"
        )
        params.extend([cell.level, cell.breakdown, cell.reasons])
    age_text = "CAST(x.age AS TEXT)"
    sql = (
        "SELECT x.id, x.org_unit_id, p.amount, p.province_share, p.city_share, p.county_share, "
        f"replace(p.breakdown, '{AGE_MARK}', {age_text}) AS breakdown, "
        f"replace(p.reasons, '{AGE_MARK}', {age_text}) AS reasons "
        f"FROM ({inner}) x JOIN ({' UNION ALL '.join(rows)}) p "
        "ON p.version = x.version AND p.difficult = x.difficult AND p.level = x.level "
        "WHERE x.age >= p.min_age"
    )
    return CompiledRule(sql, params)
