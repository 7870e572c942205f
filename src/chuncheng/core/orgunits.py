"""The org-unit tree: import, parent resolution, and the tree as it was on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from chuncheng.core.imports import (
    CellError,
    Column,
    Importer,
    RowError,
    choice_parser,
    fail,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_list,
)
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Level
from chuncheng.core.scope import org_scope_prefix


def parse_code(value: str) -> str:
    v = value.strip()
    if not v.isdigit() or len(v) not in (6, 9, 12):
        raise CellError("org_code_format", _("A division code has 6, 9 or 12 digits."))
    return v


def level_for_code(code: str) -> str:
    if len(code) == 6:
        return Level.CITY if code.endswith("00") else Level.COUNTY
    if len(code) == 9 or code.endswith("000"):
        return Level.TOWNSHIP
    return Level.VILLAGE


def parent_candidates(code: str) -> list[str]:
    """Codes that could be the parent, nearest first: 12 → 9 → 6 digits; a county's parent is its city (xxxx00)."""
    if len(code) == 12:
        return [code[:9], code[:9] + "000", code[:6]]
    if len(code) == 9:
        return [code[:6]]
    if not code.endswith("00"):
        return [code[:4] + "00", code[:2] + "0000"]
    if not code.endswith("0000"):
        return [code[:2] + "0000"]
    return []


LEVEL_ALIASES = {
    "市": "city",
    "县": "county",
    "区": "county",
    "县区": "county",
    "街道": "township",
    "乡镇": "township",
    "街道乡镇": "township",
    "社区": "village",
    "村": "village",
    "社区村": "village",
}


class OrgUnitImporter(Importer):
    kind = "org-units"
    model = OrgUnit
    resource = "orgunit"
    natural_key = "code"
    columns = [
        Column("code", "区划代码", required=True, parse=parse_code),
        Column("name", "名称", required=True),
        Column("level", "层级", parse=choice_parser(Level, LEVEL_ALIASES)),
        Column("parent_code", "上级区划代码", parse=parse_code),
        Column("urban", "城镇", parse=parse_bool),
        Column("lat", "纬度", parse=parse_decimal),
        Column("lng", "经度", parse=parse_decimal),
        Column("valid_from", "生效日期", parse=parse_date),
        Column("valid_to", "失效日期", parse=parse_date),
        Column("successors", "继承区划代码", parse=parse_list),
    ]

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        code = values["code"]
        if not values.get("level"):
            values["level"] = level_for_code(code)
        if values.get("urban") is None:
            values["urban"] = True
        for key in ("lat", "lng"):
            if values.get(key) is not None and not (-180 <= values[key] <= 180):
                raise fail(row, key, values[key], "coordinate_range", _("The coordinate is out of range."))
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] <= values["valid_from"]:
            raise fail(
                row,
                "valid_to",
                values["valid_to"],
                "validity_range",
                _("The end of validity must come after its start."),
            )
        return values

    def check_batch(self, rows):
        errors = super().check_batch(rows)
        in_file = {v["code"] for _n, v in rows}
        existing = set(
            OrgUnit.objects.filter(code__in=self._referenced([v for _n, v in rows])).values_list("code", flat=True)
        )
        known = in_file | existing
        for number, values in rows:
            code = values["code"]
            explicit = values.get("parent_code")
            if explicit and explicit not in known:
                errors.append(
                    RowError(number, "parent_code", explicit, "unknown_org_unit", _("No org unit has this code."))
                )
            elif (
                not explicit and values["level"] != Level.CITY and not any(c in known for c in parent_candidates(code))
            ):
                # Only a city may be a root of the tree; anything else needs its parent in the file or the database.
                errors.append(
                    RowError(number, "code", code, "org_parent_missing", _("No parent unit exists for this code."))
                )
            for successor in values.get("successors") or []:
                if successor not in known:
                    errors.append(
                        RowError(number, "successors", successor, "unknown_org_unit", _("No org unit has this code."))
                    )
        return errors

    @staticmethod
    def _referenced(rows: list[dict[str, Any]]) -> set[str]:
        codes: set[str] = set()
        for v in rows:
            codes.update(parent_candidates(v["code"]))
            if v.get("parent_code"):
                codes.add(v["parent_code"])
            codes.update(v.get("successors") or [])
            codes.add(v["code"])
        return codes

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        rows = sorted(rows, key=lambda v: (len(v["code"]), v["code"]))
        by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=self._referenced(rows))}
        created = updated = unchanged = 0
        fields = ["name", "level", "urban", "lat", "lng", "valid_from", "valid_to"]
        for values in rows:
            code = values["code"]
            parent_code = values.get("parent_code") or next((c for c in parent_candidates(code) if c in by_code), None)
            parent = by_code.get(parent_code) if parent_code else None
            unit = by_code.get(code)
            if unit is None:
                unit = OrgUnit(code=code, parent=parent, **{f: values.get(f) for f in fields})
                unit.scope_prefix = org_scope_prefix(code)
                unit.save()
                by_code[code] = unit
                created += 1
                continue
            changed = [f for f in fields if getattr(unit, f) != values.get(f)]
            if unit.parent_id != (parent.pk if parent else None):
                unit.parent = parent
                changed.append("parent")
            if changed:
                for f in fields:
                    setattr(unit, f, values.get(f))
                unit.save()
                updated += 1
            else:
                unchanged += 1
        for values in rows:
            if values.get("successors"):
                by_code[values["code"]].successors.set([by_code[c] for c in values["successors"]])
        return created, updated, unchanged


def tree_on(day: date, parent: OrgUnit | None, queryset=None):
    """Children of ``parent`` (or the roots) as the tree was on ``day``, each with its count of children then."""
    qs = (queryset if queryset is not None else OrgUnit.objects.all()).valid_on(day)
    qs = qs.filter(parent=parent) if parent is not None else qs.filter(parent__isnull=True)
    valid_children = Q(children__valid_from__isnull=True) | Q(children__valid_from__lte=day)
    valid_children &= Q(children__valid_to__isnull=True) | Q(children__valid_to__gt=day)
    return qs.annotate(child_count=Count("children", filter=valid_children)).order_by("code")


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the root down to the unit's parent, for breadcrumbs (at most four levels)."""
    chain: list[OrgUnit] = []
    node = unit.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))
