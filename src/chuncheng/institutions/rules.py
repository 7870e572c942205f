"""Pure rules of the registry: no database, so the importer, the services and the tests share one definition.

The bed and lease rules are also CheckConstraints of ``Institution`` (the database is the last word); the importer runs
them here row by row so a file is checked before anything is written, with the same codes and messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from chuncheng.institutions.choices import Property

# Constraint code → the form/API field its error belongs to (a constraint's error is otherwise not tied to a field).
CONSTRAINT_FIELDS = {
    "institution_nursing_le_approved": "nursing_beds",
    "institution_safety_net_puhui_le_approved": "puhui_beds",
    "institution_lease_years_if_leased": "lease_years",
    "admission_one_open_stay": "elder",
    "admission_discharge_before_admission": "discharged_on",
    "staff_leave_before_hire": "left_on",
    "staff_duplicate": "id_number",
    "staff_one_employer": "employer",
}

NURSING_LE_APPROVED = _("Nursing beds cannot exceed approved beds.")
SAFETY_NET_PUHUI_LE_APPROVED = _("Safety-net plus puhui beds cannot exceed approved beds.")
LEASE_YEARS_IF_LEASED = _("A leased property needs its lease years.")


@dataclass(frozen=True)
class RuleError:
    field: str
    code: str
    message: str


def institution_bed_errors(
    *,
    approved_beds: int,
    nursing_beds: int,
    safety_net_beds: int = 0,
    puhui_beds: int = 0,
    property: str = "",
    lease_years: int | None = None,
) -> list[RuleError]:
    """The institution's bed and lease rules (the three CheckConstraints), each broken one as a field error."""
    errors: list[RuleError] = []
    if nursing_beds > approved_beds:
        errors.append(RuleError("nursing_beds", "institution_nursing_le_approved", str(NURSING_LE_APPROVED)))
    if safety_net_beds + puhui_beds > approved_beds:
        errors.append(
            RuleError("puhui_beds", "institution_safety_net_puhui_le_approved", str(SAFETY_NET_PUHUI_LE_APPROVED))
        )
    if property == Property.LEASED and lease_years is None:
        errors.append(RuleError("lease_years", "institution_lease_years_if_leased", str(LEASE_YEARS_IF_LEASED)))
    return errors


def occupancy(occupied: int, beds: int) -> float | None:
    """入住率: occupied beds over beds, None when there are no beds (not 0: nothing to fill is not empty)."""
    return round(occupied / beds, 4) if beds else None


def admission_date_errors(admitted_on: date, *, birth_date: date, today: date) -> list[RuleError]:
    """An admission date is neither before the elder's birth nor in the future."""
    errors: list[RuleError] = []
    if admitted_on > today:
        errors.append(RuleError("admitted_on", "admission_date_future", str(_("The date cannot be in the future."))))
    if admitted_on < birth_date:
        errors.append(
            RuleError(
                "admitted_on",
                "admission_before_birth",
                str(_("The admission date cannot come before the elder's birth.")),
            )
        )
    return errors


def discharge_date_errors(discharged_on: date, *, admitted_on: date, today: date) -> list[RuleError]:
    """A discharge is not before its admission and not in the future."""
    errors: list[RuleError] = []
    if discharged_on < admitted_on:
        errors.append(
            RuleError(
                "discharged_on",
                "admission_discharge_before_admission",
                str(_("The discharge date cannot come before the admission date.")),
            )
        )
    if discharged_on > today:
        errors.append(RuleError("discharged_on", "discharge_date_future", str(_("The date cannot be in the future."))))
    return errors


def staff_date_errors(
    *,
    hired_on: date | None,
    left_on: date | None,
    contract_start: date | None,
    contract_end: date | None,
) -> list[RuleError]:
    """A staff member leaves after being hired; a labour contract ends after it starts."""
    errors: list[RuleError] = []
    if hired_on and left_on and left_on < hired_on:
        errors.append(
            RuleError("left_on", "staff_leave_before_hire", str(_("The leave date cannot come before the hire date.")))
        )
    if contract_start and contract_end and contract_end < contract_start:
        errors.append(
            RuleError(
                "contract_end",
                "staff_contract_end_before_start",
                str(_("The contract cannot end before it starts.")),
            )
        )
    return errors
