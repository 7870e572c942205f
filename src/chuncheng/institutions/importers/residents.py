"""The ``residents`` file (入住记录): stays, upserted on (institution, elder, admission date), set-based.

Besides each row's own checks, the file is checked as a whole against the database: one open stay per elder (also
two open stays of one person inside the file) and no more open stays than an institution's approved (and nursing)
beds. A row that re-states a stay already open never fails the bed count: only new occupants do.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.cipher import blind_index
from chuncheng.core.imports import Column, Importer, RowError, RowErrors, choice_parser, parse_date
from chuncheng.core.masking import mask_id_number
from chuncheng.core.validators import validate_id_number
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.institutions.choices import BED_KIND_ALIASES, BedKind
from chuncheng.institutions.importers.common import BATCH, actor_covers, chunks, duplicates, upper_code
from chuncheng.institutions.models import Admission, Institution
from chuncheng.institutions.rules import admission_date_errors, discharge_date_errors

Key = tuple[int, int, date]


def _birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


class ResidentImporter(Importer):
    kind = "residents"
    model = Admission
    resource = "resident"
    columns = [
        Column("institution_uscc", "机构信用代码", required=True, parse=upper_code),
        Column("id_number", "身份证号", required=True, parse=validate_id_number, mask=mask_id_number),
        Column("bed_kind", "床位类型", parse=choice_parser(BedKind, BED_KIND_ALIASES)),
        Column("admitted_on", "入住日期", required=True, parse=parse_date),
        Column("discharged_on", "退住日期", parse=parse_date),
    ]

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        if "bed_kind" in values and values["bed_kind"] is None:
            values["bed_kind"] = BedKind.GENERAL
        today = timezone.localdate()
        problems = admission_date_errors(
            values["admitted_on"], birth_date=_birth_date(values["id_number"]), today=today
        )
        if values.get("discharged_on") is not None:
            problems += discharge_date_errors(values["discharged_on"], admitted_on=values["admitted_on"], today=today)
        if problems:
            raise RowErrors(RowError(row, p.field, str(values.get(p.field) or ""), p.code, p.message) for p in problems)
        return values

    def row_key(self, values: dict[str, Any]) -> Any:
        return (values["institution_uscc"], values["id_number"], values["admitted_on"])

    def check_batch(self, rows):
        errors: list[RowError] = []
        bad: set[int] = set()
        duplicates(rows, self.row_key, "admitted_on", bad, errors)
        self._resolve_institutions(rows, bad, errors)
        self._resolve_elders(rows, bad, errors)
        live = [(n, v) for n, v in rows if n not in bad]
        stays = self._stays_of({v["_elder"].pk for _n, v in live})
        for _n, v in live:
            current = stays.get(self._key(v))
            v["_current"] = current
            # A file without the 退住日期 column leaves the stays' ends as they are.
            v["_discharged"] = v.get("discharged_on", current.discharged_on if current else None)
            v["_bed_kind"] = v.get("bed_kind") or (current.bed_kind if current else BedKind.GENERAL)
        for number, v in live:
            if self._opens(v) and v["_elder"].status != ElderStatus.ACTIVE:
                errors.append(
                    self._error(
                        number, v, "id_number", "elder_not_active", _("The elder is deceased or has moved away.")
                    )
                )
                bad.add(number)
        self._one_open_stay([(n, v) for n, v in live if n not in bad], stays, bad, errors)
        self._beds([(n, v) for n, v in live if n not in bad], bad, errors)
        return errors

    # ---- steps of check_batch ----------------------------------------------------------------------------------

    @staticmethod
    def _key(v: dict[str, Any]) -> Key:
        return (v["_institution"].pk, v["_elder"].pk, v["admitted_on"])

    @staticmethod
    def _opens(v: dict[str, Any]) -> bool:
        """The row leaves the stay open, and it was not open before (a new occupant of a bed)."""
        current = v["_current"]
        return v["_discharged"] is None and (current is None or current.discharged_on is not None)

    @staticmethod
    def _error(number: int, v: dict[str, Any], column: str, code: str, message: str) -> RowError:
        # A report names the person by the masked ID number, as the screens do.
        value = mask_id_number(v["id_number"]) if column == "id_number" else str(v.get(column, ""))[:100]
        return RowError(number, column, value, code, message)

    def _resolve_institutions(self, rows, bad: set[int], errors: list[RowError]) -> None:
        found: dict[str, Institution] = {}
        for batch in chunks(sorted({v["institution_uscc"] for _n, v in rows})):
            found.update({i.uscc: i for i in Institution.objects.filter(uscc__in=batch).select_related("org_unit")})
        for number, v in rows:
            if number in bad:
                continue
            institution = found.get(v["institution_uscc"])
            if institution is None:
                errors.append(
                    self._error(
                        number, v, "institution_uscc", "unknown_institution", _("No institution has this credit code.")
                    )
                )
                bad.add(number)
            elif not actor_covers(self.actor, institution.org_unit.code, institution.pk):
                errors.append(
                    self._error(
                        number, v, "institution_uscc", "org_out_of_scope", _("This institution is outside your scope.")
                    )
                )
                bad.add(number)
            else:
                v["_institution"] = institution

    def _resolve_elders(self, rows, bad: set[int], errors: list[RowError]) -> None:
        indexes = {v["id_number"]: blind_index(v["id_number"], purpose="id_number") for n, v in rows if n not in bad}
        found: dict[str, Elder] = {}
        for batch in chunks(sorted(set(indexes.values()))):
            found.update({e.id_number_index: e for e in Elder.objects.filter(id_number_index__in=batch)})
        for number, v in rows:
            if number in bad:
                continue
            elder = found.get(indexes[v["id_number"]])
            if elder is None:
                errors.append(
                    self._error(
                        number, v, "id_number", "unknown_elder", _("No elder in the registry has this ID number.")
                    )
                )
                bad.add(number)
            else:
                v["_elder"] = elder

    @staticmethod
    def _stays_of(elder_ids: set[int]) -> dict[Key, Admission]:
        stays: dict[Key, Admission] = {}
        for batch in chunks(sorted(elder_ids)):
            for s in Admission.objects.filter(elder_id__in=batch).only(
                "pk", "elder_id", "institution_id", "admitted_on", "discharged_on", "bed_kind"
            ):
                stays[(s.institution_id, s.elder_id, s.admitted_on)] = s
        return stays

    def _one_open_stay(self, rows, stays: dict[Key, Admission], bad: set[int], errors: list[RowError]) -> None:
        """After the import an elder has at most one open stay: those in the database the file does not mention,
        plus the file's open rows."""
        in_file = {self._key(v) for _n, v in rows}
        open_elsewhere = {s.elder_id for key, s in stays.items() if s.discharged_on is None and key not in in_file}
        first_open: dict[int, int] = {}
        for number, v in rows:
            if v["_discharged"] is not None:
                continue
            elder_id = v["_elder"].pk
            if elder_id in open_elsewhere:
                message = _("The elder already has an open stay.")
            elif elder_id in first_open:
                message = _("The elder already has an open stay in row %(row)d of the file.") % {
                    "row": first_open[elder_id]
                }
            else:
                first_open[elder_id] = number
                continue
            errors.append(self._error(number, v, "discharged_on", "admission_one_open_stay", message))
            bad.add(number)

    def _beds(self, rows, bad: set[int], errors: list[RowError]) -> None:
        """New occupants beyond the approved (or, on nursing beds, the nursing) beds are refused, in file order."""
        institutions = {v["_institution"].pk: v["_institution"] for _n, v in rows}
        occupied: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for batch in chunks(sorted(institutions)):
            counted = (
                Admission.objects.filter(institution_id__in=batch, discharged_on__isnull=True)
                .values("institution_id")
                .annotate(total=Count("pk"), nursing=Count("pk", filter=Q(bed_kind=BedKind.NURSING)))
            )
            for c in counted:
                occupied[c["institution_id"]] = [c["total"], c["nursing"]]
        # Stays open now whose row is in the file: the file decides their state, so take them out, then back in.
        for _n, v in rows:
            current = v["_current"]
            if current is not None and current.discharged_on is None:
                counts = occupied[current.institution_id]
                counts[0] -= 1
                counts[1] -= current.bed_kind == BedKind.NURSING
                if v["_discharged"] is None:
                    counts[0] += 1
                    counts[1] += v["_bed_kind"] == BedKind.NURSING
        for number, v in rows:
            if not self._opens(v):
                continue
            institution = v["_institution"]
            counts = occupied[institution.pk]
            nursing = v["_bed_kind"] == BedKind.NURSING
            if counts[0] + 1 > institution.approved_beds:
                errors.append(
                    self._error(
                        number,
                        v,
                        "institution_uscc",
                        "admission_beds_full",
                        _("Every approved bed of the institution is taken."),
                    )
                )
                bad.add(number)
            elif nursing and counts[1] + 1 > institution.nursing_beds:
                errors.append(
                    self._error(
                        number,
                        v,
                        "bed_kind",
                        "admission_nursing_beds_full",
                        _("Every nursing bed of the institution is taken."),
                    )
                )
                bad.add(number)
            else:
                counts[0] += 1
                counts[1] += nursing

    # ---- write -------------------------------------------------------------------------------------------------

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        stays = self._stays_of({v["_elder"].pk for v in rows})
        closing: list[Admission] = []
        opening: list[Admission] = []
        to_create: list[Admission] = []
        unchanged = 0
        for v in rows:
            current = stays.get(self._key(v))
            if current is None:
                to_create.append(
                    Admission(
                        institution=v["_institution"],
                        elder=v["_elder"],
                        admitted_on=v["admitted_on"],
                        bed_kind=v["_bed_kind"],
                        discharged_on=v["_discharged"],
                    )
                )
                continue
            if (current.bed_kind, current.discharged_on) == (v["_bed_kind"], v["_discharged"]):
                unchanged += 1
                continue
            current.bed_kind, current.discharged_on = v["_bed_kind"], v["_discharged"]
            (opening if current.discharged_on is None else closing).append(current)
        # Close first, so the partial unique index on open stays never sees two at once.
        Admission.objects.bulk_update(closing, ["bed_kind", "discharged_on"], batch_size=BATCH)
        Admission.objects.bulk_create(to_create, batch_size=BATCH)
        Admission.objects.bulk_update(opening, ["bed_kind", "discharged_on"], batch_size=BATCH)
        return len(to_create), len(closing) + len(opening), unchanged
