"""Core tables: the org-unit tree, users with their one scope, and the append-only audit, security and access logs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuncheng.core.roles import PROVIDER_ROLES, Level, Role
from chuncheng.core.scope import ScopedQuerySet, org_scope_prefix


class OrgUnitQuerySet(ScopedQuerySet):
    def valid_on(self, day):
        """Units that existed on ``day``: the tree as it was then (boundaries change; see docs/architecture.md)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def within(self, prefix: str):
        return self.filter(code__startswith=prefix)


class OrgUnitScopedQuerySet(ScopedQuerySet):
    """For core records that hang off an org unit (population figures)."""


class OrgUnit(models.Model):
    """A node of the administrative tree (行政区划): city, county, township or village.

    Codes follow GB/T 2260 (6 digits) and the NBS statistical division codes (9 and 12 digits), so an area's
    records are those whose unit code starts with the area's ``scope_prefix``. A unit that is split, merged or
    abolished is not deleted: it gets ``valid_to`` and its ``successors``; records keep the unit they were filed under.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    urban = models.BooleanField(_("urban"), default=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("first day it no longer exists"))
    successors = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="predecessors")
    scope_prefix = models.CharField(max_length=12, db_index=True, editable=False)

    objects = OrgUnitQuerySet.as_manager()

    scope_resource = "orgunit"
    scope_org_field = ""
    scope_institution_field = "institutions__id"
    scope_personal = False

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="orgunit_valid_range",
                violation_error_code="orgunit_valid_range",
                violation_error_message=_("The end of validity must come after its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs):
        self.scope_prefix = org_scope_prefix(self.code)
        super().save(*args, **kwargs)

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to > day)


class User(AbstractUser):
    """A person who logs in. Exactly one role and exactly one scope: an org unit, an institution for operators, or a
    home-service provider for provider accounts (服务商管理员, 护理员)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("org unit")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("institution"),
    )
    provider = models.ForeignKey(
        "homecare.Provider",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("service provider"),
    )
    must_change_password = models.BooleanField(_("must change password"), default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role=Role.INSTITUTION_OPERATOR,
                        institution__isnull=False,
                        org_unit__isnull=True,
                        provider__isnull=True,
                    )
                )
                | (
                    Q(role__in=sorted(PROVIDER_ROLES))
                    & Q(provider__isnull=False, org_unit__isnull=True, institution__isnull=True)
                )
                | (
                    ~Q(role__in=[Role.INSTITUTION_OPERATOR, *sorted(PROVIDER_ROLES)])
                    & Q(org_unit__isnull=False, institution__isnull=True, provider__isnull=True)
                ),
                name="user_exactly_one_scope",
                violation_error_code="user_exactly_one_scope",
                violation_error_message=_(
                    "A user has exactly one scope: an org unit, an institution for operators, or a service provider "
                    "for provider accounts."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_superuser=False),
                name="user_no_superuser",
                violation_error_code="user_no_superuser",
                violation_error_message=_("Superusers are not allowed; use the three administrator roles."),
            ),
        ]

    @property
    def scope_prefix(self) -> str | None:
        """Code prefix of the user's area; None for institution operators and provider accounts (scoped by their
        institution or provider instead)."""
        if self.institution_id or self.provider_id:
            return None
        return self.org_unit.scope_prefix if self.org_unit_id else None


class AppendOnly(models.Model):
    """Marker base for the audit tables: database triggers refuse UPDATE and DELETE on them (see migrations)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit rows are append-only")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    BULK_CREATE = "bulk_create", _("Bulk create")
    BULK_UPDATE = "bulk_update", _("Bulk update")
    STATE = "state", _("State change")


class AuditEntry(AppendOnly):
    """One change of a business record: who, when, what, before and after. Never a decrypted encrypted value."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    model = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200, blank=True)
    org_code = models.CharField(max_length=12, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=1, help_text=_("rows touched (bulk paths)"))
    request_id = models.CharField(max_length=36, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id", "at"])]


class SecurityEventKind(models.TextChoices):
    LOGIN_OK = "login_ok", _("Login succeeded")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKOUT = "lockout", _("Account locked out")
    LOGOUT = "logout", _("Logout")
    SESSION_TIMEOUT = "session_timeout", _("Session timed out")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    OTP_ENROLLED = "otp_enrolled", _("Second factor enrolled")
    OTP_FAILED = "otp_failed", _("Second factor failed")
    ROLE_CHANGE = "role_change", _("Role or scope changed")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
    UNLOCK = "unlock", _("Account unlocked")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REFUSED = "token_refused", _("API token refused")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    ACCESS_DENIED = "access_denied", _("Access denied")
    AUDIT_SEARCH = "audit_search", _("Audit log searched")


class SecurityEvent(AppendOnly):
    """Logins, lock-outs, role changes, exports, denials and the administrators' own acts (22239 §8.1.4.3)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=SecurityEventKind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]


class AccessLog(AppendOnly):
    """A read of a person's full record: who looked at whom, which fields, why. Never the values themselves."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]


class ImportLog(AppendOnly):
    """One import of a file: who, when, which kind, the file's hash and the counts (data-exchange.md)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(default=False)
    partial = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_invalid = models.PositiveIntegerField(default=0)
    org_code = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name = _("import log entry")
        verbose_name_plural = _("import log")
        ordering = ["-at", "-id"]


class ApiToken(models.Model):
    """A token for another system calling the API. Only a hash is stored; the key is shown once at issue."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("first characters of the key, to tell tokens apart"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class Population(models.Model):
    """Yearly population of an org unit (人口): the denominators of most indicators."""

    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="populations", verbose_name=_("org unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    population_total = models.PositiveIntegerField(_("resident population"))
    population_60plus = models.PositiveIntegerField(_("population aged 60+"))
    population_65plus = models.PositiveIntegerField(_("population aged 65+"), null=True, blank=True)
    infants_0_3 = models.PositiveIntegerField(_("infants aged 0-3"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)

    objects = OrgUnitScopedQuerySet.as_manager()

    scope_resource = "population"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_personal = False

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("population")
        ordering = ["org_unit__code", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year"],
                name="population_unique_year",
                violation_error_code="population_duplicate",
                violation_error_message=_("This unit already has a figure for this year."),
            ),
            models.CheckConstraint(
                condition=Q(population_60plus__lte=F("population_total")),
                name="population_60_le_total",
                violation_error_code="population_60_le_total",
                violation_error_message=_("The 60+ population cannot exceed the total."),
            ),
            models.CheckConstraint(
                condition=Q(population_65plus__isnull=True) | Q(population_65plus__lte=F("population_60plus")),
                name="population_65_le_60",
                violation_error_code="population_65_le_60",
                violation_error_message=_("The 65+ population cannot exceed the 60+ population."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.year}"
