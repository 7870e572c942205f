"""Accounts: creation by the system administrator, roles and scopes by the security administrator (三权分立)."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.models import OrgUnit, SecurityEventKind, User
from chuncheng.core.roles import ADMIN_ROLES, PROVIDER_ROLES, ROLE_LEVEL, Level, Role, capable


def password_expired(user, now=None) -> bool:
    """Administrators change their password every ADMIN_PASSWORD_MAX_AGE_DAYS days (22239 §8.1.4.1a, checklist A1)."""
    from django.conf import settings

    if user.role not in ADMIN_ROLES:
        return False
    changed = user.password_changed_at or user.date_joined
    return (now or timezone.now()) - changed > settings.ADMIN_PASSWORD_MAX_AGE


def generate_password(length: int = 16) -> str:
    """A one-time password that passes the policy: all four character classes."""
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_=+"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and any(c.isdigit() for c in value)
            and any(not c.isalnum() for c in value)
        ):
            return value


def _check_scope(role: str, org_unit: OrgUnit | None, institution, provider=None) -> None:
    if role not in Role.values:
        raise ValidationError({"role": ValidationError(_("Unknown role."), code="role_unknown")})
    if role in PROVIDER_ROLES:
        if provider is None or org_unit is not None or institution is not None:
            raise ValidationError(
                {
                    "provider": ValidationError(
                        _("A provider operator or caregiver is scoped to one service provider (and nothing else)."),
                        code="scope_provider",
                    )
                }
            )
        if not provider.active:
            raise ValidationError(
                {"provider": ValidationError(_("This provider is not active."), code="provider_inactive")}
            )
        return
    if provider is not None:
        raise ValidationError(
            {
                "provider": ValidationError(
                    _("Only provider operators and caregivers are scoped to a service provider."),
                    code="scope_provider_role",
                )
            }
        )
    if role == Role.INSTITUTION_OPERATOR:
        if institution is None or org_unit is not None:
            raise ValidationError(_("An institution operator is scoped to one institution."), code="scope_operator")
        return
    if org_unit is None or institution is not None:
        raise ValidationError(_("This role is scoped to one org unit."), code="scope_org_unit")
    expected = ROLE_LEVEL[role]
    if expected and org_unit.level != expected:
        raise ValidationError(
            {
                "org_unit": ValidationError(
                    _("This role works at the %(level)s level.") % {"level": Level(expected).label}, code="scope_level"
                )
            }
        )


def _require(actor, capability: str) -> None:
    # actor None = the command line run by the machine's operator (init, demo, createuser).
    if actor is not None and not capable(actor.role, capability):
        raise ValidationError(_("You are not allowed to do this."), code="permission_denied")


@transaction.atomic
def create_user(
    username: str,
    role: str,
    *,
    org_unit: OrgUnit | None = None,
    institution=None,
    provider=None,
    password: str | None = None,
    name: str = "",
    actor=None,
) -> tuple[User, str]:
    """Create an account with a one-time password it must change at first login. Returns (user, password).
    Provider operators and caregivers are scoped to a ``provider`` (homecare.Provider)."""
    _require(actor, "manage_accounts")
    _check_scope(role, org_unit, institution, provider)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": ValidationError(_("This username is taken."), code="username_taken")})
    user = User(
        username=username,
        role=role,
        org_unit=org_unit,
        institution=institution,
        provider=provider,
        first_name=name,
        must_change_password=True,
    )
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record_create(actor, user)
    audit.security_event(SecurityEventKind.ACCOUNT_CREATED, user=actor, target=user.username, role=role)
    return user, password


@transaction.atomic
def assign_role(
    user: User, role: str, *, org_unit: OrgUnit | None = None, institution=None, provider=None, actor=None
) -> User:
    """Change a user's role and scope. The security administrator may not change their own account."""
    _require(actor, "assign_roles")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("Nobody changes their own role."), code="self_role_change")
    _check_scope(role, org_unit, institution, provider)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user, ["role", "org_unit", "institution", "provider"])
    user.role, user.org_unit, user.institution, user.provider = role, org_unit, institution, provider
    user.full_clean()
    user.save(update_fields=["role", "org_unit", "institution", "provider"])
    audit.record_update(actor, user, before)
    audit.security_event(
        SecurityEventKind.ROLE_CHANGE,
        user=actor,
        target=user.username,
        role=role,
        scope=(org_unit.code if org_unit else str(institution or provider)),
    )
    if role in ADMIN_ROLES:
        # A new administrator enrols a fresh second factor.
        user.totpdevice_set.all().delete()
    return user


@transaction.atomic
def set_active(user: User, active: bool, *, actor=None) -> User:
    _require(actor, "manage_accounts")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("Nobody disables their own account."), code="self_disable")
    before = audit.snapshot(user, ["is_active"])
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record_update(actor, user, before)
    if not active:
        audit.security_event(SecurityEventKind.ACCOUNT_DISABLED, user=actor, target=user.username)
    return user


@transaction.atomic
def change_password(user: User, new_password: str) -> None:
    password_validation.validate_password(new_password, user)
    if user.check_password(new_password):
        raise ValidationError(_("The new password must differ from the old one."), code="password_unchanged")
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.security_event(SecurityEventKind.PASSWORD_CHANGE, user=user)


def unlock(username: str, *, actor=None) -> int:
    """Lift a lock-out (security administrator). Returns how many lock records were removed."""
    from axes.models import AccessAttempt

    _require(actor, "unlock_accounts")
    count, _detail = AccessAttempt.objects.filter(username=username).delete()
    audit.security_event(SecurityEventKind.UNLOCK, user=actor, target=username)
    return count
