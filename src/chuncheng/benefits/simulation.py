"""Budget simulation (issue 5, item 7): change a policy parameter in a draft version and see what it would cost per
county and per year, and who would gain or lose eligibility, without touching real data.

A *draft* is the version in force for each month of the range with the overrides applied to its parameters; it is an
unsaved ``PolicyVersion`` and is never written. Overrides are checked against the parameters of the versions in force
(``parameter_unknown``, ``parameter_invalid``, ``parameter_negative``, ``parameter_not_editable``): a draft changes the
numbers and lists of a version, never the structure of its tables.

How each programme is computed, month by month (the first day of each month, as a batch would):
- 高龄津贴 (shape ``age_band``): the batch compiler (``compiler.compile_age_band``) compiles the rule for the current and
  the draft parameters; the two SELECTs are joined on the elder (FULL OUTER JOIN) and aggregated per county in SQL, one
  statement per year. No elder is loaded into Python.
- The other elder programmes (P2, P3): one GROUP BY over the elders by county, birth month (and whether born on the
  1st), economic difficulty and capability level gives cells whose age on any first-of-month is exact; the pure rule
  prices each cell once. Again no elder is loaded.
- Institution and staff programmes (B2, B3; hundreds to thousands of rows): the pure rule per beneficiary on its
  registry facts, as the batch does (``batches._python_rows``), each facts dict priced twice.
"Eligible" means paid a positive amount; a beneficiary *gains* eligibility in a year when the draft pays it in some month
of that year and the current version in none, and *loses* it in the reverse case (so, per county and year, draft
beneficiaries − current beneficiaries = gains − losses). Elders are the active ones of the registry today, aged on
each month of the range, so a future year is a projection on today's registry.

Nothing is written: the computation only reads, inside a transaction that is rolled back. A user sees the rows of
their own scope (a county official their county; the city every county) and the totals of that scope.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, Max, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear, Substr
from django.utils import timezone

from chuncheng.benefits import batches, compiler, rules, services
from chuncheng.benefits.choices import BeneficiaryKind, RuleShape
from chuncheng.benefits.models import PolicyVersion, Programme
from chuncheng.benefits.policy import get_programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.core.masking import mask_name
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder

# The programmes that can be simulated: the recurring ones (a cost per month, summed per year). One-time programmes
# (B1, B4, B5) depend on applications and facts the registry does not hold (paid beds, graduation, floor area).
SIMULATED = batches.RECURRING
RESOURCE = "benefit_batch"  # who may simulate: whoever may review payment batches (city and county officials)
MAX_MONTHS = 36
EXAMPLES = 10  # masked examples of gainers and of losers
ZERO = rules.ZERO


# ---------------------------------------------------------------------------------------------------------------
# The range of months


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise QuoteError("input_invalid", f"年度无效：{value}（应为四位数年份，如 2026）", "year")
    year = int(str(value).strip())
    if not 2000 <= year <= 2100:
        raise QuoteError("input_invalid", f"年度无效：{value}（应在 2000–2100 之间）", "year")
    return year


def _month(value: Any, key: str) -> date:
    try:
        year, month = (int(p) for p in str(value).split("-"))
        return date(_year(year), month, 1)
    except (TypeError, ValueError) as exc:
        raise QuoteError("input_invalid", f"月份无效：{value}（应为 YYYY-MM）", key) from exc


def months_for(year: Any = None, start: Any = None, end: Any = None) -> list[date]:
    """The first days of the months simulated: a whole year, or ``start``…``end`` (``YYYY-MM``, inclusive, at most
    36 months). Future months are allowed: a budget is made for a year to come."""
    if year not in (None, "") and (start or end):
        raise QuoteError("input_invalid", "请给出年度或起止月份，不能同时给出", "year")
    if year not in (None, ""):
        y = _year(year)
        return [date(y, m, 1) for m in range(1, 13)]
    if not start or not end:
        raise QuoteError("input_missing_key", "缺少年度（year）或起止月份（from、to）", "year")
    first, last = _month(start, "from"), _month(end, "to")
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count < 1:
        raise QuoteError("input_invalid", f"结束月份 {end} 早于开始月份 {start}", "to")
    if count > MAX_MONTHS:
        raise QuoteError("input_invalid", f"模拟期间最长 {MAX_MONTHS} 个月（收到 {count} 个月）", "to")
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


# ---------------------------------------------------------------------------------------------------------------
# Versions in force and the draft


def simulated_programme(code: str) -> Programme:
    programme = get_programme(code)
    if code not in SIMULATED:
        raise QuoteError(
            "programme_not_simulated",
            f"补贴项目 {code} 不是按月发放的项目，不能做预算模拟（一次性补贴取决于申请和登记中没有的事实）",
        )
    return programme


def _in_force(version: PolicyVersion, on: date) -> bool:
    return version.effective_from <= on and (version.effective_to is None or on <= version.effective_to)


def _pick(versions: list[PolicyVersion], county: str) -> PolicyVersion | None:
    """``policy.version_in_force`` over versions already known to be in force: the most specific area first."""
    fitting = [v for v in versions if v.area == "" or county.startswith(v.area)]
    return max(fitting, key=lambda v: len(v.area)) if fitting else None


def versions_by_month(programme: Programme, months: list[date]) -> dict[date, list[PolicyVersion]]:
    """For each month, the versions in force on its first day: city-wide only for elder programmes (as the batch),
    every area for the programmes priced per beneficiary. Months without one are left out."""
    every = list(programme.versions.all().order_by("effective_from", "area"))
    city_only = SIMULATED[programme.code] == BeneficiaryKind.ELDER
    out: dict[date, list[PolicyVersion]] = {}
    for month in months:
        found = [v for v in every if _in_force(v, month) and (v.area == "" or not city_only)]
        if found:
            out[month] = found
    if not out:
        raise QuoteError(
            "policy_not_in_force",
            f"补贴项目 {programme.code} 在 {months[0]:%Y-%m} 至 {months[-1]:%Y-%m} 没有生效的政策版本",
        )
    return out


def _is_decimal(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        return "decimal" if _is_decimal(value) else "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "dict"
    return "other"


EXPECTED = {
    "bool": "true 或 false",
    "int": "非负整数",
    "decimal": "非负数",
    "text": "文本",
    "null": "null",
    "list": "非空列表",
    "dict": "JSON 对象",
}


def _invalid(label: str, kinds: Iterable[str]) -> QuoteError:
    expected = "或".join(EXPECTED.get(k, k) for k in sorted(kinds))
    return QuoteError("parameter_invalid", f"参数 {label} 的取值无效：应为{expected}", label)


def _number(label: str, kinds: set[str], value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _invalid(label, kinds)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise _invalid(label, kinds) from exc
    if not number.is_finite():
        raise _invalid(label, kinds)
    if number < 0:
        raise QuoteError("parameter_negative", f"参数 {label} 不能为负数（收到 {value}）", label)
    if "percent" in label and number > rules.HUNDRED:
        raise QuoteError("parameter_invalid", f"参数 {label} 是百分比，不能大于 100（收到 {value}）", label)
    return number


def _conform(path: list[str], templates: list[Any], new: Any, *, whole: bool = False) -> Any:
    """``new`` checked against the current values ``templates`` of the same place (several versions, or every item
    of a list): same kind of value, known keys only, no negative number; returned normalised (numbers of a decimal
    parameter as strings, as the policy pack stores them). ``whole``: a list item, so every key is required."""
    label = ".".join(path)
    kinds = {_kind(t) for t in templates}
    if "dict" in kinds:
        if not isinstance(new, Mapping):
            raise _invalid(label, {"dict"})
        dicts = [t for t in templates if isinstance(t, Mapping)]
        known = set().union(*dicts)
        out = {}
        for key, value in new.items():
            if key not in known:
                options = "、".join(sorted(str(k) for k in known))
                raise QuoteError("parameter_unknown", f"参数 {label}.{key} 不存在（可选：{options}）", f"{label}.{key}")
            out[key] = _conform([*path, str(key)], [d[key] for d in dicts if key in d], value)
        required = set.intersection(*(set(d) for d in dicts))
        if whole and required - set(out):
            missing = "、".join(sorted(str(k) for k in required - set(out)))
            raise QuoteError("parameter_invalid", f"参数 {label} 缺少 {missing}", label)
        return out
    if "list" in kinds:
        items = [item for t in templates if isinstance(t, list) for item in t]
        if not isinstance(new, list) or not new or not items:
            raise _invalid(label, {"list"})
        return [_conform([*path, str(n)], items, item, whole=True) for n, item in enumerate(new)]
    if new is None and "null" in kinds:
        return None
    if isinstance(new, bool):
        if "bool" in kinds:
            return new
        raise _invalid(label, kinds)
    if "int" in kinds and new is not None:
        number = _number(label, kinds, new)
        if number == number.to_integral_value():
            return int(number)
        if "decimal" not in kinds:
            raise _invalid(label, kinds)
    if "decimal" in kinds and new is not None:
        return format(_number(label, kinds, new), "f")
    if "text" in kinds and isinstance(new, str):
        return new
    raise _invalid(label, kinds)


def _expand(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1}`` → ``{"a": {"b": 1}}`` (the CLI's ``--set a.b=1``), merged with the other keys."""
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        parts = str(key).split(".")
        for part in reversed(parts[1:]):
            value = {part: value}
        out[parts[0]] = _merge(out[parts[0]], value) if parts[0] in out else value
    return out


