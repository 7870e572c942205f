"""Staff (从业人员) of institutions and facilities: hire, update, leave.

The ID number is stored like an elder's: encrypted and bound to this row (table, column, public_id), a keyed blind
index for exact look-up, and a masked copy for display. The audit trail never holds it in clear.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.cipher import blind_index, get_cipher
from chuncheng.core.masking import mask_id_number
from chuncheng.core.roles import Action
from chuncheng.core.validators import validate_id_number
from chuncheng.institutions.models import Facility, Institution, Staff
from chuncheng.institutions.rules import staff_date_errors
from chuncheng.institutions.services.common import (
    check_area,
    check_institution,
    full_clean,
    raise_rule_errors,
    require,
)

STAFF_FIELDS = (
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
STAFF_TABLE = "institutions_staff"


def encrypt_id_number(staff: Staff, id_number: str) -> None:
    """Set the three ID columns of ``staff`` from a validated ID number (its public_id must be final)."""
    staff.id_number_enc = get_cipher().encrypt(
        id_number, table=STAFF_TABLE, column="id_number_enc", row=str(staff.public_id)
    )
    staff.id_number_index = blind_index(id_number, purpose="id_number")
    staff.id_number_masked = mask_id_number(id_number)


def decrypt_id_number(staff: Staff) -> str:
    return get_cipher().decrypt(
        staff.id_number_enc, table=STAFF_TABLE, column="id_number_enc", row=str(staff.public_id)
    )


def check_employer(actor, employer: Institution | Facility) -> None:
    if isinstance(employer, Institution):
        check_institution(actor, employer, "employer")
    elif getattr(actor, "institution_id", None):
        raise ValidationError(
            {"employer": ValidationError(_("This facility is outside your scope."), code="out_of_scope")}
        )
    else:
        check_area(actor, employer.org_unit, "employer")


def _refuse_unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    refused = [k for k in data if k not in allowed]
    if refused:
        raise ValidationError(
            {k: ValidationError(_("You may not change this field."), code="field_not_editable") for k in refused}
        )


def _check_dates(staff: Staff) -> None:
    raise_rule_errors(
        staff_date_errors(
            hired_on=staff.hired_on,
            left_on=staff.left_on,
            contract_start=staff.contract_start,
            contract_end=staff.contract_end,
        )
    )


@transaction.atomic
def hire_staff(employer: Institution | Facility, data: dict[str, Any], *, actor) -> Staff:
    """Add a person to an institution's or a facility's staff. ``data`` holds ``id_number`` and STAFF_FIELDS."""
    require(actor, "staff", Action.ADD)
    model = type(employer)
    employer = model.objects.select_for_update().select_related("org_unit").get(pk=employer.pk)
    check_employer(actor, employer)
    data = dict(data)
    raw_id = data.pop("id_number", "") or ""
    _refuse_unknown(data, STAFF_FIELDS)
    try:
        id_number = validate_id_number(raw_id)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc}) from exc
    staff = Staff(org_unit=employer.org_unit, **{k: v for k, v in data.items() if v is not None})
    if isinstance(employer, Institution):
        staff.institution = employer
    else:
        staff.facility = employer
    encrypt_id_number(staff, id_number)
    _check_dates(staff)
    full_clean(staff)
    staff.save()
    audit.record_create(actor, staff, org_code=employer.org_unit.code)
    return staff


def _locked(staff: Staff, actor) -> Staff:
    staff = (
        # PostgreSQL cannot lock the nullable side of an outer join: lock the staff row only.
        Staff.objects.select_for_update(of=("self",))
        .select_related("org_unit", "institution__org_unit", "facility__org_unit")
        .get(pk=staff.pk)
    )
    check_employer(actor, staff.institution or staff.facility)
    return staff


@transaction.atomic
def update_staff(staff: Staff, data: dict[str, Any], *, actor) -> Staff:
    """Correct a staff member's details. The ID number and the employer do not change (hire anew instead)."""
    require(actor, "staff", Action.CHANGE)
    staff = _locked(staff, actor)
    _refuse_unknown(data, STAFF_FIELDS)
    before = audit.snapshot(staff)
    for key, value in data.items():
        setattr(staff, key, value)
    _check_dates(staff)
    full_clean(staff)
    staff.save()
    audit.record_update(actor, staff, before, org_code=staff.org_unit.code)
    return staff


@transaction.atomic
def leave_staff(staff: Staff, left_on: date, *, actor) -> Staff:
    """离职: the person leaves the post on ``left_on`` (not before the hire date, not in the future)."""
    require(actor, "staff", Action.CHANGE)
    staff = _locked(staff, actor)
    if staff.left_on is not None:
        raise ValidationError(
            {"left_on": ValidationError(_("This person has already left."), code="staff_not_in_post")}
        )
    if left_on > timezone.localdate():
        raise ValidationError(
            {"left_on": ValidationError(_("The date cannot be in the future."), code="leave_date_future")}
        )
    before = audit.snapshot(staff, ["left_on"])
    staff.left_on = left_on
    _check_dates(staff)
    full_clean(staff)
    staff.save(update_fields=["left_on"])
    audit.record_update(actor, staff, before, org_code=staff.org_unit.code)
    return staff
