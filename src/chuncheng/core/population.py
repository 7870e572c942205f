"""Population (人口): the yearly figures of an org unit, the denominators of most indicators.

One module for the one core record kind that arrives by file: the importer (data-exchange.md §population), the
service that sets one figure (audited), the scoped reads shared by the page, the API and the export, and the
exporter. Figures are upserted on (org unit, year), so a re-import changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, FloatField, QuerySet, Sum
from django.db.models.functions import Cast, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuncheng.core import audit
from chuncheng.core.imports import CellError, Column, Importer, RowError, RowErrors, parse_int, parse_non_negative_int
from chuncheng.core.models import OrgUnit, Population, SecurityEventKind
from chuncheng.core.orgunits import parse_code
from chuncheng.core.registry import write_rows
from chuncheng.core.roles import ADMIN_ROLES, Action, Level
from chuncheng.core.scope import permitted

RESOURCE = "population"
KIND = "population"
FIGURES = ("population_total", "population_60plus", "population_65plus", "infants_0_3", "households")
REQUIRED_FIGURES = ("population_total", "population_60plus")
# The file's columns with English keys, in the importer's order: an export re-imports unchanged.
EXPORT_COLUMNS = ["org_unit_code", "year", *FIGURES]
YEAR_MIN, YEAR_MAX = 1949, 2100
# Database look-ups by key go in chunks (SQLite's and PostgreSQL's parameter limits); writes in batches.
CHUNK = 900
BATCH = 1000
# A model constraint's error belongs to the figure it is about (forms and the API name the field).
CONSTRAINT_FIELDS = {
    "population_60_le_total": "population_60plus",
    "population_65_le_60": "population_65plus",
    "population_duplicate": "year",
}


# ---- rules (pure) --------------------------------------------------------------------------------------------


def parse_year(value: str) -> int:
    year = parse_int(value)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise CellError(
            "year_range",
            _("The year must be between %(min)d and %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX},
        )
    return year


def figure_errors(figures: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(field, code, message) for figures that break the rules: no negatives, 60+ ≤ total, 65+ ≤ 60+."""
    errors: list[tuple[str, str, str]] = []
    for name in FIGURES:
        value = figures.get(name)
        if value is not None and value < 0:
            errors.append((name, "negative", _("The number cannot be negative.")))
    if errors:
        return errors
    total, sixty, sixty_five = (figures.get(k) for k in ("population_total", "population_60plus", "population_65plus"))
    if total is not None and sixty is not None and sixty > total:
        errors.append(("population_60plus", "population_60_le_total", _("The 60+ population cannot exceed the total.")))
    if sixty is not None and sixty_five is not None and sixty_five > sixty:
        errors.append(
            ("population_65plus", "population_65_le_60", _("The 65+ population cannot exceed the 60+ population."))
        )
    return errors


def in_area(actor, org_unit: OrgUnit) -> bool:
    """Area users act on units inside their area; operators and the three administrators on none."""
    prefix = getattr(actor, "scope_prefix", None)
    return bool(prefix) and actor.role not in ADMIN_ROLES and org_unit.code.startswith(prefix)


# ---- the service ---------------------------------------------------------------------------------------------


def _full_clean(population: Population) -> None:
    """``full_clean`` with constraint errors moved onto their figure."""
    try:
        population.full_clean()
    except ValidationError as exc:
        moved: dict[str, list[ValidationError]] = {}
        for field, errors in exc.error_dict.items():
            for error in errors:
                target = CONSTRAINT_FIELDS.get(error.code, field) if field == NON_FIELD_ERRORS else field
                moved.setdefault(target, []).append(error)
        raise ValidationError(moved) from exc


