"""Roles, the levels they work at, and what each may do. Roles are code concepts, not policy numbers.

The three 等保 level-3 administrators (system, security, audit) are separate roles; an account has exactly one role,
so no account can hold two of them (22239 §8.1.4.2d). None of the three reads business personal data.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Level(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Street / township")
    VILLAGE = "village", _("Community / village")


class Role(models.TextChoices):
    CITY_OFFICIAL = "city_official", _("City official")
    COUNTY_OFFICIAL = "county_official", _("County official")
    TOWNSHIP_WORKER = "township_worker", _("Township worker")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    INSTITUTION_OPERATOR = "institution_operator", _("Institution operator")
    ASSESSOR = "assessor", _("Assessor")
    PROVIDER_OPERATOR = "provider_operator", _("Provider operator")
    CAREGIVER = "caregiver", _("Caregiver")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Accounts of a home-service provider (服务商): scoped to the provider, not to an area (``User.provider``).
PROVIDER_ROLES = frozenset({Role.PROVIDER_OPERATOR, Role.CAREGIVER})

# The org-unit level each area role is scoped to; operators are scoped to an institution, administrators to the
# root of the tree (they manage the system, not its records).
ROLE_LEVEL: dict[str, str | None] = {
    Role.CITY_OFFICIAL: Level.CITY,
    Role.COUNTY_OFFICIAL: Level.COUNTY,
    Role.TOWNSHIP_WORKER: Level.TOWNSHIP,
    Role.COMMUNITY_WORKER: Level.VILLAGE,
    Role.INSTITUTION_OPERATOR: None,
    # An assessor (评估员) of an assessment agency works in the county the account is scoped to.
    Role.ASSESSOR: Level.COUNTY,
    # Provider accounts are scoped to their provider (服务商), not to an org unit.
    Role.PROVIDER_OPERATOR: None,
    Role.CAREGIVER: None,
    Role.SYSTEM_ADMIN: Level.CITY,
    Role.SECURITY_ADMIN: Level.CITY,
    Role.AUDIT_ADMIN: Level.CITY,
}


class Action(models.TextChoices):
    VIEW = "view", _("View")
    ADD = "add", _("Add")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")


ALL_ACTIONS = frozenset(Action.values)
READ_ACTIONS = frozenset({Action.VIEW, Action.EXPORT})

# Business permissions: resource -> role -> actions. A resource is a domain app's record kind ("institution").
# Scope (which records) is applied separately by ScopedQuerySet.for_user; this says only what kind of act is allowed.
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "orgunit": {
        Role.CITY_OFFICIAL: READ_ACTIONS,
        Role.COUNTY_OFFICIAL: READ_ACTIONS,
        Role.TOWNSHIP_WORKER: READ_ACTIONS,
        Role.COMMUNITY_WORKER: READ_ACTIONS,
        Role.INSTITUTION_OPERATOR: frozenset({Action.VIEW}),
        Role.SYSTEM_ADMIN: frozenset({Action.VIEW, Action.IMPORT, Action.CHANGE}),
        Role.SECURITY_ADMIN: frozenset({Action.VIEW}),
        Role.AUDIT_ADMIN: frozenset({Action.VIEW}),
    },
}

# What the administrators do instead of business work.
ADMIN_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({"manage_accounts", "import_org_units"}),
    Role.SECURITY_ADMIN: frozenset({"assign_roles", "unlock_accounts", "view_security_events"}),
    Role.AUDIT_ADMIN: frozenset({"search_audit", "view_security_events", "view_access_log"}),
}


def allowed(role: str, resource: str, action: str) -> bool:
    return action in PERMISSIONS.get(resource, {}).get(role, frozenset())


def capable(role: str, capability: str) -> bool:
    return capability in ADMIN_CAPABILITIES.get(role, frozenset())


def register_resource(resource: str, matrix: dict[str, frozenset[str]]) -> None:
    """Domain apps declare their resource's role matrix here at import time (core knows no domain app)."""
    PERMISSIONS[resource] = matrix


# Navigation by module: (url name, label, resource that must be viewable, menu group). Domain apps append theirs;
# modules of one group share a drop-down menu, so the bar stays one line as modules are added.
MODULES: list[tuple[str, str, str, str]] = [
    ("core:orgunit_list", gettext_noop("Administrative divisions"), "orgunit", gettext_noop("Registry"))
]


# Entries shown only to some roles (url name -> roles). An entry without one is shown to every role permitted to view
# its resource except the provider roles: provider accounts see only the entries registered for them (their portal).
MODULE_ROLES: dict[str, frozenset[str]] = {}


def register_module(
    url_name: str, label: str, resource: str, group: str = "", *, roles: frozenset[str] | set[str] | None = None
) -> None:
    if (url_name, label, resource, group) not in MODULES:
        MODULES.append((url_name, label, resource, group))
    if roles is not None:
        MODULE_ROLES[url_name] = frozenset(roles)


def permitted_modules(role: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The menu for a role: (group label, [(url name, label)]) in registration order; a group of one is a link."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for url, label, resource, group in MODULES:
        only = MODULE_ROLES.get(url)
        shown = role in only if only is not None else role not in PROVIDER_ROLES
        if shown and allowed(role, resource, Action.VIEW):
            groups.setdefault(group or label, []).append((url, label))
    return list(groups.items())
