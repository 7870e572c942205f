"""The ``institutions`` file (养老机构): upsert on the unified social credit code, set-based."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from chuncheng.core.imports import (
    Column,
    Importer,
    RowError,
    choice_parser,
    parse_bool,
    parse_date,
    parse_non_negative_int,
)
from chuncheng.core.orgunits import parse_code
from chuncheng.core.validators import validate_uscc
from chuncheng.institutions.choices import (
    GOVERNMENT_OPERATED_KINDS,
    INSTITUTION_KIND_ALIASES,
    PROPERTY_ALIASES,
    InstitutionKind,
    Property,
)
from chuncheng.institutions.importers.common import (
    BATCH,
    actor_covers,
    chunks,
    parse_latitude,
    parse_longitude,
    parse_phone,
    parse_text,
    resolve_org_units,
)
from chuncheng.institutions.models import Institution
from chuncheng.institutions.rules import institution_bed_errors

TEXT_DEFAULTS = {"code": "", "property": "", "address": "", "phone": ""}
NUMBER_DEFAULTS = {"safety_net_beds": 0, "puhui_beds": 0}
FLAG_DEFAULTS = {"is_nursing_type": False, "internal_medical": False, "medical_agreement": False}
BED_FIELDS = ("approved_beds", "nursing_beds", "safety_net_beds", "puhui_beds", "property", "lease_years")


class InstitutionImporter(Importer):
    """Columns of data-exchange.md §institutions. A blank optional cell means "none" (empty text, 0 beds, no);
    a column absent from the file leaves that field of an existing institution as it is."""

    kind = "institutions"
    model = Institution
    resource = "institution"
    natural_key = "uscc"
    columns = [
        Column("code", "机构编码", parse=parse_text),
        Column("name", "机构名称", required=True, parse=parse_text),
        Column("uscc", "统一社会信用代码", required=True, parse=validate_uscc),
        Column("org_unit_code", "所在区划代码", required=True, parse=parse_code),
        Column("kind", "机构类型", required=True, parse=choice_parser(InstitutionKind, INSTITUTION_KIND_ALIASES)),
        Column("government_operated", "政府运营", parse=parse_bool),
        Column("property", "房屋产权", parse=choice_parser(Property, PROPERTY_ALIASES)),
        Column("lease_years", "租期（年）", parse=parse_non_negative_int),
        Column("approved_beds", "核定床位数", required=True, parse=parse_non_negative_int),
        Column("nursing_beds", "护理型床位数", required=True, parse=parse_non_negative_int),
        Column("safety_net_beds", "兜底床位数", parse=parse_non_negative_int),
        Column("puhui_beds", "普惠床位数", parse=parse_non_negative_int),
        Column("is_nursing_type", "护理型机构", parse=parse_bool),
        Column("internal_medical", "内设医疗机构", parse=parse_bool),
        Column("medical_agreement", "签约医疗机构", parse=parse_bool),
        Column("filed_on", "备案日期", parse=parse_date),
        Column("opened_on", "投入使用日期", parse=parse_date),
        Column("address", "地址", parse=parse_text),
        Column("phone", "电话", parse=parse_phone),
        Column("lat", "纬度", parse=parse_latitude),
        Column("lng", "经度", parse=parse_longitude),
    ]

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        for defaults in (TEXT_DEFAULTS, NUMBER_DEFAULTS, FLAG_DEFAULTS):
            for key, default in defaults.items():
                if key in values and values[key] is None:
                    values[key] = default
        if "government_operated" in values and values["government_operated"] is None:
            values["government_operated"] = values["kind"] in GOVERNMENT_OPERATED_KINDS
        return values

    def check_batch(self, rows):
        errors = super().check_batch(rows)  # duplicate_in_file on uscc
        bad = {e.row for e in errors}
        resolve_org_units(self, rows, bad, errors, levels=frozenset({"township", "village"}))
        existing = self.existing(v["uscc"] for _n, v in rows)
        for number, values in rows:
            if number in bad:
                continue
            current = existing.get(values["uscc"])
            if current is not None and not actor_covers(self.actor, current.org_unit.code):
                errors.append(
                    RowError(
                        number,
                        "uscc",
                        values["uscc"],
                        "org_out_of_scope",
                        _("This institution is outside your area."),
                    )
                )
                continue
            merged = self.merged_beds(values, current)
            for e in institution_bed_errors(**merged):
                value = merged[e.field]
                errors.append(RowError(number, e.field, "" if value is None else str(value), e.code, e.message))
        return errors

    @staticmethod
    def merged_beds(values: dict[str, Any], current: Institution | None) -> dict[str, Any]:
        """The bed figures the institution will have: the file's, or (column absent) the current or default ones."""
        merged = {}
        for f in BED_FIELDS:
            if f in values:
                merged[f] = values[f]
            elif current is not None:
                merged[f] = getattr(current, f)
            else:
                merged[f] = Institution._meta.get_field(f).get_default()
        return merged

    @staticmethod
    def existing(usccs) -> dict[str, Institution]:
        found: dict[str, Institution] = {}
        for batch in chunks(sorted(set(usccs))):
            found.update({i.uscc: i for i in Institution.objects.filter(uscc__in=batch).select_related("org_unit")})
        return found

    @staticmethod
    def attributes(values: dict[str, Any]) -> dict[str, Any]:
        attrs = {k: v for k, v in values.items() if not k.startswith("_") and k != "org_unit_code"}
        attrs["org_unit_id"] = values["_org_unit"].pk
        return attrs

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        existing = self.existing(v["uscc"] for v in rows)
        to_create: list[Institution] = []
        to_update: list[Institution] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for values in rows:
            attrs = self.attributes(values)
            current = existing.get(values["uscc"])
            if current is None:
                if attrs.get("government_operated") is None:
                    attrs["government_operated"] = attrs["kind"] in GOVERNMENT_OPERATED_KINDS
                to_create.append(Institution(**attrs))
                continue
            changed = [f for f, v in attrs.items() if getattr(current, f) != v]
            if not changed:
                unchanged += 1
                continue
            for f in changed:
                setattr(current, f, attrs[f])
            changed_fields.update(changed)
            to_update.append(current)
        Institution.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            Institution.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
        return len(to_create), len(to_update), unchanged