def set_population(org_unit: OrgUnit, year: int, figures: Mapping[str, Any], *, actor) -> tuple[Population, bool]:
    """Set the figures of one unit for one year (create or update); returns the record and whether it was created.

    Figures absent from ``figures`` keep their current value (a new record needs the total and the 60+). Refused
    with ``permission_denied`` when the role may not add or change population, ``org_out_of_scope`` outside the
    actor's area; the figures are checked by the same rules as the file (``negative``, ``population_60_le_total``,
    ``population_65_le_60``). Audited inside the transaction.
    """
    with transaction.atomic():
        current = Population.objects.select_for_update().filter(org_unit=org_unit, year=year).first()
        action = Action.ADD if current is None else Action.CHANGE
        if not permitted(actor, RESOURCE, action):
            raise ValidationError(_("You are not allowed to change population figures."), code="permission_denied")
        if not in_area(actor, org_unit):
            raise ValidationError(
                {"org_unit": ValidationError(_("This org unit is outside your area."), code="org_out_of_scope")}
            )
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValidationError(
                {
                    "year": ValidationError(
                        _("The year must be between %(min)d and %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX},
                        code="year_range",
                    )
                }
            )
        changes = {k: figures[k] for k in FIGURES if k in figures}
        merged = {k: getattr(current, k) for k in FIGURES} if current is not None else dict.fromkeys(FIGURES)
        merged.update(changes)
        problems = [(k, "required", _("This figure is required.")) for k in REQUIRED_FIGURES if merged[k] is None]
        problems = problems or figure_errors(merged)
        if problems:
            raise ValidationError({f: ValidationError(m, code=c) for f, c, m in problems})
        if current is None:
            population = Population(org_unit=org_unit, year=year, **merged)
            _full_clean(population)
            try:
                with transaction.atomic():
                    population.save()
            except IntegrityError as exc:  # another request created it a moment ago
                raise ValidationError(
                    {
                        "year": ValidationError(
                            _("This unit already has a figure for this year."), "population_duplicate"
                        )
                    }
                ) from exc
            audit.record_create(actor, population, org_code=org_unit.code)
            return population, True
        before = audit.snapshot(current)
        for key, value in changes.items():
            setattr(current, key, value)
        _full_clean(current)
        current.save()
        audit.record_update(actor, current, before, org_code=org_unit.code)
        return current, False


# ---- the importer --------------------------------------------------------------------------------------------


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


class PopulationImporter(Importer):
    """The population file. A blank optional cell clears that figure; a column absent from the file leaves it."""

    kind = KIND
    label = gettext_lazy("Population")
    model = Population
    resource = RESOURCE
    columns = [
        Column("org_unit_code", "区划代码", required=True, parse=parse_code),
        Column("year", "年份", required=True, parse=parse_year),
        Column("population_total", "常住人口", required=True, parse=parse_non_negative_int),
        Column("population_60plus", "60岁及以上人口", required=True, parse=parse_non_negative_int),
        Column("population_65plus", "65岁及以上人口", parse=parse_non_negative_int),
        Column("infants_0_3", "0-3岁婴幼儿", parse=parse_non_negative_int),
        Column("households", "户数", parse=parse_non_negative_int),
    ]

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values.get("org_unit_code"), values.get("year"))

    def check_batch(self, rows: list[tuple[int, dict[str, Any]]]) -> list[RowError]:
        """Duplicates on (unit, year), unknown units, units outside the actor's area, and the figure rules on the
        figures each record will have (the file's, or the current ones for columns the file leaves out)."""
        errors: list[RowError] = []
        bad: set[int] = set()
        seen: dict[tuple[str, int], int] = {}
        for number, values in rows:
            key = self.row_key(values)
            if key in seen:
                errors.append(
                    RowError(
                        number,
                        "org_unit_code",
                        f"{key[0]} {key[1]}",
                        "duplicate_in_file",
                        _("This value already appears in row %(row)d of the file.") % {"row": seen[key]},
                    )
                )
                bad.add(number)
            else:
                seen[key] = number
        units = self.units(v["org_unit_code"] for _n, v in rows)
        existing = self.existing(
            (units[v["org_unit_code"]].pk, v["year"]) for _n, v in rows if v["org_unit_code"] in units
        )
        for number, values in rows:
            if number in bad:
                continue
            code = values["org_unit_code"]
            unit = units.get(code)
            if unit is None:
                errors.append(
                    RowError(number, "org_unit_code", code, "unknown_org_unit", _("No org unit has this code."))
                )
                continue
            try:
                self.check_org(code, number)
            except RowErrors as exc:
                errors.extend(exc.errors)
                continue
            values["_org_unit"] = unit
            current = existing.get((unit.pk, values["year"]))
            merged = {k: values[k] if k in values else getattr(current, k, None) for k in FIGURES}
            for field, error_code, message in figure_errors(merged):
                value = merged[field]
                errors.append(RowError(number, field, "" if value is None else str(value), error_code, message))
        return errors

    @staticmethod
    def units(codes: Iterable[str]) -> dict[str, OrgUnit]:
        found: dict[str, OrgUnit] = {}
        for batch in _chunks(sorted(set(codes))):
            found.update({u.code: u for u in OrgUnit.objects.filter(code__in=batch)})
        return found

    @staticmethod
    def existing(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Population]:
        """The current records for (org unit id, year) pairs, fetched unit by unit in chunks."""
        wanted = set(keys)
        found: dict[tuple[int, int], Population] = {}
        for batch in _chunks(sorted({unit_id for unit_id, _year in wanted})):
            ids = set(batch)
            years = {year for unit_id, year in wanted if unit_id in ids}
            for p in Population.objects.filter(org_unit_id__in=batch, year__in=years):
                if (p.org_unit_id, p.year) in wanted:
                    found[(p.org_unit_id, p.year)] = p
        return found

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        existing = self.existing((v["_org_unit"].pk, v["year"]) for v in rows)
        to_create: list[Population] = []
        to_update: list[Population] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for values in rows:
            figures = {k: values[k] for k in FIGURES if k in values}
            current = existing.get((values["_org_unit"].pk, values["year"]))
            if current is None:
                to_create.append(Population(org_unit=values["_org_unit"], year=values["year"], **figures))
                continue
            changed = [k for k, v in figures.items() if getattr(current, k) != v]
            if not changed:
                unchanged += 1
                continue
            for k in changed:
                setattr(current, k, figures[k])
            changed_fields.update(changed)
            to_update.append(current)
        Population.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            Population.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
        return len(to_create), len(to_update), unchanged