def _merge(current: Any, new: Any) -> Any:
    """Objects merge key by key (a draft may change one county's amount); lists and numbers are replaced."""
    if isinstance(current, Mapping) and isinstance(new, Mapping):
        out = dict(current)
        for key, value in new.items():
            out[key] = _merge(current[key], value) if key in current else value
        return out
    return copy.deepcopy(new)


def editable(value: Any) -> bool:
    """Whether a draft may change a parameter: numbers, flags, lists and tables; not a text naming the method."""
    return _kind(value) != "text"


def check_overrides(raw: Any, versions: Iterable[PolicyVersion]) -> dict[str, Any]:
    """The overrides, checked against the parameters of ``versions`` and normalised. A key may be a dotted path."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise QuoteError("parameter_invalid", "模拟参数须为 JSON 对象（键为参数名）", "parameters")
    versions = list(versions)
    values = [rules.parameter_values(v.parameters) for v in versions]
    out: dict[str, Any] = {}
    for name, new in _expand(raw).items():
        templates = [v[name] for v in values if name in v]
        if not templates:
            known = sorted({k for v in values for k in v})
            raise QuoteError("parameter_unknown", f"参数 {name} 不存在（可选：{'、'.join(known)}）", name)
        if not all(editable(t) for t in templates):
            if all(new == t for t in templates):
                continue
            raise QuoteError("parameter_not_editable", f"参数 {name} 决定计算方法，不能在模拟中修改", name)
        out[name] = _conform([name], templates, new)
    return out


def draft_of(version: PolicyVersion, overrides: Mapping[str, Any]) -> PolicyVersion:
    """The draft: an unsaved copy of ``version`` whose parameters carry the overrides (never saved)."""
    parameters = copy.deepcopy(version.parameters)
    for name, value in overrides.items():
        if name not in parameters:
            continue
        spec = parameters[name]
        current = spec["value"] if isinstance(spec, Mapping) and "value" in spec else spec
        merged = _merge(current, value)
        parameters[name] = {**spec, "value": merged, "draft": True} if isinstance(spec, Mapping) else merged
    draft = PolicyVersion(
        programme=version.programme,
        label=f"{version.label}-draft",
        area=version.area,
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        parameters=parameters,
        source=version.source,
    )
    _check_shape(version.programme.shape, draft)
    return draft


def _check_shape(shape: str, draft: PolicyVersion) -> None:
    """What the shape needs of its tables beyond the kinds of values: age bands that do not overlap, each with an
    amount in every county's table."""
    if shape != RuleShape.AGE_BAND:
        return
    values = rules.parameter_values(draft.parameters)
    bands = sorted(values["bands"], key=lambda b: b["min_age"])
    keys = [b["key"] for b in bands]
    if len(set(keys)) != len(keys):
        raise QuoteError("parameter_invalid", "年龄档的 key 不能重复", "bands")
    for band in bands:
        if band["max_age"] is not None and band["max_age"] < band["min_age"]:
            raise QuoteError("parameter_invalid", f"年龄档 {band['key']} 的上限小于下限", "bands")
    for lower, upper in pairwise(bands):
        if lower["max_age"] is None or lower["max_age"] >= upper["min_age"]:
            raise QuoteError("parameter_invalid", f"年龄档 {lower['key']} 与 {upper['key']} 重叠", "bands")
    for county, table in values["per_month_by_county"].items():
        missing = [k for k in keys if k not in table]
        if missing:
            raise QuoteError(
                "parameter_invalid",
                f"区县 {county} 的标准表缺少年龄档 {'、'.join(missing)}",
                f"per_month_by_county.{county}",
            )


