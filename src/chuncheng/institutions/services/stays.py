"""Residents' stays (入住/退住/转院): admit, discharge, transfer.

Locks, always in this order: the stay being closed, then the receiving institution, then the elder. The bed count is
read under the institution's row lock, so two admissions cannot both take the last bed; the database's partial unique
index on open stays is the last word on "one open stay per elder".
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.roles import Action
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.institutions.choices import BedKind, DischargeReason, InstitutionStatus
from chuncheng.institutions.models import Admission, Institution
from chuncheng.institutions.rules import admission_date_errors, discharge_date_errors
from chuncheng.institutions.services.common import check_institution, full_clean, raise_rule_errors, require


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def open_counts(institution: Institution) -> tuple[int, int]:
    """(open stays, open stays on nursing beds) of an institution, in one query."""
    counts = Admission.objects.filter(institution=institution, discharged_on__isnull=True).aggregate(
        total=Count("pk"), nursing=Count("pk", filter=Q(bed_kind=BedKind.NURSING))
    )
    return counts["total"], counts["nursing"]


@transaction.atomic
def admit(elder: Elder, institution: Institution, *, bed_kind: str, admitted_on: date, actor) -> Admission:
    """入住: open a stay of ``elder`` in ``institution`` from ``admitted_on``.

    Refused (code): the elder already stays somewhere (``admission_one_open_stay``), every approved bed is taken
    (``admission_beds_full``), every nursing bed is taken for a nursing bed (``admission_nursing_beds_full``), the
    elder is deceased or moved away (``elder_not_active``), the date is before the elder's birth or in the future, or
    before the end of the elder's previous stay, or the institution is suspended or exited.
    """
    require(actor, "resident", Action.ADD)
    if bed_kind not in BedKind.values:
        raise _error("bed_kind", _("Unknown bed kind."), "choice")
    institution = Institution.objects.select_for_update().select_related("org_unit").get(pk=institution.pk)
    check_institution(actor, institution)
    if institution.status != InstitutionStatus.ACTIVE:
        raise _error("institution", _("The institution is not in operation."), "institution_not_active")
    elder = Elder.objects.select_for_update().get(pk=elder.pk)
    if elder.status != ElderStatus.ACTIVE:
        raise _error("elder", _("The elder is deceased or has moved away."), "elder_not_active")
    raise_rule_errors(admission_date_errors(admitted_on, birth_date=elder.birth_date, today=timezone.localdate()))
    if Admission.objects.filter(elder=elder, discharged_on__isnull=True).exists():
        raise _error("elder", _("The elder already has an open stay."), "admission_one_open_stay")
    last_end = (
        Admission.objects.filter(elder=elder, discharged_on__gt=admitted_on)
        .order_by("-discharged_on")
        .values_list("discharged_on", flat=True)
        .first()
    )
    if last_end is not None:
        raise _error(
            "admitted_on",
            _("The elder's previous stay ended after this date."),
            "admission_overlaps_previous_stay",
        )
    occupied, nursing = open_counts(institution)
    if occupied >= institution.approved_beds:
        raise _error("institution", _("Every approved bed of the institution is taken."), "admission_beds_full")
    if bed_kind == BedKind.NURSING and nursing >= institution.nursing_beds:
        raise _error("bed_kind", _("Every nursing bed of the institution is taken."), "admission_nursing_beds_full")
    admission = Admission(elder=elder, institution=institution, bed_kind=bed_kind, admitted_on=admitted_on)
    full_clean(admission)
    try:
        with transaction.atomic():
            admission.save()
    except IntegrityError as exc:
        # A concurrent admission of the same person won the race for the partial unique index.
        raise _error("elder", _("The elder already has an open stay."), "admission_one_open_stay") from exc
    audit.record_create(actor, admission, org_code=institution.org_unit.code)
    return admission


@transaction.atomic
def discharge(admission: Admission, discharged_on: date, reason: str, *, actor) -> Admission:
    """退住: close an open stay on ``discharged_on`` (not before the admission, not in the future)."""
    require(actor, "resident", Action.CHANGE)
    admission = (
        Admission.objects.select_for_update().select_related("institution__org_unit", "elder").get(pk=admission.pk)
    )
    check_institution(actor, admission.institution)
    if admission.discharged_on is not None:
        raise _error("discharged_on", _("This stay has already ended."), "admission_not_open")
    if reason not in DischargeReason.values:
        raise _error("reason", _("Unknown discharge reason."), "choice")
    raise_rule_errors(
        discharge_date_errors(discharged_on, admitted_on=admission.admitted_on, today=timezone.localdate())
    )
    before = audit.snapshot(admission, ["discharged_on", "discharge_reason"])
    admission.discharged_on = discharged_on
    admission.discharge_reason = reason
    full_clean(admission)
    admission.save(update_fields=["discharged_on", "discharge_reason"])
    audit.record_update(actor, admission, before, org_code=admission.institution.org_unit.code)
    return admission


@transaction.atomic
def transfer(
    admission: Admission, to_institution: Institution, on: date, *, actor, bed_kind: str | None = None
) -> Admission:
    """转院: discharge from one institution and admit to another on the same day, atomically; the old stay links to
    the new one (``transferred_to``). Returns the new stay. Either both happen or neither."""
    if to_institution.pk == admission.institution_id:
        raise _error("to_institution", _("Choose another institution."), "admission_transfer_same_institution")
    old = discharge(admission, on, DischargeReason.TRANSFERRED, actor=actor)
    new = admit(old.elder, to_institution, bed_kind=bed_kind or old.bed_kind, admitted_on=on, actor=actor)
    before = audit.snapshot(old, ["transferred_to"])
    old.transferred_to = new
    old.save(update_fields=["transferred_to"])
    audit.record_update(actor, old, before, org_code=old.institution.org_unit.code)
    return new
