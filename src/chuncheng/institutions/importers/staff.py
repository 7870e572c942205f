"""The ``staff`` file (从业人员): upsert on (employer, ID number), set-based; ID numbers encrypted per row."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _

from chuncheng.core.cipher import blind_index, get_cipher, get_key_provider
from chuncheng.core.imports import Column, Importer, RowError, choice_parser, parse_bool, parse_date
from chuncheng.core.masking import mask_id_number
from chuncheng.core.validators import validate_id_number
from chuncheng.institutions.choices import SKILL_GRADE_ALIASES, STAFF_ROLE_ALIASES, SkillGrade, StaffRole
from chuncheng.institutions.importers.common import BATCH, actor_covers, chunks, duplicates, parse_text
from chuncheng.institutions.models import Facility, Institution, Staff
from chuncheng.institutions.rules import staff_date_errors
from chuncheng.institutions.services.staff import STAFF_TABLE

DEFAULTS = {"skill_grade": "", "certificate_no": "", "trained": False, "social_insurance": False}
DATE_FIELDS = ("hired_on", "left_on", "contract_start", "contract_end")
UPDATE_FIELDS = (
    "name",
    "role",
    "skill_grade",
    "certificate_no",
    "trained",
    "contract_start",
    "contract_end",
    "social_insurance",
    "hired_on",
    "left_on",
)


class StaffImporter(Importer):
    """data-exchange.md §staff. ``contract_start``/``contract_end`` (劳动合同起止) are two columns, headed
    劳动合同开始日期 and 劳动合同结束日期 in Chinese."""

    kind = "staff"
    model = Staff
    resource = "staff"
    columns = [
        Column("employer_code", "机构信用代码或设施编码", required=True, parse=parse_text),
        Column("id_number", "身份证号", required=True, parse=validate_id_number, mask=mask_id_number),
        Column("name", "姓名", required=True, parse=parse_text),
        Column("role", "岗位", required=True, parse=choice_parser(StaffRole, STAFF_ROLE_ALIASES)),
        Column("skill_grade", "职业技能等级", parse=choice_parser(SkillGrade, SKILL_GRADE_ALIASES)),
        Column("certificate_no", "证书编号", parse=parse_text),
        Column("trained", "已参加护理培训", parse=parse_bool),
        Column("contract_start", "劳动合同开始日期", parse=parse_date),
        Column("contract_end", "劳动合同结束日期", parse=parse_date),
        Column("social_insurance", "缴纳社保", parse=parse_bool),
        Column("hired_on", "入职日期", parse=parse_date),
        Column("left_on", "离职日期", parse=parse_date),
    ]

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        for key, default in DEFAULTS.items():
            if key in values and values[key] is None:
                values[key] = default
        values["_index"] = blind_index(values["id_number"], purpose="id_number", provider=self._provider())
        return values

    def _provider(self):
        if not hasattr(self, "_key_provider"):
            self._key_provider = get_key_provider()
        return self._key_provider

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["employer_code"], values["id_number"])

    def check_batch(self, rows):
        errors: list[RowError] = []
        bad: set[int] = set()
        duplicates(rows, self.row_key, "id_number", bad, errors, show=lambda v: mask_id_number(v["id_number"]))
        employers = self.employers({v["employer_code"] for _n, v in rows})
        for number, v in rows:
            if number in bad:
                continue
            employer = employers.get(v["employer_code"])
            if employer is None:
                message = _("No institution has this credit code and no facility has this code.")
                errors.append(RowError(number, "employer_code", v["employer_code"], "unknown_employer", message))
                bad.add(number)
                continue
            institution_id = employer.pk if isinstance(employer, Institution) else None
            if not actor_covers(self.actor, employer.org_unit.code, institution_id):
                message = _("This employer is outside your scope.")
                errors.append(RowError(number, "employer_code", v["employer_code"], "org_out_of_scope", message))
                bad.add(number)
                continue
            v["_employer"] = employer
        live = [(n, v) for n, v in rows if n not in bad]
        existing = self.existing(v for _n, v in live)
        for number, v in live:
            current = existing.get(self._key(v))
            merged = {f: v[f] if f in v else getattr(current, f, None) for f in DATE_FIELDS}
            problems = staff_date_errors(**merged)
            if problems:
                bad.add(number)
                errors.extend(
                    RowError(number, p.field, str(merged[p.field] or ""), p.code, p.message) for p in problems
                )
        return errors

    @staticmethod
    def _key(v: dict[str, Any]) -> tuple[str, int, str]:
        employer = v["_employer"]
        return ("i" if isinstance(employer, Institution) else "f", employer.pk, v["_index"])

    @staticmethod
    def employers(codes: set[str]) -> dict[str, Institution | Facility]:
        """An employer code is an institution's credit code, else a facility's code."""
        found: dict[str, Institution | Facility] = {}
        for batch in chunks(sorted(codes)):
            found.update({f.code: f for f in Facility.objects.filter(code__in=batch).select_related("org_unit")})
            by_uscc = {c.upper(): c for c in batch}
            for i in Institution.objects.filter(uscc__in=by_uscc).select_related("org_unit"):
                found[by_uscc[i.uscc]] = i
        return found

    def existing(self, rows) -> dict[tuple[str, int, str], Staff]:
        rows = list(rows)
        found: dict[tuple[str, int, str], Staff] = {}
        for batch in chunks(sorted({v["_index"] for v in rows})):
            for s in Staff.objects.filter(id_number_index__in=batch):
                if s.institution_id:
                    found[("i", s.institution_id, s.id_number_index)] = s
                else:
                    found[("f", s.facility_id, s.id_number_index)] = s
        return found

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        cipher = get_cipher()
        existing = self.existing(rows)
        to_create: list[Staff] = []
        to_update: list[Staff] = []
        changed_fields: set[str] = set()
        unchanged = 0
        for v in rows:
            attrs = {k: v[k] for k in UPDATE_FIELDS if k in v}
            current = existing.get(self._key(v))
            if current is None:
                employer = v["_employer"]
                public_id = uuid.uuid4()
                staff = Staff(public_id=public_id, org_unit_id=employer.org_unit_id, **attrs)
                if isinstance(employer, Institution):
                    staff.institution_id = employer.pk
                else:
                    staff.facility_id = employer.pk
                staff.id_number_enc = cipher.encrypt(
                    v["id_number"], table=STAFF_TABLE, column="id_number_enc", row=str(public_id)
                )
                staff.id_number_index = v["_index"]
                staff.id_number_masked = mask_id_number(v["id_number"])
                to_create.append(staff)
                continue
            changed = [f for f, value in attrs.items() if getattr(current, f) != value]
            if not changed:
                unchanged += 1
                continue
            for f in changed:
                setattr(current, f, attrs[f])
            changed_fields.update(changed)
            to_update.append(current)
        Staff.objects.bulk_create(to_create, batch_size=BATCH)
        if to_update:
            Staff.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
        return len(to_create), len(to_update), unchanged
