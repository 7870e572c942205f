"""Welfare: the basic eldercare service list (基本养老服务清单), special-difficulty elders (特殊困难老年人) and their
welfare visits (探访). Rules and items are policy data; their conditions (JSON, see ``conditions.py``) compile to one SQL
WHERE each, and the results (flags, entitlements) are stored tables rebuilt set-based by ``services``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuncheng.core.models import OrgUnit
from chuncheng.core.scope import ScopedQuerySet
from chuncheng.elders.models import Elder
from chuncheng.welfare.choices import ElderCondition, ItemCategory, TaskStatus, VisitMode


class SpecialDifficultyRule(models.Model):
    """One policy rule naming a group of special-difficulty elders (e.g. 经济困难的孤寡老年人)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    condition = models.JSONField(_("condition"))
    source = models.CharField(_("source"), max_length=300)
    open_note = models.TextField(_("open points"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("special-difficulty rule")
        verbose_name_plural = _("special-difficulty rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SpecialDifficultyFlag(models.Model):
    """An elder met a rule (since the date the recompute first saw it)."""

    elder = models.ForeignKey(Elder, models.CASCADE, related_name="difficulty_flags")
    rule = models.ForeignKey(SpecialDifficultyRule, models.CASCADE, related_name="flags")
    since = models.DateField(_("since"))

    objects = ScopedQuerySet.as_manager()
    scope_resource = "welfare_visit"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("special-difficulty flag")
        verbose_name_plural = _("special-difficulty flags")
        constraints = [models.UniqueConstraint(fields=["elder", "rule"], name="welfare_flag_unique")]
        indexes = [models.Index(fields=["rule", "elder"], name="welfare_flag_rule")]


class BasicServiceList(models.Model):
    """A version of the basic service list: a county's own, or the city default (``county`` empty).

    Published lists are never edited; a change is a new version. The list in force for an elder is the newest
    published version of their county whose ``effective_from`` has come, else the city default's."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    county = models.ForeignKey(
        OrgUnit, models.PROTECT, null=True, blank=True, related_name="service_lists", verbose_name=_("county")
    )
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("basic service list")
        verbose_name_plural = _("basic service lists")
        ordering = ["county__code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["county", "version"], name="welfare_list_version"),
            models.UniqueConstraint(
                fields=["version"], condition=models.Q(county__isnull=True), name="welfare_list_city_version"
            ),
        ]

    def __str__(self) -> str:
        area = self.county.name if self.county_id else _("City default")
        return f"{area} v{self.version}"


class BasicServiceItem(models.Model):
    """One item of a list: service, content, target group (as a condition), provider, standard, source."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service_list = models.ForeignKey(BasicServiceList, models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=50)
    category = models.CharField(_("category"), max_length=10, choices=ItemCategory.choices)
    name = models.CharField(_("service"), max_length=100)
    content = models.TextField(_("content"), blank=True)
    target = models.CharField(_("target group"), max_length=200)
    condition = models.JSONField(_("condition"))
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    standard = models.TextField(_("standard"), blank=True)
    funding = models.CharField(_("funding level"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=300)
    is_open = models.BooleanField(_("unverified or open"), default=False)
    open_note = models.TextField(_("open points"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("basic service item")
        verbose_name_plural = _("basic service items")
        ordering = ["service_list", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["service_list", "code"], name="welfare_item_code")]

    def __str__(self) -> str:
        return self.name


class ServiceEntitlement(models.Model):
    """An elder is entitled to an item of the list in force for them (rebuilt set-based on every change)."""

    elder = models.ForeignKey(Elder, models.CASCADE, related_name="service_entitlements")
    item = models.ForeignKey(BasicServiceItem, models.CASCADE, related_name="entitlements")

    objects = ScopedQuerySet.as_manager()
    scope_resource = "service_list"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [models.UniqueConstraint(fields=["elder", "item"], name="welfare_entitlement_unique")]
        indexes = [models.Index(fields=["item", "elder"], name="welfare_entitlement_item")]


class WelfareVisit(models.Model):
    """A welfare visit (探访) to an elder: date, visitor, mode, the elder's condition, risks, needs, referrals."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="welfare_visits")
    visited_on = models.DateField(_("visit date"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="welfare_visits", verbose_name=_("recorded by")
    )
    visitor_name = models.CharField(_("visitor"), max_length=50, help_text=_("who visited (a worker or volunteer)"))
    mode = models.CharField(_("mode"), max_length=10, choices=VisitMode.choices)
    condition = models.CharField(_("condition"), max_length=10, choices=ElderCondition.choices)
    condition_note = models.TextField(_("condition notes"), blank=True)
    risks = models.TextField(_("risks found"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    referrals = models.TextField(_("referrals"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "welfare_visit"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("welfare visit")
        verbose_name_plural = _("welfare visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["elder", "visited_on"], name="welfare_visit_elder_day")]

    def __str__(self) -> str:
        return f"{self.elder} {self.visited_on}"


class FollowUpTask(models.Model):
    """Follow-up of a risk found in a visit, due within the policy's days."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(WelfareVisit, models.PROTECT, related_name="tasks")
    elder = models.ForeignKey(Elder, models.PROTECT, related_name="welfare_tasks")
    description = models.TextField(_("description"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=6, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_resource = "welfare_visit"
    scope_org_field = "elder__org_unit"
    scope_institution_field = None
    scope_personal = True

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:50]


class WelfareSetting(models.Model):
    """A number of the policy pack (visit interval, follow-up days), with its source."""

    key = models.SlugField(max_length=50, unique=True)
    value = models.IntegerField()
    source = models.CharField(max_length=300)

    class Meta:
        verbose_name = _("welfare setting")
        verbose_name_plural = _("welfare settings")

    def __str__(self) -> str:
        return self.key
