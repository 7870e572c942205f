"""Every write of the welfare module: loading the policy pack, set-based recompute of flags and entitlements,
publishing a list version, recording visits, closing follow-up tasks. Transactional and audited.

Recompute is set-based: per rule (per list item) one DELETE of the rows whose elder no longer matches and one
``INSERT … SELECT`` of the elders that match and have no row yet. Nothing loops over elders in Python, so the same
code serves 6 elders in a test and 1.22 million in the city (benchmarks/welfare_recompute.py). Unchanged rows stay, so
a flag keeps the day it was first seen and a second run changes nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import today
from chuncheng.welfare import conditions
from chuncheng.welfare.choices import ErrorCode, TaskStatus
from chuncheng.welfare.models import (
    BasicServiceItem,
    BasicServiceList,
    FollowUpTask,
    ServiceEntitlement,
    SpecialDifficultyFlag,
    SpecialDifficultyRule,
    WelfareSetting,
    WelfareVisit,
)

PACK_DIR = Path(__file__).resolve().parent.parent / "policies" / "kunming"
DEFAULTS = {"visit_interval_days": 30, "follow_up_days": 7}
VISIT_FIELDS = (
    "visited_on",
    "visitor_name",
    "mode",
    "condition",
    "condition_note",
    "risks",
    "needs",
    "referrals",
)


def _require(actor, resource: str, action: str) -> None:
    if actor is not None and not permitted(actor, resource, action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))


def setting(key: str) -> int:
    """A number of the policy pack (falls back to the pack's default when the pack is not loaded)."""
    row = WelfareSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return DEFAULTS[key] if row is None else row


# ---- the policy pack ---------------------------------------------------------------------------------------


@transaction.atomic
def load_policy_pack(*, actor=None, directory: Path = PACK_DIR) -> dict[str, int]:
    """Load the rules, settings and the city-default list (version 1, published) from the pack's JSON files.

    Rules are updated in place by code; the city list is created once (a published list is never rewritten — a
    change is a new version). Returns counts."""
    rules_doc = json.loads((directory / "special-difficulty-rules.json").read_text(encoding="utf-8"))
    list_doc = json.loads((directory / "basic-service-list.json").read_text(encoding="utf-8"))
    named = {"economic_difficulty": rules_doc["economic_difficulty"]["condition"]}
    for key, entry in rules_doc["settings"].items():
        WelfareSetting.objects.update_or_create(key=key, defaults={"value": entry["value"], "source": entry["source"]})
    codes = []
    for entry in rules_doc["rules"]:
        condition = conditions.expand(entry["condition"], named)
        conditions.validate(condition)
        if "special_difficulty" in json.dumps(condition):
            raise refusal(None, ErrorCode.BAD_CONDITION, _("A special-difficulty rule cannot refer to itself."))
        SpecialDifficultyRule.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "condition": condition,
                "source": entry["source"],
                "open_note": entry.get("open", ""),
                "active": True,
            },
        )
        codes.append(entry["code"])
    SpecialDifficultyRule.objects.exclude(code__in=codes).update(active=False)
    created_items = 0
    meta = list_doc["list"]
    if not BasicServiceList.objects.filter(county__isnull=True, version=meta["version"]).exists():
        city_list = BasicServiceList.objects.create(
            county=None,
            version=meta["version"],
            effective_from=date.fromisoformat(meta["effective_from"]),
            published_at=timezone.now(),
            source=meta["source"],
        )
        for position, entry in enumerate(list_doc["items"]):
            condition = conditions.expand(entry["condition"], named)
            conditions.validate(condition)
            BasicServiceItem.objects.create(
                service_list=city_list,
                position=position,
                code=entry["code"],
                category=entry["category"],
                name=entry["name"],
                content=entry.get("content", ""),
                target=entry["target"],
                condition=condition,
                provider=entry.get("provider", ""),
                standard=entry.get("standard", ""),
                funding=entry.get("funding", ""),
                source=entry["source"],
                is_open=bool(entry.get("open")),
                open_note=entry.get("open_note", ""),
            )
            created_items += 1
    summary = {"rules": len(codes), "items": created_items}
    audit.record_bulk(actor, AuditAction.BULK_UPDATE, SpecialDifficultyRule, len(codes), {"policy_pack": "kunming"})
    return summary


# ---- set-based recompute ------------------------------------------------------------------------------------


def _insert_select(model: type[models.Model], columns: list[str], qs: models.QuerySet) -> int:
    """``INSERT INTO model (columns) <qs>``: one statement, whatever the number of rows."""
    sql, params = qs.query.sql_with_params()
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({quoted}) {sql}", params)
        return cursor.rowcount


