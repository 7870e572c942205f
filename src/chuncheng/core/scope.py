"""The one scoping mechanism: every page, endpoint, export and report reads through ``for_user``.

A scoped model declares:
- ``scope_resource``: its name in the permission matrix (core/roles.py);
- ``scope_org_field``: path to the OrgUnit whose code is matched by the user's code prefix ("" = the model is OrgUnit);
- ``scope_institution_field``: path to the owning institution's id for operators, or None when operators see none;
- ``scope_institution_extra``: further conditions on that same join (e.g. only open stays), optional;
- ``scope_provider_field``: path to the owning home-service provider's id for provider accounts (服务商管理员 and
  护理员, ``User.provider``), or None (the default) when provider accounts see none of the model;
- ``scope_caregiver_field``: for the caregiver role, path to the user id of the caregiver record the row is assigned
  to (a caregiver sees only its own orders and visits), or None (the default) when caregivers see none;
- ``scope_personal``: whether it holds personal data (the three administrators never see those).
Out-of-scope records are not in the queryset, so a direct URL gives 404 (not 403, which would confirm existence).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from chuncheng.core.roles import ADMIN_ROLES, Action, Role, allowed


def org_scope_prefix(code: str) -> str:
    """The code prefix an org unit's area covers: 530100 → 5301, 530000 → 53, 530102 → 530102, 9/12 digits as is."""
    if len(code) == 6:
        trimmed = code
        while trimmed.endswith("00") and len(trimmed) > 2:
            trimmed = trimmed[:-2]
        return trimmed
    return code


def permitted(user, resource: str, action: str = Action.VIEW) -> bool:
    return bool(user and user.is_authenticated and user.is_active and allowed(user.role, resource, action))


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user, action: str = Action.VIEW):
        model = self.model
        if not permitted(user, model.scope_resource, action):
            return self.none()
        if user.role in ADMIN_ROLES:
            return self.none() if getattr(model, "scope_personal", True) else self.all()
        org_field = model.scope_org_field
        if getattr(user, "provider_id", None):
            path = getattr(model, "scope_provider_field", None)
            if path is None:
                return self.none()
            qs = self.filter(**{path: user.provider_id})
            if user.role == Role.CAREGIVER:
                own = getattr(model, "scope_caregiver_field", None)
                return qs.filter(**{own: user.pk}) if own else self.none()
            return qs
        if user.institution_id:
            path = getattr(model, "scope_institution_field", None)
            if path is None:
                return self.none()
            extra = getattr(model, "scope_institution_extra", {})
            return self.filter(**{path: user.institution_id}, **extra)
        prefix = user.scope_prefix
        if not prefix:
            return self.none()
        lookup = f"{org_field}__code__startswith" if org_field else "code__startswith"
        return self.filter(**{lookup: prefix})


def get_for_user(queryset: models.QuerySet, user, action: str = Action.VIEW, **lookup):
    """Fetch one record through the user's scope; anything outside it is indistinguishable from absent (404)."""
    try:
        return queryset.for_user(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
