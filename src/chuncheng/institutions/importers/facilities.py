"""The ``facilities`` file (社区养老服务设施): upsert on the facility code, set-based."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chuncheng.core.imports import Column, Importer, RowError, choice_parser, parse_date, parse_non_negative_int
from chuncheng.core.orgunits import parse_code
from chuncheng.institutions.choices import FACILITY_KIND_ALIASES, OPERATOR_KIND_ALIASES, FacilityKind, OperatorKind
from chuncheng.institutions.importers.common import (
    BATCH,
    actor_covers,
    chunks,
    parse_area,
    parse_latitude,
    parse_longitude,
    parse_text,
    resolve_org_units,
)
from chuncheng.institutions.models import Facility

DEFAULTS = {"operator": "", "beds": 0}


class FacilityImporter(Importer):
    """Columns of data-exchange.md §facilities; ``opened_on``, ``lat`` and ``lng`` also as 投入使用日期, 纬度, 经度."""

    kind = "facilities"
    model = Facility
    resource = "facility"
    natural_key = "code"
    columns = [
        Column("code", "设施编码", required=True, parse=parse_text),
        Column("name", "名称", required=True, parse=parse_text),
        Column("kind", "类型", required=True, parse=choice_parser(FacilityKind, FACILITY_KIND_ALIASES)),
        Column("org_unit_code", "所在区划代码", required=True, parse=parse_code),
        Column("operator", "运营方式", parse=choice_parser(OperatorKind, OPERATOR_KIND_ALIASES)),
        Column("area_m2", "建筑面积", parse=parse_area),
        Column("beds", "床位", parse=parse_non_negative_int),
        Column("opened_on", "投入使用日期", parse=parse_date),
        Column("lat", "纬度", parse=parse_latitude),
        Column("lng", "经度", parse=parse_longitude),
    ]

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        for key, default in DEFAULTS.items():
            if key in values and values[key] is None:
                values[key] = default
        return values

    def check_batch(self, rows):
        errors = super().check_batch(rows)  # duplicate_in_file on code
        bad = {e.row for e in errors}
        resolve_org_units(self, rows, bad, errors)
        existing = self.existing(v["code"] for _n, v in rows)
        for number, values in rows:
            current = existing.get(values["code"])
            if number not in bad and current is not None and not actor_covers(self.actor, current.org_unit.code):
                errors.append(
                    RowError(
                        number, "code", values["code"], "org_out_of_scope", _("This facility is outside your area.")
                    )
                )
        return errors

    @staticmethod
    def existing(codes) -> dict[str, Facility]:
        found: dict[str, Facility] = {}
        for batch in chunks(sorted(set(codes))):
            found.update({f.code: f for f in Facility.objects.filter(code__in=batch).select_related("org_unit")})
        return found

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        existing = self.existing(v["code"] for v in rows)
        to_create: list[Facility] = []
        to_update: list[Facility] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for values in rows:
            attrs = {k: v for k, v in values.items() if not k.startswith("_") and k != "org_unit_code"}
            attrs["org_unit_id"] = values["_org_unit"].pk
            current = existing.get(values["code"])
            if current is None:
                to_create.append(Facility(**attrs))
                continue
            changed = [f for f, v in attrs.items() if getattr(current, f) != v]
            if not changed:
                unchanged += 1
                continue
            for f in changed:
                setattr(current, f, attrs[f])
            changed_fields.update(changed)
            to_update.append(current)
        Facility.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            Facility.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
        return len(to_create), len(to_update), unchanged