@transaction.atomic
def recompute_special_difficulty(*, actor=None, day: date | None = None) -> dict[str, int]:
    """Rebuild every elder's special-difficulty flags: per rule one DELETE and one INSERT … SELECT.

    Flags are kept for elders who died or moved away (the visit rate of past months needs them); lists and the
    overdue list take active elders only."""
    _require(actor, "service_list", Action.CHANGE)
    day = day or today()
    added = removed = 0
    for rule in SpecialDifficultyRule.objects.order_by("pk"):
        matching = (
            Elder.objects.filter(conditions.compile_q(rule.condition, day)) if rule.active else Elder.objects.none()
        )
        removed += (
            SpecialDifficultyFlag.objects.filter(rule=rule)
            .filter(~Exists(matching.filter(pk=OuterRef("elder_id"))))
            .delete()[0]
        )
        if not rule.active:
            continue
        new = (
            matching.filter(~Exists(SpecialDifficultyFlag.objects.filter(rule=rule, elder_id=OuterRef("pk"))))
            .annotate(rule_value=Value(rule.pk, output_field=models.BigIntegerField()))
            .annotate(since_value=Value(day, output_field=models.DateField()))
            .values_list("id", "rule_value", "since_value")
        )
        added += _insert_select(SpecialDifficultyFlag, ["elder_id", "rule_id", "since"], new)
    summary = {"added": added, "removed": removed, "day": str(day)}
    audit.record_bulk(actor, AuditAction.BULK_UPDATE, SpecialDifficultyFlag, added + removed, summary)
    return summary


def lists_in_force(day: date) -> dict[int | None, BasicServiceList]:
    """County id (None = the city default) → the list in force on ``day``: published, effective, newest."""
    chosen: dict[int | None, BasicServiceList] = {}
    published = BasicServiceList.objects.filter(published_at__isnull=False, effective_from__lte=day).select_related(
        "county"
    )
    for lst in published.order_by("effective_from", "version"):
        chosen[lst.county_id] = lst
    return chosen


def list_for_county(county_code: str, day: date) -> BasicServiceList | None:
    """The list in force for an elder of this county (its own, else the city default)."""
    lists = lists_in_force(day)
    for county_id, lst in lists.items():
        if county_id is not None and lst.county.code == county_code:
            return lst
    return lists.get(None)


def _area_q(lst: BasicServiceList, in_force: dict[int | None, BasicServiceList]) -> Q:
    if lst.county_id is not None:
        return Q(org_unit__code__startswith=lst.county.scope_prefix)
    q = Q()
    for county_id, other in in_force.items():
        if county_id is not None:
            q &= ~Q(org_unit__code__startswith=other.county.scope_prefix)
    return q


@transaction.atomic
def recompute_entitlements(*, actor=None, day: date | None = None) -> dict[str, int]:
    """Rebuild every active elder's entitlements under the list in force for their county (set-based)."""
    _require(actor, "service_list", Action.CHANGE)
    day = day or today()
    in_force = lists_in_force(day)
    removed = ServiceEntitlement.objects.exclude(item__service_list__in=list(in_force.values())).delete()[0]
    added = 0
    for lst in in_force.values():
        area = Elder.objects.filter(status=ElderStatus.ACTIVE).filter(_area_q(lst, in_force))
        for item in lst.items.order_by("pk"):
            matching = area.filter(conditions.compile_q(item.condition, day))
            removed += (
                ServiceEntitlement.objects.filter(item=item)
                .filter(~Exists(matching.filter(pk=OuterRef("elder_id"))))
                .delete()[0]
            )
            new = (
                matching.filter(~Exists(ServiceEntitlement.objects.filter(item=item, elder_id=OuterRef("pk"))))
                .annotate(item_value=Value(item.pk, output_field=models.BigIntegerField()))
                .values_list("id", "item_value")
            )
            added += _insert_select(ServiceEntitlement, ["elder_id", "item_id"], new)
    summary = {"added": added, "removed": removed, "day": str(day), "lists": len(in_force)}
    audit.record_bulk(actor, AuditAction.BULK_UPDATE, ServiceEntitlement, added + removed, summary)
    return summary


def recompute_all(*, actor=None, day: date | None = None) -> dict[str, Any]:
    """After a policy change: flags first (list items may ask for them), then entitlements."""
    with transaction.atomic():
        return {
            "special_difficulty": recompute_special_difficulty(actor=actor, day=day),
            "entitlements": recompute_entitlements(actor=actor, day=day),
        }


# ---- list versions -----------------------------------------------------------------------------------------


def _check_list_scope(actor, county: OrgUnit | None) -> None:
    """City officials manage every list; a county official only their county's."""
    prefix = getattr(actor, "scope_prefix", None) or ""
    city_wide = bool(prefix) and len(prefix) <= 4
    allowed = city_wide if county is None else bool(prefix) and county.code.startswith(prefix) and len(prefix) <= 6
    if not allowed:
        raise refusal(None, ErrorCode.LIST_OUT_OF_SCOPE, _("This list is outside your area."))


