"""Community eldercare facilities (社区养老服务设施): file, update, close, reopen."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.roles import Action
from chuncheng.institutions.choices import FacilityStatus
from chuncheng.institutions.models import Facility
from chuncheng.institutions.services.common import check_area, full_clean, require

FACILITY_FIELDS = ("code", "name", "kind", "org_unit", "operator", "area_m2", "beds", "opened_on", "lat", "lng")


def _locked(facility: Facility, actor) -> Facility:
    facility = Facility.objects.select_for_update().select_related("org_unit").get(pk=facility.pk)
    check_area(actor, facility.org_unit)
    return facility


@transaction.atomic
def file_facility(data: dict[str, Any], *, actor) -> Facility:
    """Record a new facility in the actor's area."""
    require(actor, "facility", Action.ADD)
    refused = [k for k in data if k not in FACILITY_FIELDS]
    if refused:
        raise ValidationError(
            {k: ValidationError(_("You may not change this field."), code="field_not_editable") for k in refused}
        )
    facility = Facility(**{k: v for k, v in data.items() if v is not None})
    if facility.org_unit_id:
        check_area(actor, facility.org_unit)
    full_clean(facility)
    facility.save()
    audit.record_create(actor, facility, org_code=facility.org_unit.code)
    return facility


@transaction.atomic
def update_facility(facility: Facility, data: dict[str, Any], *, actor) -> Facility:
    """Change a facility's details (moving it to another unit only inside the actor's area)."""
    require(actor, "facility", Action.CHANGE)
    facility = _locked(facility, actor)
    refused = [k for k in data if k not in FACILITY_FIELDS]
    if refused:
        raise ValidationError(
            {k: ValidationError(_("You may not change this field."), code="field_not_editable") for k in refused}
        )
    before = audit.snapshot(facility)
    for key, value in data.items():
        setattr(facility, key, value)
    check_area(actor, facility.org_unit)
    full_clean(facility)
    facility.save()
    audit.record_update(actor, facility, before, org_code=facility.org_unit.code)
    return facility


def _set_status(facility: Facility, status: str, actor) -> Facility:
    require(actor, "facility", Action.CHANGE)
    facility = _locked(facility, actor)
    before = audit.snapshot(facility, ["status"])
    facility.status = status
    facility.save(update_fields=["status"])
    audit.record_update(actor, facility, before, org_code=facility.org_unit.code)
    return facility


@transaction.atomic
def close_facility(facility: Facility, *, actor) -> Facility:
    """A closed facility keeps its record (and its staff's history); it leaves the coverage figures."""
    return _set_status(facility, FacilityStatus.CLOSED, actor)


@transaction.atomic
def reopen_facility(facility: Facility, *, actor) -> Facility:
    return _set_status(facility, FacilityStatus.ACTIVE, actor)
