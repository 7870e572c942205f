"""Home and community services (居家社区养老服务): providers (服务商) and their caregivers, the service catalogue
(policy data, versioned by effective date), service orders and verified visits (EVV) with their anomaly flags.

A visit is *payable* only when it is checked out, confirmed by the elder's one-time code, and has no flag that is open
or accepted (``VisitQuerySet.payable``): unverified visits are never paid."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.core.validators import uscc_validator
from chuncheng.elders.models import Elder
from chuncheng.homecare.choices import (
    AlertKind,
    AlertStatus,
    AnomalyRule,
    FlagStatus,
    OrderStatus,
    ServiceKind,
    SettlementStatus,
    TargetGroup,
    VisitStatus,
)
from chuncheng.institutions.models import Staff


class Provider(models.Model):
    """A service provider (服务商): an organisation registered in an area that serves a set of areas."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, validators=[uscc_validator])
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="providers", verbose_name=_("registered in"))
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    areas = models.JSONField(_("areas served"), default=list, help_text=_("org-unit code prefixes"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "homecare_provider"
    scope_org_field = "org_unit"
    scope_institution_field = None
    scope_provider_field = "id"
    scope_personal = False

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def serves(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.areas)


class Caregiver(models.Model):
    """A caregiver of a provider, drawn from the staff registry; ``user`` is the login that checks in and out."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, models.PROTECT, related_name="caregivers")
    staff = models.ForeignKey(Staff, models.PROTECT, related_name="homecare_roles", verbose_name=_("staff member"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="caregiver"
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "homecare_provider"
    scope_org_field = "provider__org_unit"
    scope_institution_field = None
    scope_provider_field = "provider_id"
    scope_personal = True

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        constraints = [models.UniqueConstraint(fields=["provider", "staff"], name="homecare_caregiver_unique")]

    def __str__(self) -> str:
        return self.staff.name


class CatalogueVersion(models.Model):
    """A version of the service catalogue in force from ``effective_from`` to ``effective_to`` (open when null)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service catalogue version")
        verbose_name_plural = _("service catalogue versions")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"v{self.version}"


class CatalogueItem(models.Model):
    """One service of a catalogue version: kind, unit, market price, duration bounds (EVV rules)."""

    version = models.ForeignKey(CatalogueVersion, models.CASCADE, related_name="items")
    kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    unit = models.CharField(_("unit"), max_length=20)
    market_price = models.DecimalField(_("market price"), max_digits=8, decimal_places=2)
    min_minutes = models.PositiveIntegerField(_("minimum minutes"))
    max_minutes = models.PositiveIntegerField(_("maximum minutes"))
    # The basic-service-list item (welfare, by code) under which this kind is subsidised; blank: not checked.
    list_item = models.SlugField(_("basic service list item"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=300)
    is_open = models.BooleanField(_("unverified or open"), default=False)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        constraints = [models.UniqueConstraint(fields=["version", "kind"], name="homecare_item_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class CataloguePrice(models.Model):
    """The price an elder of a target group pays for one unit (the rest is subsidised)."""

    item = models.ForeignKey(CatalogueItem, models.CASCADE, related_name="prices")
    target_group = models.CharField(_("target group"), max_length=12, choices=TargetGroup.choices)
    price = models.DecimalField(_("price paid by the elder"), max_digits=8, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    is_open = models.BooleanField(_("unverified or open"), default=False)

    class Meta:
        verbose_name = _("catalogue price")
        verbose_name_plural = _("catalogue prices")
        constraints = [models.UniqueConstraint(fields=["item", "target_group"], name="homecare_price_group")]


class HomecareSetting(models.Model):
    """A number of the policy data (check-in radius, travel speed), with its source."""

    key = models.SlugField(max_length=50, unique=True)
    value = models.FloatField()
    source = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("home-care setting")
        verbose_name_plural = _("home-care settings")

    def __str__(self) -> str:
        return self.key


class ServiceOrder(models.Model):
    """A home service ordered for an elder from a provider, priced from the catalogue for the elder's group."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="service_orders", verbose_name=_("elder"))
    provider = models.ForeignKey(Provider, models.PROTECT, related_name="orders", verbose_name=_("provider"))
    item = models.ForeignKey(CatalogueItem, models.PROTECT, related_name="orders")
    kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    target_group = models.CharField(_("target group"), max_length=12, choices=TargetGroup.choices)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    market_amount = models.DecimalField(_("market amount"), max_digits=10, decimal_places=2)
    elder_amount = models.DecimalField(_("paid by the elder"), max_digits=10, decimal_places=2)
    subsidy_amount = models.DecimalField(_("subsidy"), max_digits=10, decimal_places=2)
    scheduled_on = models.DateField(_("scheduled for"))
    window_start = models.TimeField(_("scheduled start"), null=True, blank=True)
    window_end = models.TimeField(_("scheduled end"), null=True, blank=True)
    # The window's start as epoch seconds (Kunming time), so the schedule scan compares times with the same SQL on
    # SQLite and PostgreSQL, as the visits' ``*_epoch`` columns do.
    window_start_epoch = models.BigIntegerField(null=True, blank=True, editable=False)
    # The entitlement check made at creation: [{"rule", "label", "expected", "seen", "passed"}, …] (why this subsidy).
    entitlement = models.JSONField(_("entitlement check"), default=list, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    caregiver = models.ForeignKey(
        Caregiver, models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("caregiver")
    )
    note = models.TextField(_("note"), blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "homecare_order"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_provider_field = "provider_id"
    scope_caregiver_field = "caregiver__user_id"
    scope_personal = True

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-scheduled_on", "-id"]
        indexes = [
            models.Index(fields=["provider", "status"], name="homecare_order_provider"),
            models.Index(fields=["scheduled_on"], name="homecare_order_day"),  # the schedule scan
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(elder_amount__gte=0) & Q(subsidy_amount__gte=0),
                name="homecare_order_amounts",
                violation_error_code="bad_amount",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(window_end__isnull=True) | Q(window_start__lt=models.F("window_end")),
                name="homecare_order_window",
                violation_error_code="bad_window",
                violation_error_message=_("The scheduled end must come after the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_on}"


class VisitQuerySet(ScopedQuerySet):
    def payable(self):
        """Checked out, confirmed by the elder, and no flag open or accepted."""
        blocking = VisitFlag.objects.filter(visit_id=OuterRef("pk"), status__in=[FlagStatus.OPEN, FlagStatus.ACCEPTED])
        return self.filter(status=VisitStatus.CLOSED, confirmed=True).filter(~Exists(blocking))


class Visit(models.Model):
    """A verified visit (EVV): kind, elder, caregiver, date, check-in/out time and place, the elder's confirmation.

    Distances to the elder's home are computed once at check-in/out; ``duration_s`` once at check-out; ``*_epoch``
    columns (seconds) let the anomaly rules compare times with the same SQL on SQLite and PostgreSQL."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(ServiceOrder, models.PROTECT, related_name="visits")
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="homecare_visits", verbose_name=_("elder"))
    caregiver = models.ForeignKey(Caregiver, models.PROTECT, related_name="visits", verbose_name=_("caregiver"))
    kind = models.CharField(_("service kind"), max_length=20, choices=ServiceKind.choices)
    visit_date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=6, choices=VisitStatus.choices, default=VisitStatus.OPEN)
    check_in_at = models.DateTimeField(_("check-in"))
    check_in_epoch = models.BigIntegerField()
    check_in_lat = models.FloatField(_("check-in latitude"))
    check_in_lng = models.FloatField(_("check-in longitude"))
    check_in_distance_m = models.FloatField(_("check-in distance (m)"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("check-out"), null=True, blank=True)
    check_out_epoch = models.BigIntegerField(null=True, blank=True)
    check_out_lat = models.FloatField(_("check-out latitude"), null=True, blank=True)
    check_out_lng = models.FloatField(_("check-out longitude"), null=True, blank=True)
    check_out_distance_m = models.FloatField(_("check-out distance (m)"), null=True, blank=True)
    duration_s = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    no_reference_location = models.BooleanField(_("no reference location"), default=False)
    code_hash = models.CharField(max_length=128)
    confirmed = models.BooleanField(_("confirmed by the elder"), default=False)

    objects = VisitQuerySet.as_manager()
    scope_resource = "homecare_visit"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_provider_field = "caregiver__provider_id"
    scope_caregiver_field = "caregiver__user_id"
    scope_personal = True
    # The code's hash is a secret: the audit trail shows only that it is set (audit.snapshot masks these).
    encrypted_fields = ("code_hash",)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-check_in_at", "-id"]
        indexes = [
            models.Index(fields=["caregiver", "check_in_epoch"], name="homecare_visit_cg_time"),
            models.Index(fields=["visit_date"], name="homecare_visit_date"),
            models.Index(fields=["check_in_epoch"], name="homecare_visit_month"),  # the scan's month range
        ]
        constraints = [
            # The database itself refuses a second open check-in for one caregiver.
            models.UniqueConstraint(
                fields=["caregiver"],
                condition=Q(status=VisitStatus.OPEN),
                name="homecare_one_open_visit",
                violation_error_code="open_check_in",
                violation_error_message=_("This caregiver already has an open check-in."),
            ),
            models.CheckConstraint(
                condition=Q(check_out_epoch__isnull=True) | Q(check_out_epoch__gte=models.F("check_in_epoch")),
                name="homecare_visit_out_after_in",
                violation_error_code="no_open_visit",
                violation_error_message=_("Check-out cannot come before check-in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visit_date}"


class VisitFlag(models.Model):
    """An anomaly found on a visit by one rule (one row per visit and rule), and the supervisor's review of it."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="flags")
    rule = models.CharField(_("rule"), max_length=24, choices=AnomalyRule.choices)
    value = models.FloatField(_("measured value"), null=True, blank=True)
    status = models.CharField(_("review"), max_length=8, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope_resource = "homecare_flag"
    scope_org_field = "visit__elder__org_unit"
    scope_institution_field = None
    scope_provider_field = "visit__caregiver__provider_id"
    scope_personal = True

    class Meta:
        verbose_name = _("visit flag")
        verbose_name_plural = _("visit flags")
        ordering = ["status", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["visit", "rule"], name="homecare_flag_unique")]

    def __str__(self) -> str:
        return self.get_rule_display()


class ScheduleAlert(models.Model):
    """A late or missed visit against an order's schedule, raised by the schedule scan (one per order and kind) and
    acknowledged once by a supervisor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(ServiceOrder, models.CASCADE, related_name="alerts")
    kind = models.CharField(_("alert"), max_length=8, choices=AlertKind.choices)
    scheduled_on = models.DateField(_("scheduled for"))
    status = models.CharField(_("status"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "homecare_flag"  # the supervisors who review visit flags acknowledge alerts
    scope_org_field = "order__elder__org_unit"
    scope_institution_field = None
    scope_provider_field = "order__provider_id"
    scope_personal = True

    class Meta:
        verbose_name = _("schedule alert")
        verbose_name_plural = _("schedule alerts")
        ordering = ["status", "-scheduled_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="homecare_alert_unique")]
        indexes = [models.Index(fields=["scheduled_on"], name="homecare_alert_day")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProviderSettlement(models.Model):
    """A provider's monthly settlement (结算): its payable verified visits of the month and their subsidy (the priced
    subsidy of each visit's order), one per provider and month. Made as a draft by an official (maker), approved by
    another official (checker); the approval writes the benefits ledger entry."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, models.PROTECT, related_name="settlements", verbose_name=_("service provider")
    )
    month = models.DateField(_("month (first day)"))
    visits = models.PositiveIntegerField(_("payable visits"))
    excluded = models.PositiveIntegerField(_("visits left out (not payable)"), default=0)
    market_total = models.DecimalField(_("market amount"), max_digits=14, decimal_places=2)
    elder_total = models.DecimalField(_("paid by the elders"), max_digits=14, decimal_places=2)
    subsidy_total = models.DecimalField(_("subsidy total"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=SettlementStatus.choices, default=SettlementStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("settled by")
    )
    created_at = models.DateTimeField(_("settled at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    ledger_entry = models.OneToOneField(
        "benefits.LedgerEntry", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ledger entry")
    )

    objects = ScopedQuerySet.as_manager()
    scope_resource = "homecare_settlement"
    scope_org_field = "provider__org_unit"  # officials see the settlements of providers registered in their area
    scope_institution_field = None
    scope_provider_field = "provider_id"
    scope_personal = False

    class Meta:
        verbose_name = _("provider settlement")
        verbose_name_plural = _("provider settlements")
        ordering = ["-month", "provider__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month"],
                name="homecare_settlement_once",
                violation_error_code="month_settled",
                violation_error_message=_("This provider is already settled for the month."),
            ),
            models.CheckConstraint(
                condition=Q(status=SettlementStatus.DRAFT, ledger_entry__isnull=True)
                | Q(status=SettlementStatus.APPROVED, ledger_entry__isnull=False),
                name="homecare_settlement_ledger",
                violation_error_code="settlement_ledger",
                violation_error_message=_("An approved settlement has its ledger entry; a draft has none."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month:%Y-%m}"