@transaction.atomic
def draft_list(
    county: OrgUnit | None, effective_from: date, *, actor, base: BasicServiceList | None = None
) -> BasicServiceList:
    """A new unpublished version for a county (or the city default), its items copied from ``base`` (default: the
    list in force there today)."""
    _require(actor, "service_list", Action.ADD)
    _check_list_scope(actor, county)
    if base is None:
        base = list_for_county(county.code, today()) if county else lists_in_force(today()).get(None)
    last = BasicServiceList.objects.filter(county=county).order_by("-version").values_list("version", flat=True).first()
    lst = BasicServiceList(
        county=county, version=(last or 0) + 1, effective_from=effective_from, source=base.source if base else ""
    )
    lst.full_clean()
    lst.save()
    if base is not None:
        for item in base.items.all():
            item.pk = None
            item.public_id = uuid.uuid4()
            item.service_list = lst
            item.save()
    audit.record_create(actor, lst, org_code=county.code if county else "")
    return lst


@transaction.atomic
def publish_list(lst: BasicServiceList, *, actor) -> BasicServiceList:
    """Publish a list version (it takes effect on its ``effective_from``) and recompute entitlements."""
    _require(actor, "service_list", Action.CHANGE)
    lst = BasicServiceList.objects.select_for_update(of=("self",)).select_related("county").get(pk=lst.pk)
    _check_list_scope(actor, lst.county)
    if lst.published_at is not None:
        raise refusal(None, ErrorCode.LIST_ALREADY_PUBLISHED, _("This list is already published."))
    for item in lst.items.all():
        conditions.validate(item.condition)
    before = audit.snapshot(lst)
    lst.published_at = timezone.now()
    lst.save(update_fields=["published_at"])
    audit.record_update(actor, lst, before, org_code=lst.county.code if lst.county else "")
    recompute_entitlements(actor=None)
    return lst


# ---- welfare visits ----------------------------------------------------------------------------------------


@transaction.atomic
def record_visit(elder: Elder, data: dict[str, Any], *, actor) -> WelfareVisit:
    """Record a visit to an elder of the actor's area; a risk found opens a follow-up task."""
    _require(actor, "welfare_visit", Action.ADD)
    unknown = [k for k in data if k not in VISIT_FIELDS]
    if unknown:
        raise ValidationError(
            {k: ValidationError(_("You may not set this field."), code="field_not_editable") for k in unknown}
        )
    elder = (
        Elder.objects.for_user(actor)
        .select_for_update(of=("self",))
        .select_related("org_unit")
        .filter(pk=elder.pk)
        .first()
    )
    if elder is None:
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This elder is outside your area."))
    if elder.status != ElderStatus.ACTIVE:
        raise refusal(
            None, ErrorCode.ELDER_NOT_ACTIVE, _("This elder has died or moved away: no visit can be recorded.")
        )
    visited_on = data.get("visited_on")
    if isinstance(visited_on, date) and visited_on > today():
        raise refusal("visited_on", ErrorCode.VISIT_IN_FUTURE, _("The visit date cannot be in the future."))
    if isinstance(visited_on, date) and visited_on < elder.birth_date:
        raise refusal("visited_on", ErrorCode.VISIT_BEFORE_BIRTH, _("The visit date is before the elder's birth."))
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    clean.setdefault("visitor_name", actor.get_full_name() or actor.username)
    if not clean.get("visitor_name"):
        clean["visitor_name"] = actor.username
    visit = WelfareVisit(elder=elder, visitor=actor, **clean)
    visit.full_clean()
    visit.save()
    audit.record_create(actor, visit, org_code=elder.org_unit.code)
    if visit.risks:
        task = FollowUpTask(
            visit=visit,
            elder=elder,
            description=visit.risks,
            due_on=visit.visited_on + timedelta(days=setting("follow_up_days")),
        )
        task.full_clean()
        task.save()
        audit.record_create(actor, task, org_code=elder.org_unit.code)
    return visit


@transaction.atomic
def close_task(task: FollowUpTask, outcome: str, *, actor) -> FollowUpTask:
    """Close a follow-up task with what was done."""
    _require(actor, "welfare_visit", Action.CHANGE)
    task = (
        FollowUpTask.objects.for_user(actor, Action.CHANGE).select_for_update(of=("self",)).filter(pk=task.pk).first()
    )
    if task is None:
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This task is outside your area."))
    if task.status != TaskStatus.OPEN:
        raise refusal(None, ErrorCode.TASK_CLOSED, _("This task is already closed."))
    if not (outcome or "").strip():
        raise refusal("outcome", "required", _("Say what was done."))
    before = audit.snapshot(task)
    task.status = TaskStatus.DONE
    task.outcome = outcome.strip()
    task.closed_at = timezone.now()
    task.save(update_fields=["status", "outcome", "closed_at"])
    audit.record_update(actor, task, before)
    return task
