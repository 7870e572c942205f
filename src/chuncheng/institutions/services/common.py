"""What every registry service shares: the permission gate, the area check, and model validation with field errors."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from chuncheng.core.roles import ADMIN_ROLES
from chuncheng.core.scope import permitted
from chuncheng.institutions.rules import CONSTRAINT_FIELDS, RuleError


def require(actor, resource: str, action: str) -> None:
    """Refuse the act itself when the role may not do it (the API answers 403, a page shows the message)."""
    if not permitted(actor, resource, action):
        raise ValidationError(_("You are not allowed to do this."), code="permission_denied")


def in_area(actor, org_code: str) -> bool:
    prefix = getattr(actor, "scope_prefix", None)
    return bool(prefix) and org_code.startswith(prefix) and actor.role not in ADMIN_ROLES


def check_area(actor, org_unit, field: str = "org_unit") -> None:
    """A record may only be filed under a unit inside the actor's area (re-checked inside the transaction)."""
    if org_unit is None or not in_area(actor, org_unit.code):
        raise ValidationError(
            {field: ValidationError(_("This org unit is outside your area."), code="org_out_of_scope")}
        )


def institution_in_scope(actor, institution) -> bool:
    """Operators act for their own institution only; area users for the institutions filed inside their area."""
    if getattr(actor, "institution_id", None):
        return actor.institution_id == institution.pk
    return in_area(actor, institution.org_unit.code)


def check_institution(actor, institution, field: str = "institution") -> None:
    if not institution_in_scope(actor, institution):
        raise ValidationError(
            {field: ValidationError(_("This institution is outside your scope."), code="out_of_scope")}
        )


def raise_rule_errors(errors: Iterable[RuleError]) -> None:
    """Raise the pure rules' errors as one ValidationError keyed by field."""
    by_field: dict[str, list[ValidationError]] = {}
    for e in errors:
        by_field.setdefault(e.field, []).append(ValidationError(e.message, code=e.code))
    if by_field:
        raise ValidationError(by_field)


def full_clean(instance: models.Model, exclude: Iterable[str] | None = None) -> None:
    """``full_clean``, with a constraint's error moved onto the field it is about, so forms and the API name it."""
    try:
        instance.full_clean(exclude=list(exclude) if exclude else None)
    except ValidationError as exc:
        moved: dict[str, list[ValidationError]] = {}
        for field, errors in exc.error_dict.items():
            for error in errors:
                target = CONSTRAINT_FIELDS.get(error.code, field) if field == NON_FIELD_ERRORS else field
                moved.setdefault(target, []).append(error)
        raise ValidationError(moved) from exc