# ---- reads ---------------------------------------------------------------------------------------------------

SORTS = {
    "org_unit__code",
    "-org_unit__code",
    "year",
    "-year",
    "population_total",
    "-population_total",
    "population_60plus",
    "-population_60plus",
    "share_60plus",
    "-share_60plus",
}
LEVEL_ORDER = {level: i for i, level in enumerate(Level.values)}


def _int_param(params: Mapping[str, Any], key: str) -> int | None:
    try:
        return int(str(params.get(key) or "").strip())
    except ValueError:
        return None


def population_list(user, params: Mapping[str, Any], action: str = Action.VIEW) -> QuerySet:
    """The figures in the user's scope, filtered by ``year``, ``org`` (code prefix) and ``level``, sorted by ``sort``
    (nulls last, ties by unit code and year); each row carries ``share_60plus`` (60+ / total, None without people)."""
    qs = (
        Population.objects.for_user(user, action)
        .select_related("org_unit")
        .annotate(share_60plus=Cast("population_60plus", FloatField()) / NullIf(F("population_total"), 0))
    )
    year = _int_param(params, "year")
    if year is not None:
        qs = qs.filter(year=year)
    org = str(params.get("org") or "").strip()
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    level = params.get("level")
    if level in Level.values:
        qs = qs.filter(org_unit__level=level)
    sort = params.get("sort")
    if sort not in SORTS:
        return qs.order_by("org_unit__code", "-year")
    name = sort.lstrip("-")
    expression = F(name).desc(nulls_last=True) if sort.startswith("-") else F(name).asc(nulls_last=True)
    return qs.order_by(expression, "org_unit__code", "-year")


def years_in_scope(user) -> list[int]:
    return list(Population.objects.for_user(user).values_list("year", flat=True).distinct().order_by("-year"))


def totals_by_year(qs: QuerySet) -> list[dict[str, Any]]:
    """Sums per year and level of the listed figures (one query). Levels are summed apart: a county's figure and its
    townships' figures count the same people, so adding them up would count them twice."""
    rows = list(
        qs.order_by()
        .values("year", "org_unit__level")
        .annotate(
            units=Count("pk"),
            population_total=Sum("population_total"),
            population_60plus=Sum("population_60plus"),
            population_65plus=Sum("population_65plus"),
            infants_0_3=Sum("infants_0_3"),
            households=Sum("households"),
        )
    )
    for row in rows:
        row["level"] = row.pop("org_unit__level")
        row["level_label"] = Level(row["level"]).label if row["level"] in Level.values else row["level"]
        total = row["population_total"] or 0
        row["share_60plus"] = row["population_60plus"] / total if total else None
    rows.sort(key=lambda r: (-r["year"], LEVEL_ORDER.get(r["level"], 99)))
    return rows


def export_rows(qs: QuerySet) -> Iterator[list[Any]]:
    """Rows of the population file, as the importer reads them back (an empty cell for a missing figure)."""
    for p in qs.select_related("org_unit").iterator(chunk_size=2000):
        yield [p.org_unit.code, p.year, *("" if getattr(p, k) is None else getattr(p, k) for k in FIGURES)]


def export_population(path: Path, *, org: str | None = None, unmasked: bool = False, actor=None) -> int:
    """The population file (of the actor's scope when one is named; of ``org`` when given). No personal data, so
    ``unmasked`` changes nothing."""
    if actor is not None:
        if not permitted(actor, RESOURCE, Action.EXPORT):
            raise PermissionDenied(_("You are not allowed to export this kind of file."))
        qs = Population.objects.for_user(actor, Action.EXPORT)
    else:
        qs = Population.objects.all()
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    count = write_rows(path, EXPORT_COLUMNS, export_rows(qs.order_by("org_unit__code", "year")))
    audit.security_event(SecurityEventKind.EXPORT, user=actor, data_kind=KIND, rows=count)
    return count