# ---------------------------------------------------------------------------------------------------------------
# The result


@dataclass
class Cell:
    """One county × year: cost under the current and the draft version, beneficiaries paid, gains and losses."""

    current: Decimal = ZERO
    draft: Decimal = ZERO
    current_beneficiaries: int = 0
    draft_beneficiaries: int = 0
    gains: int = 0
    losses: int = 0

    def add(self, other: Cell) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "current": str(rules.money(self.current)),
            "draft": str(rules.money(self.draft)),
            "difference": str(rules.money(self.draft - self.current)),
            "current_beneficiaries": self.current_beneficiaries,
            "draft_beneficiaries": self.draft_beneficiaries,
            "gains": self.gains,
            "losses": self.losses,
        }


@dataclass
class Simulation:
    programme: Programme
    months: list[date]
    versions: dict[date, list[PolicyVersion]]
    overrides: dict[str, Any]
    scope: str
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {"gains": [], "losses": []})
    names: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"county": county, "county_name": self.names.get(county, ""), "year": year, **cell.as_dict()}
            for (county, year), cell in sorted(self.cells.items())
        ]

    def totals(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        by_year: dict[int, Cell] = defaultdict(Cell)
        overall = Cell()
        for (_county, year), cell in self.cells.items():
            by_year[year].add(cell)
            overall.add(cell)
        return [{"year": y, **c.as_dict()} for y, c in sorted(by_year.items())], overall.as_dict()

    def warnings(self) -> list[str]:
        out = []
        missing = [m for m in self.months if m not in self.versions]
        if missing:
            out.append(f"{'、'.join(f'{m:%Y-%m}' for m in missing)} 没有生效的政策版本，按 0 计")
        unverified = sorted(
            {
                name
                for versions in self.versions.values()
                for v in versions
                for name, spec in v.parameters.items()
                if isinstance(spec, Mapping) and spec.get("unverified")
            }
        )
        if unverified:
            out.append(f"参数 {'、'.join(unverified)} 为未核实的占位值，不是官方标准")
        return out

    def as_dict(self) -> dict[str, Any]:
        by_year, total = self.totals()
        used: dict[int, dict[str, Any]] = {}
        for month, versions in sorted(self.versions.items()):
            for v in versions:
                entry = used.setdefault(
                    v.pk,
                    {
                        "label": v.label,
                        "area": v.area,
                        "effective_from": v.effective_from.isoformat(),
                        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
                        "months": [],
                    },
                )
                entry["months"].append(f"{month:%Y-%m}")
        return {
            "programme": self.programme.code,
            "programme_name": self.programme.name,
            "from": f"{self.months[0]:%Y-%m}",
            "to": f"{self.months[-1]:%Y-%m}",
            "scope": self.scope,
            "policy_versions": list(used.values()),
            "overrides": self.overrides,
            "rows": self.rows(),
            "totals_by_year": by_year,
            "total": total,
            "examples": self.examples,
            "warnings": self.warnings(),
        }


# ---------------------------------------------------------------------------------------------------------------
# Simulating


def scope_of(user) -> str:
    """The org-code prefix the user may see ("" = the whole city, for the CLI without ``--user``)."""
    if user is None:
        return ""
    if not permitted(user, RESOURCE, Action.VIEW) or not user.scope_prefix:
        raise QuoteError("permission_denied", "无权进行预算模拟（仅市、县（市）区民政部门可用）")
    return user.scope_prefix


def simulate(code: str, months: list[date], overrides: Any = None, *, user=None) -> Simulation:
    """Cost of ``code`` over ``months`` under the version in force and under the draft, per county and year, in the
    user's scope. Reads only, inside a transaction that is rolled back."""
    prefix = scope_of(user)
    programme = simulated_programme(code)
    by_month = versions_by_month(programme, months)
    used = {v.pk: v for versions in by_month.values() for v in versions}
    checked = check_overrides(overrides, used.values())
    drafts = {pk: draft_of(v, checked) for pk, v in used.items()}
    result = Simulation(programme, months, by_month, checked, prefix)
    with transaction.atomic():
        try:
            if programme.shape == RuleShape.AGE_BAND:
                _age_band(result, drafts)
            elif SIMULATED[code] == BeneficiaryKind.ELDER:
                _elder_cells(result, drafts)
            else:
                _per_beneficiary(result, drafts)
        except QuoteError:
            raise
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise QuoteError("parameter_invalid", f"模拟参数无法用于计算：{exc!r}", "parameters") from exc
        finally:
            transaction.set_rollback(True)  # belt and braces: the simulation never writes
    counties = {county for county, _year in result.cells}
    result.names = dict(OrgUnit.objects.filter(code__in=counties).values_list("code", "name"))
    for example in result.examples["gains"] + result.examples["losses"]:
        example["county_name"] = result.names.get(example["county"], "")
    return result


def _money(value: Any) -> Decimal:
    return rules.money(Decimal(str(value or 0)))


# 高龄津贴. The compiled rule reads the elders table once per month and version; here it reads instead a narrow, materialised
# set of the candidates (active elders of the user's scope old enough for the youngest band of any month and version),
# so a year is one scan of the registry however many months and drafts it holds.
SOURCE_TABLE = "elders_elder"
CANDIDATES = "simulation_candidates"


def _from_candidates(compiled: compiler.CompiledRule) -> str:
    if compiled.sql.count(SOURCE_TABLE) != 1:
        raise RuntimeError("compiler.compile_age_band must read the elders table exactly once")
    return compiled.sql.replace(SOURCE_TABLE, CANDIDATES)


def _oldest_birth_date(months: list[date], versions: Iterable[PolicyVersion]) -> date:
    """The latest birth date any compiled month can select (the last month, the youngest band of any version)."""
    youngest = min(b["min_age"] for v in versions for b in rules.parameter_values(v.parameters)["bands"])
    last = max(months)
    return last.replace(year=last.year - youngest)  # the 1st of a month: never 29 February


@contextmanager
def _hash_joins(cursor):
    """On PostgreSQL, no nested loops for this statement: the compiled bands defeat the row estimates, and a nested
    loop over a million candidate rows is the one plan that must never be chosen. Restored afterwards."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('enable_nestloop')")
    (before,) = cursor.fetchone()
    cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
    try:
        yield
    finally:
        cursor.execute("SELECT set_config('enable_nestloop', %s, true)", [before])


def _age_band(result: Simulation, drafts: dict[int, PolicyVersion]) -> None:
    top = Elder.objects.aggregate(m=Max("pk"))["m"] or 0
    by_year: dict[int, list[date]] = defaultdict(list)
    for month in result.versions:
        by_year[month.year].append(month)
    gains: list[int] = []
    losses: list[int] = []
    for year, months in sorted(by_year.items()):
        parts, params = [], []
        used: list[PolicyVersion] = []
        for month in months:
            current = result.versions[month][0]
            draft = drafts[current.pk]
            used += [current, draft]
            cur = compiler.compile_age_band(result.programme, current, month)
            if draft.parameters == current.parameters:
                parts.append(
                    f"SELECT c.id, c.org_unit_id, c.amount AS cur, c.amount AS drf FROM ({_from_candidates(cur)}) c"
                )
                params += compiler.bind(cur, 0, top)
                continue
            drf = compiler.compile_age_band(result.programme, draft, month)
            parts.append(
                "SELECT COALESCE(c.id, d.id) AS id, COALESCE(c.org_unit_id, d.org_unit_id) AS org_unit_id, "
                "COALESCE(c.amount, 0) AS cur, COALESCE(d.amount, 0) AS drf "
                f"FROM ({_from_candidates(cur)}) c FULL OUTER JOIN ({_from_candidates(drf)}) d ON d.id = c.id"
            )
            params += [*compiler.bind(cur, 0, top), *compiler.bind(drf, 0, top)]
        candidates = (
            f"{CANDIDATES} AS MATERIALIZED (SELECT e.id, e.org_unit_id, e.birth_date, e.status "
            "FROM elders_elder e JOIN core_orgunit o ON o.id = e.org_unit_id "
            "WHERE e.status = %s AND e.birth_date <= %s AND o.code LIKE %s)"
        )
        candidate_params = [
            ElderStatus.ACTIVE.value,
            compiler.prep("period", _oldest_birth_date(months, used)),
            f"{result.scope}%",
        ]
        sql = (
            f"WITH {candidates}, months AS ({' UNION ALL '.join(parts)}), "
            # One row per elder: the year's amounts under the current version and under the draft. Grouped by org
            # unit, not joined to it: the planner cannot estimate the compiled bands and would loop over the units.
            "per_elder AS (SELECT m.id, m.org_unit_id, SUM(m.cur) AS cur, SUM(m.drf) AS drf "
            "FROM months m GROUP BY m.id, m.org_unit_id) "
            "SELECT 'unit', org_unit_id, SUM(cur), SUM(drf), SUM(CASE WHEN cur > 0 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN drf > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN cur <= 0 AND drf > 0 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN cur > 0 AND drf <= 0 THEN 1 ELSE 0 END) FROM per_elder GROUP BY org_unit_id "
            "UNION ALL SELECT 'gain', NULL, NULL, NULL, g.id, NULL, NULL, NULL FROM "
            f"(SELECT id FROM per_elder WHERE cur <= 0 AND drf > 0 ORDER BY id LIMIT {EXAMPLES}) g "
            "UNION ALL SELECT 'lose', NULL, NULL, NULL, l.id, NULL, NULL, NULL FROM "
            f"(SELECT id FROM per_elder WHERE cur > 0 AND drf <= 0 ORDER BY id LIMIT {EXAMPLES}) l"
        )
        units: list[tuple] = []
        with connection.cursor() as cursor, _hash_joins(cursor):
            cursor.execute(sql, [*candidate_params, *params])
            for part, unit, cur_sum, drf_sum, cur_n, drf_n, gain_n, lose_n in cursor.fetchall():
                if part == "gain":
                    gains.append(cur_n)
                elif part == "lose":
                    losses.append(cur_n)
                else:
                    units.append((unit, cur_sum, drf_sum, cur_n, drf_n, gain_n, lose_n))
        codes = dict(OrgUnit.objects.filter(pk__in=[u[0] for u in units]).values_list("pk", "code"))
        for unit, cur_sum, drf_sum, cur_n, drf_n, gain_n, lose_n in units:
            result.cells.setdefault((codes[unit][:6], year), Cell()).add(
                Cell(_money(cur_sum), _money(drf_sum), cur_n, drf_n, gain_n, lose_n)
            )
    result.examples = {"gains": _elder_examples(gains), "losses": _elder_examples(losses)}


def _elder_examples(ids: list[int]) -> list[dict[str, Any]]:
    wanted = list(dict.fromkeys(ids))[:EXAMPLES]
    people = Elder.objects.select_related("org_unit").in_bulk(wanted)
    return [_example(BeneficiaryKind.ELDER, people[pk]) for pk in wanted if pk in people]


def _example(kind: str, beneficiary: Any) -> dict[str, Any]:
    """A gainer or loser as shown: never an ID number; a person's name masked (an institution's name is public)."""
    name = beneficiary.name if kind == BeneficiaryKind.INSTITUTION else mask_name(beneficiary.name)
    return {
        "kind": kind,
        "public_id": str(beneficiary.public_id),
        "name": name,
        "county": beneficiary.org_unit.code[:6],
    }


# Other elder programmes: cells of elders alike for the rule, priced once each


def _age_on(on: date, birth_year: int, birth_month: int, born_on_first: bool) -> int:
    before_birthday = on.month < birth_month or (on.month == birth_month and not born_on_first)
    return max(on.year - birth_year - (1 if before_birthday else 0), 0)


def _elder_cells(result: Simulation, drafts: dict[int, PolicyVersion]) -> None:
    difficult = Q(tekun=True) | Q(dibao=True) | Q(dibao_edge=True)
    cells = (
        Elder.objects.filter(status=ElderStatus.ACTIVE, org_unit__code__startswith=result.scope)
        .annotate(
            county=Substr("org_unit__code", 1, 6),
            birth_year=ExtractYear("birth_date"),
            birth_month=ExtractMonth("birth_date"),
            born_on_first=Case(When(birth_date__day=1, then=Value(True)), default=Value(False)),
            difficult=Case(When(difficult, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .values("county", "birth_year", "birth_month", "born_on_first", "difficult", "capability_level")
        .annotate(n=Count("pk"))
        .order_by("county", "birth_year", "birth_month", "born_on_first", "difficult", "capability_level")
    )
    shape = result.programme.shape
    priced: dict[tuple, Decimal] = {}

    def price(version: PolicyVersion, facts: dict[str, Any]) -> Decimal:
        key = (id(version), facts["age"], facts["economically_difficult"], facts["capability_level"])
        if key not in priced:
            try:
                outcome = rules.calculate(shape, version.parameters, facts)
                priced[key] = outcome.amount if outcome.eligible else ZERO
            except QuoteError:
                priced[key] = ZERO  # a fact the rule refuses (no capability level): not payable, as in the batch
        return priced[key]

    gaining, losing = [], []
    for cell in cells:
        per_year: dict[int, list[bool]] = {}
        for month, versions in result.versions.items():
            current = versions[0]
            facts = {
                "county": cell["county"],
                "age": _age_on(month, cell["birth_year"], cell["birth_month"], cell["born_on_first"]),
                "economically_difficult": bool(cell["difficult"]),
                "capability_level": cell["capability_level"],
                "months": 1,
            }
            cur, drf = price(current, facts), price(drafts[current.pk], facts)
            target = result.cells.setdefault((cell["county"], month.year), Cell())
            target.current += cur * cell["n"]
            target.draft += drf * cell["n"]
            flags = per_year.setdefault(month.year, [False, False])
            flags[0] |= cur > 0
            flags[1] |= drf > 0
        gained = lost = False
        for year, (paid_now, paid_draft) in per_year.items():
            target = result.cells[(cell["county"], year)]
            target.current_beneficiaries += cell["n"] * paid_now
            target.draft_beneficiaries += cell["n"] * paid_draft
            target.gains += cell["n"] * (paid_draft and not paid_now)
            target.losses += cell["n"] * (paid_now and not paid_draft)
            gained |= paid_draft and not paid_now
            lost |= paid_now and not paid_draft
        # Each cell holds at least one elder, so EXAMPLES cells are enough for EXAMPLES examples.
        if gained and len(gaining) < EXAMPLES:
            gaining.append(cell)
        if lost and len(losing) < EXAMPLES:
            losing.append(cell)
    result.cells = {k: v for k, v in result.cells.items() if v != Cell()}
    result.examples = {"gains": _cell_examples(gaining, result.scope), "losses": _cell_examples(losing, result.scope)}


def _cell_examples(cells: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    difficult = Q(tekun=True) | Q(dibao=True) | Q(dibao_edge=True)
    for cell in cells:
        if len(out) >= EXAMPLES:
            break
        qs = Elder.objects.select_related("org_unit").filter(
            status=ElderStatus.ACTIVE,
            org_unit__code__startswith=cell["county"],
            birth_date__year=cell["birth_year"],
            birth_date__month=cell["birth_month"],
            capability_level=cell["capability_level"],
        )
        qs = qs.filter(org_unit__code__startswith=prefix)
        qs = qs.filter(birth_date__day=1) if cell["born_on_first"] else qs.exclude(birth_date__day=1)
        qs = qs.filter(difficult) if cell["difficult"] else qs.exclude(difficult)
        out.extend(_example(BeneficiaryKind.ELDER, e) for e in qs.order_by("pk")[: EXAMPLES - len(out)])
    return out


# Institution and staff programmes: the pure rule per beneficiary, as the batch does


def _per_beneficiary(result: Simulation, drafts: dict[int, PolicyVersion]) -> None:
    kind = SIMULATED[result.programme.code]
    model, related, build = services.BENEFICIARIES[kind]
    shape = result.programme.shape
    candidates = model.objects.select_related(*related).filter(org_unit__code__startswith=result.scope).order_by("pk")

    def price(version: PolicyVersion, facts: dict[str, Any]) -> Decimal:
        try:
            outcome = rules.calculate(shape, version.parameters, facts)
        except QuoteError:
            return ZERO  # a fact the registry lacks: not payable this month, as in the batch
        return outcome.amount if outcome.eligible and outcome.amount > 0 else ZERO

    gaining, losing = [], []
    for beneficiary in candidates.iterator(chunk_size=batches.LOOP_CHUNK):
        county = beneficiary.org_unit.code[:6]
        per_year: dict[int, list[bool]] = {}
        for month, versions in result.versions.items():
            current = _pick(versions, county)
            if current is None:
                continue
            facts, _notes = build(beneficiary, month)
            facts["months"] = 1
            cur, drf = price(current, facts), price(drafts[current.pk], facts)
            target = result.cells.setdefault((county, month.year), Cell())
            target.current += cur
            target.draft += drf
            flags = per_year.setdefault(month.year, [False, False])
            flags[0] |= cur > 0
            flags[1] |= drf > 0
        gained = lost = False
        for year, (paid_now, paid_draft) in per_year.items():
            target = result.cells[(county, year)]
            target.current_beneficiaries += paid_now
            target.draft_beneficiaries += paid_draft
            target.gains += paid_draft and not paid_now
            target.losses += paid_now and not paid_draft
            gained |= paid_draft and not paid_now
            lost |= paid_now and not paid_draft
        if gained and len(gaining) < EXAMPLES:
            gaining.append(_example(kind, beneficiary))
        if lost and len(losing) < EXAMPLES:
            losing.append(_example(kind, beneficiary))
    result.cells = {k: v for k, v in result.cells.items() if v != Cell()}
    result.examples = {"gains": gaining, "losses": losing}


def default_year(programme: Programme) -> int:
    """This year (Asia/Shanghai) when a version is in force in it, else the last year that had one."""
    this_year = timezone.localdate().year
    versions = list(programme.versions.all())
    if any(
        v.effective_from.year <= this_year and (v.effective_to is None or v.effective_to.year >= this_year)
        for v in versions
    ):
        return this_year
    ends = [v.effective_to.year for v in versions if v.effective_to and v.effective_to.year < this_year]
    return max(ends) if ends else this_year
