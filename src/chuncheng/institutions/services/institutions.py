"""Institutions (养老机构): file, update, suspend/exit. Every write validates, saves in a transaction, audits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.institutions.choices import GOVERNMENT_OPERATED_KINDS, InstitutionStatus
from chuncheng.institutions.models import Institution
from chuncheng.institutions.services.common import check_institution, full_clean

EDITABLE_FIELDS = (
    "code",
    "name",
    "uscc",
    "org_unit",
    "kind",
    "government_operated",
    "property",
    "lease_years",
    "approved_beds",
    "nursing_beds",
    "safety_net_beds",
    "puhui_beds",
    "is_nursing_type",
    "internal_medical",
    "medical_agreement",
    "filed_on",
    "opened_on",
    "address",
    "phone",
    "lat",
    "lng",
)
# An operator edits the running details of its own institution, not its filing (name, code, area, kind, beds).
OPERATOR_FIELDS = ("address", "phone", "lat", "lng", "internal_medical", "medical_agreement")


def _check_area(actor, institution: Institution) -> None:
    """The unit an institution is filed under must be inside the actor's area (re-checked inside the transaction)."""
    prefix = actor.scope_prefix
    if prefix is None or not institution.org_unit.code.startswith(prefix):
        raise ValidationError(
            {"org_unit": ValidationError(_("This org unit is outside your area."), code="org_out_of_scope")}
        )
    if institution.org_unit.level not in ("township", "village"):
        raise ValidationError(
            {"org_unit": ValidationError(_("An institution is filed under a township or a village."), code="org_level")}
        )


@transaction.atomic
def file_institution(data: dict[str, Any], *, actor) -> Institution:
    """备案: file a new institution in the actor's area."""
    if not permitted(actor, "institution", Action.ADD):
        raise ValidationError(_("You are not allowed to file institutions."), code="permission_denied")
    institution = Institution(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS and v is not None})
    if data.get("government_operated") is None:
        institution.government_operated = institution.kind in GOVERNMENT_OPERATED_KINDS
    _check_area(actor, institution)
    full_clean(institution)
    institution.save()
    audit.record_create(actor, institution, org_code=institution.org_unit.code)
    return institution


@transaction.atomic
def update_institution(institution: Institution, data: dict[str, Any], *, actor) -> Institution:
    """Change an institution's details; an operator only the running details of its own."""
    if not permitted(actor, "institution", Action.CHANGE):
        raise ValidationError(_("You are not allowed to change institutions."), code="permission_denied")
    institution = Institution.objects.select_for_update().select_related("org_unit").get(pk=institution.pk)
    check_institution(actor, institution, "org_unit")
    before = audit.snapshot(institution)
    allowed_fields = OPERATOR_FIELDS if actor.institution_id else EDITABLE_FIELDS
    refused = [k for k in data if k not in allowed_fields]
    if refused:
        raise ValidationError(
            {k: ValidationError(_("You may not change this field."), code="field_not_editable") for k in refused}
        )
    for key, value in data.items():
        setattr(institution, key, value)
    if not actor.institution_id:
        _check_area(actor, institution)
    full_clean(institution)
    institution.save()
    audit.record_update(actor, institution, before, org_code=institution.org_unit.code)
    return institution


@transaction.atomic
def set_status(institution: Institution, status: str, *, actor) -> Institution:
    """Suspend, reopen or mark exited. The record is kept."""
    if actor.institution_id or not permitted(actor, "institution", Action.CHANGE):
        raise ValidationError(
            _("Only officials may suspend an institution or mark it exited."), code="permission_denied"
        )
    if status not in InstitutionStatus.values:
        raise ValidationError({"status": ValidationError(_("Unknown status."), code="choice")})
    institution = Institution.objects.select_for_update().select_related("org_unit").get(pk=institution.pk)
    check_institution(actor, institution, "org_unit")
    before = audit.snapshot(institution, ["status"])
    institution.status = status
    institution.save(update_fields=["status"])
    audit.record_update(actor, institution, before, org_code=institution.org_unit.code)
    return institution
