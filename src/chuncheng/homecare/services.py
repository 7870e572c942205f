"""Every write of home care: loading the catalogue, providers and caregivers, the order's transitions, check-in and
check-out, the anomaly scan and the review of flags. Each runs in a transaction and is audited; a refusal is a
``ValidationError`` with a Chinese message and a stable English code (``choices.ErrorCode``) and writes nothing.

The anomaly scan is set-based: one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per rule over a month of visits (the
same SQL on SQLite and PostgreSQL), so re-running it adds only new flags and keeps the reviews already made.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder
from chuncheng.elders.queries import SHANGHAI
from chuncheng.homecare import rules
from chuncheng.homecare.choices import (
    TRANSITIONS,
    AlertKind,
    AlertStatus,
    AnomalyRule,
    EntitlementRule,
    ErrorCode,
    FlagStatus,
    OrderStatus,
    ServiceKind,
    TargetGroup,
    VisitStatus,
)
from chuncheng.homecare.models import (
    Caregiver,
    CatalogueItem,
    CataloguePrice,
    CatalogueVersion,
    HomecareSetting,
    Provider,
    ScheduleAlert,
    ServiceOrder,
    Visit,
    VisitFlag,
)
from chuncheng.institutions.models import Admission

CATALOGUE = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "homecare" / "catalogue.json"
DEFAULTS = {
    "check_in_radius_m": 200.0,
    "max_travel_speed_kmh": 60.0,
    "late_after_minutes": 30.0,
    **{f"monthly_allowance_{group}": 0.0 for group in TargetGroup.values},
}


def _require(actor, resource: str, action: str) -> None:
    if actor is not None and not permitted(actor, resource, action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to do this."))


def setting(key: str) -> float:
    """A number of the policy data (the default when the catalogue is not loaded)."""
    row = HomecareSetting.objects.filter(key=key).values_list("value", flat=True).first()
    return DEFAULTS[key] if row is None else row


# ---- the catalogue (policy data) ------------------------------------------------------------------------------


def _check_catalogue(doc: dict[str, Any]) -> None:
    groups = set(TargetGroup.values)
    for entry in doc["items"]:
        if entry["kind"] not in ServiceKind.values:
            raise refusal(None, ErrorCode.BAD_CATALOGUE, _("The catalogue names an unknown service kind."))
        if set(entry["prices"]) != groups or int(entry["min_minutes"]) >= int(entry["max_minutes"]):
            raise refusal(None, ErrorCode.BAD_CATALOGUE, _("A catalogue item needs a price per group and bounds."))
        if not entry.get("source"):
            raise refusal(None, ErrorCode.BAD_CATALOGUE, _("Every catalogue item needs its source."))
    allowance = doc.get("monthly_subsidy_allowance")
    if allowance is not None and (
        set(allowance.get("values", {})) != groups
        or not allowance.get("source")
        or any(Decimal(v) < 0 for v in allowance["values"].values())
    ):
        raise refusal(None, ErrorCode.BAD_CATALOGUE, _("The monthly allowance needs a source and an amount per group."))
    kinds = {k for k in doc.get("basic_list_items", {}) if not k.startswith("_")}
    if not kinds <= set(ServiceKind.values):
        raise refusal(None, ErrorCode.BAD_CATALOGUE, _("The catalogue names an unknown service kind."))


@transaction.atomic
def load_catalogue(*, actor=None, path: Path = CATALOGUE) -> dict[str, int]:
    """Load the catalogue version of the JSON file (idempotent: an existing version number is left as it is; a new
    one closes the version in force the day before its own start). Settings are updated in place."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    _check_catalogue(doc)
    for key, entry in doc["settings"].items():
        HomecareSetting.objects.update_or_create(
            key=key, defaults={"value": float(entry["value"]), "source": entry["source"]}
        )
    allowance = doc.get("monthly_subsidy_allowance")
    if allowance is not None:
        for group, amount in allowance["values"].items():
            HomecareSetting.objects.update_or_create(
                key=f"monthly_allowance_{group}", defaults={"value": float(amount), "source": allowance["source"]}
            )
    list_items = {k: v for k, v in doc.get("basic_list_items", {}).items() if not k.startswith("_")}
    if CatalogueVersion.objects.filter(version=doc["version"]).exists():
        for kind, code in list_items.items():  # the mapping is updated in place, like the settings
            CatalogueItem.objects.filter(version__version=doc["version"], kind=kind).update(list_item=code)
        return {"version": doc["version"], "items": 0}
    start = date.fromisoformat(doc["effective_from"])
    CatalogueVersion.objects.filter(effective_to__isnull=True, effective_from__lt=start).update(
        effective_to=start - timedelta(days=1)
    )
    version = CatalogueVersion.objects.create(version=doc["version"], effective_from=start, source=doc["source"])
    for entry in doc["items"]:
        item = CatalogueItem.objects.create(
            version=version,
            kind=entry["kind"],
            unit=entry["unit"],
            market_price=Decimal(entry["market_price"]),
            min_minutes=int(entry["min_minutes"]),
            max_minutes=int(entry["max_minutes"]),
            list_item=list_items.get(entry["kind"], ""),
            source=entry["source"],
            is_open=bool(entry.get("open")),
        )
        CataloguePrice.objects.bulk_create(
            CataloguePrice(
                item=item,
                target_group=group,
                price=Decimal(price),
                source=entry["source"],
                is_open=bool(entry.get("open")),
            )
            for group, price in entry["prices"].items()
        )
    audit.record_create(actor, version)
    return {"version": version.version, "items": len(doc["items"])}


def item_in_force(kind: str, day: date) -> CatalogueItem | None:
    """The catalogue item of this kind in the version in force on ``day``."""
    return (
        CatalogueItem.objects.filter(kind=kind, version__effective_from__lte=day)
        .exclude(version__effective_to__lt=day)
        .select_related("version")
        .order_by("-version__effective_from")
        .first()
    )


# ---- providers and caregivers -----------------------------------------------------------------------------------


@transaction.atomic
def register_provider(data: dict[str, Any], *, actor) -> Provider:
    """Register a provider; the areas served are org-unit code prefixes within the actor's own area."""
    _require(actor, "homecare_provider", Action.ADD)
    areas = [str(a).strip() for a in data.get("areas", []) if str(a).strip()]
    prefix = getattr(actor, "scope_prefix", "") if actor is not None else ""
    if any(not a.isdigit() for a in areas) or (prefix and not data["org_unit"].code.startswith(prefix)):
        raise refusal("areas", ErrorCode.BAD_AREA, _("Areas served are org-unit codes within your area."))
    provider = Provider(
        name=data["name"],
        uscc=str(data["uscc"]).strip().upper(),
        org_unit=data["org_unit"],
        contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""),
        qualifications=data.get("qualifications", ""),
        areas=areas,
    )
    provider.full_clean()
    provider.save()
    audit.record_create(actor, provider, org_code=provider.org_unit.code)
    return provider


def _check_login(provider: Provider, user) -> None:
    """A caregiver's login is a caregiver account of the same provider (older township-worker logins are kept)."""
    if user is None:
        return
    provider_id = getattr(user, "provider_id", None)
    if (provider_id is not None and provider_id != provider.pk) or getattr(user, "role", "") == "provider_operator":
        raise refusal(
            "user", ErrorCode.LOGIN_NOT_OF_PROVIDER, _("This login is not a caregiver account of the provider.")
        )


@transaction.atomic
def link_caregiver_login(caregiver: Caregiver, user, *, actor) -> Caregiver:
    """Link (or replace) the login a caregiver uses on the phone page: a caregiver account of the same provider."""
    _require(actor, "homecare_provider", Action.CHANGE)
    caregiver = Caregiver.objects.select_for_update().select_related("provider__org_unit").get(pk=caregiver.pk)
    _check_login(caregiver.provider, user)
    before = audit.snapshot(caregiver, ["user"])
    caregiver.user = user
    caregiver.full_clean()
    caregiver.save(update_fields=["user"])
    audit.record_update(actor, caregiver, before, org_code=caregiver.provider.org_unit.code)
    return caregiver


@transaction.atomic
def add_caregiver(provider: Provider, staff, *, actor, user=None) -> Caregiver:
    """Add a staff member of the registry as a caregiver of the provider (optionally with the login they use)."""
    _require(actor, "homecare_provider", Action.CHANGE)
    if actor is not None and not Provider.objects.for_user(actor, Action.CHANGE).filter(pk=provider.pk).exists():
        raise refusal("provider", ErrorCode.BAD_AREA, _("This provider is not registered in your area."))
    _check_login(provider, user)
    caregiver = Caregiver(provider=provider, staff=staff, user=user)
    caregiver.full_clean()
    caregiver.save()
    audit.record_create(actor, caregiver, org_code=provider.org_unit.code)
    return caregiver


# ---- orders -------------------------------------------------------------------------------------------------


def monthly_allowance(elder: Elder, group: str, day: date) -> rules.Allowance:
    """The group's allowance for the month of ``day`` and the subsidy of the elder's non-cancelled orders in it."""
    first, last = rules.month_range(day)
    used = (
        ServiceOrder.objects.filter(elder=elder, scheduled_on__gte=first, scheduled_on__lte=last)
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(total=Sum("subsidy_amount"))["total"]
    )
    allowance = Decimal(str(setting(f"monthly_allowance_{group}"))).quantize(Decimal("0.01"))
    return rules.Allowance(allowance, (used or Decimal("0")).quantize(Decimal("0.01")))


def _list_check(elder: Elder, item: CatalogueItem, day: date) -> dict[str, Any]:
    """The basic-service-list condition for the order's kind, when the list in force names it (welfare module)."""
    from chuncheng.welfare.queries import entitlement_reasons

    row = {"rule": str(EntitlementRule.BASIC_LIST), "label": str(EntitlementRule.BASIC_LIST.label)}
    if not item.list_item:
        return {**row, "expected": "—", "seen": _("The list does not name this service kind."), "passed": True}
    service_list, reasons = entitlement_reasons(elder, day)
    reason = next((r for r in reasons if r.code == item.list_item), None)
    if reason is None:
        seen = _("The list in force does not name this service kind.")
        return {**row, "expected": item.list_item, "seen": seen, "passed": True}
    leaves = "; ".join(f"{c.label}: {c.seen}" for c in reason.checks if c.expected)
    verdict = _("entitled") if reason.passed else _("not entitled")
    return {
        **row,
        "expected": f"{reason.name} ({service_list})",
        "seen": f"{verdict} — {leaves}" if leaves else verdict,
        "passed": reason.passed,
    }


def check_entitlement(
    elder: Elder, item: CatalogueItem, group: str, base: rules.Quote, day: date
) -> tuple[rules.Quote, list[dict[str, Any]]]:
    """The entitlement check of a new order: (a) the basic service list, when it names the kind — not entitled means
    no subsidy; (b) the group's monthly allowance caps the subsidy. Returns the amounts and the reasons shown on the
    order (condition, value seen, pass/fail). Nothing is refused: the elder pays what is not subsidised."""
    list_row = _list_check(elder, item, day)
    allowance = monthly_allowance(elder, group, day)
    asked = base.subsidy_amount if list_row["passed"] else Decimal("0.00")
    allowance_row = {
        "rule": str(EntitlementRule.MONTHLY_ALLOWANCE),
        "label": str(EntitlementRule.MONTHLY_ALLOWANCE.label),
        "expected": _("subsidy ≤ %(remaining)s remaining (allowance %(allowance)s of %(group)s, %(used)s used)")
        % {
            "remaining": allowance.remaining,
            "allowance": allowance.allowance,
            "group": TargetGroup(group).label,
            "used": allowance.used,
        },
        "seen": _("subsidy asked %(asked)s") % {"asked": asked},
        "passed": asked <= allowance.remaining,
    }
    amounts = rules.entitled_quote(base, entitled=list_row["passed"], allowance=allowance)
    return amounts, [list_row, allowance_row]


def _window_epoch(day: date, start: time | None, end: time | None) -> int | None:
    if end is not None and (start is None or end <= start):
        raise refusal("window_end", ErrorCode.BAD_WINDOW, _("The scheduled end must come after the start."))
    if start is None:
        return None
    return int(datetime.combine(day, start, tzinfo=SHANGHAI).timestamp())


@transaction.atomic
def create_order(
    elder: Elder,
    provider: Provider,
    kind: str,
    scheduled_on: date,
    *,
    actor,
    quantity: int = 1,
    note: str = "",
    window_start: time | None = None,
    window_end: time | None = None,
) -> ServiceOrder:
    """Create an order priced from the catalogue in force on the day, for the elder's target group, after the
    entitlement check (``check_entitlement``: basic service list, monthly allowance); optionally with a start-time
    window the schedule scan watches. Provider accounts do not create orders (their ``add`` is the check-in)."""
    _require(actor, "homecare_order", Action.ADD)
    _refuse_provider_account(actor)
    if elder.status != ElderStatus.ACTIVE:
        code = ErrorCode.ELDER_DECEASED if elder.status == ElderStatus.DECEASED else ErrorCode.ELDER_NOT_ACTIVE
        raise refusal("elder", code, _("Services are ordered only for elders in the registry."))
    if not provider.active:
        raise refusal("provider", ErrorCode.PROVIDER_INACTIVE, _("This provider is not active."))
    if not provider.serves(elder.org_unit.code):
        raise refusal("provider", ErrorCode.AREA_NOT_SERVED, _("This provider does not serve the elder's area."))
    start_epoch = _window_epoch(scheduled_on, window_start, window_end)
    item = item_in_force(kind, scheduled_on)
    group = rules.target_group(elder.categories)
    price = item.prices.filter(target_group=group).first() if item else None
    if item is None or price is None:
        raise refusal("kind", ErrorCode.NO_PRICE, _("The catalogue has no price for this service on that day."))
    # Lock the elder so that two orders created at once cannot both spend the same remaining allowance.
    list(Elder.objects.select_for_update().filter(pk=elder.pk).values_list("pk", flat=True))
    amounts, checks = check_entitlement(
        elder, item, group, rules.quote(item.market_price, price.price, quantity), scheduled_on
    )
    order = ServiceOrder(
        elder=elder,
        provider=provider,
        item=item,
        kind=kind,
        target_group=group,
        quantity=quantity,
        market_amount=amounts.market_amount,
        elder_amount=amounts.elder_amount,
        subsidy_amount=amounts.subsidy_amount,
        scheduled_on=scheduled_on,
        window_start=window_start,
        window_end=window_end,
        window_start_epoch=start_epoch,
        entitlement=checks,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    order.full_clean()
    order.save()
    audit.record_create(actor, order, org_code=elder.org_unit.code)
    return order


def _refuse_provider_account(actor) -> None:
    if getattr(actor, "provider_id", None):
        raise refusal(
            None, ErrorCode.PROVIDER_ACCOUNT, _("Orders are created and cancelled by workers, not by the provider.")
        )


def _locked(order: ServiceOrder) -> ServiceOrder:
    return _locked_order(order.pk)


def _locked_order(pk: int) -> ServiceOrder:
    """The order re-read under a row lock, with the rows a transition, a check-in and the API's answer read.

    ``of`` locks the order and its elder only: a bare FOR UPDATE over these joins also locked the provider and the
    elder's village, rows that all the orders of a provider or a village share, so that concurrent check-ins and
    check-outs of different caregivers waited for each other."""
    return (
        ServiceOrder.objects.select_for_update(of=("self", "elder"))
        .select_related("elder__org_unit", "provider", "caregiver")
        .get(pk=pk)
    )


def _clean_changed(instance: ServiceOrder | Visit, changed: set[str] | tuple[str, ...]) -> None:
    """``full_clean`` of the fields a state change sets. The others were validated when the row was written and have
    not moved; re-proving them (a query per foreign key, one for the unique public id, a savepoint and a query per
    constraint) was most of the cost of a check-in or check-out."""
    instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in changed])


def _move(order: ServiceOrder, to: str, actor, **changes: Any) -> ServiceOrder:
    if to not in TRANSITIONS[order.status]:
        raise refusal(
            None,
            ErrorCode.BAD_TRANSITION,
            _("The order cannot move from %(a)s to %(b)s.")
            % {"a": order.get_status_display(), "b": OrderStatus(to).label},
        )
    # A transition writes the status, the given fields and ``updated_at`` (auto_now), nothing else: the audit entry's
    # diff is taken over these (the same entry as over every field, without reading the other foreign keys' rows).
    written = {"status", "updated_at", *changes}
    before = audit.snapshot(order, written)
    order.status = to
    for field, value in changes.items():
        setattr(order, field, value)
    _clean_changed(order, {"status", *changes})
    order.save(update_fields=sorted(written))
    audit.record_update(actor, order, before, org_code=order.elder.org_unit.code)
    return order


@transaction.atomic
def accept_order(order: ServiceOrder, *, actor) -> ServiceOrder:
    """The provider accepts the order: normally its provider operator; a worker may record it on its behalf."""
    _require(actor, "homecare_order", Action.CHANGE)
    return _move(_locked(order), OrderStatus.ACCEPTED, actor)


@transaction.atomic
def decline_order(order: ServiceOrder, reason: str, *, actor) -> ServiceOrder:
    """The provider declines a created order (it is cancelled with the reason, so another provider can be ordered)."""
    _require(actor, "homecare_order", Action.CHANGE)
    order = _locked(order)
    if order.status != OrderStatus.CREATED:
        raise refusal(None, ErrorCode.NOT_CREATED, _("Only an order not yet accepted can be declined."))
    text = (reason or "").strip()[:180]
    return _move(
        order,
        OrderStatus.CANCELLED,
        actor,
        cancel_reason=_("Declined by the provider: %(reason)s") % {"reason": text or "—"},
    )


@transaction.atomic
def assign_order(order: ServiceOrder, caregiver: Caregiver, *, actor) -> ServiceOrder:
    """Assign (or reassign, before the visit starts) a caregiver of the order's provider."""
    _require(actor, "homecare_order", Action.CHANGE)
    order = _locked(order)
    if caregiver.provider_id != order.provider_id or not caregiver.active:
        raise refusal(
            "caregiver", ErrorCode.CAREGIVER_NOT_OF_PROVIDER, _("This caregiver does not work for the provider.")
        )
    return _move(order, OrderStatus.ASSIGNED, actor, caregiver=caregiver)


@transaction.atomic
def cancel_order(order: ServiceOrder, reason: str, *, actor) -> ServiceOrder:
    _require(actor, "homecare_order", Action.CHANGE)
    _refuse_provider_account(actor)
    return _move(_locked(order), OrderStatus.CANCELLED, actor, cancel_reason=reason[:200])


# ---- check-in and check-out (EVV) ------------------------------------------------------------------------------


def _coordinates(lat: Any, lng: Any) -> tuple[float, float]:
    try:
        point = float(lat), float(lng)
    except (TypeError, ValueError) as exc:
        raise refusal("lat", ErrorCode.BAD_LOCATION, _("The location is not valid.")) from exc
    if not rules.valid_coordinates(*point):
        raise refusal("lat", ErrorCode.BAD_LOCATION, _("The location is not valid."))
    return point


def _home(elder: Elder) -> tuple[float, float] | None:
    if elder.lat is not None and elder.lng is not None:
        return float(elder.lat), float(elder.lng)
    return None


# What a check-out sets on the visit: validated, written and audited (the rest of the row is as check-in wrote it).
CHECK_OUT_FIELDS = (
    "status",
    "check_out_at",
    "check_out_epoch",
    "check_out_lat",
    "check_out_lng",
    "check_out_distance_m",
    "duration_s",
    "confirmed",
)


def _other_caregiver(actor, caregiver: Caregiver | None) -> bool:
    """Whether the actor is a caregiver other than ``caregiver`` (a worker recording on a caregiver's behalf is not).
    The assigned caregiver's own call is recognised from the row already read, without looking up its record."""
    actor_pk = getattr(actor, "pk", None)
    if not actor_pk or (caregiver is not None and caregiver.user_id == actor_pk):
        return False
    own = getattr(actor, "caregiver", None)
    return own is not None and (caregiver is None or own.pk != caregiver.pk)


@transaction.atomic
def check_in(order: ServiceOrder, lat: Any, lng: Any, *, actor, now: datetime | None = None) -> tuple[Visit, str]:
    """Open a visit of the order's caregiver at the given place; returns the visit and the elder's one-time code
    (delivered to the elder, never stored in clear). Refuses a deceased elder and a second open check-in."""
    _require(actor, "homecare_visit", Action.ADD)
    point = _coordinates(lat, lng)
    order = _locked(order)
    elder = order.elder
    if elder.status == ElderStatus.DECEASED:
        raise refusal(None, ErrorCode.ELDER_DECEASED, _("The elder is recorded as deceased; no visit can start."))
    if order.status != OrderStatus.ASSIGNED:
        raise refusal(None, ErrorCode.BAD_TRANSITION, _("Only an assigned order can be checked in."))
    if _other_caregiver(actor, order.caregiver):
        raise refusal(None, ErrorCode.NOT_ASSIGNED_CAREGIVER, _("This order is assigned to another caregiver."))
    if Visit.objects.filter(caregiver_id=order.caregiver_id, status=VisitStatus.OPEN).exists():
        raise refusal(None, ErrorCode.OPEN_CHECK_IN, _("This caregiver already has an open check-in."))
    now = now or timezone.now()
    home = _home(elder)
    code = rules.new_code()
    visit = Visit(
        order=order,
        elder=elder,
        caregiver=order.caregiver,  # the row read with the order: the audit entry needs no query for it
        kind=order.kind,
        visit_date=now.astimezone(SHANGHAI).date(),
        check_in_at=now,
        check_in_epoch=int(now.timestamp()),
        check_in_lat=point[0],
        check_in_lng=point[1],
        check_in_distance_m=rules.distance_m(*point, *home) if home else None,
        no_reference_location=home is None,
    )
    visit.code_hash = rules.code_hash(str(visit.public_id), code)
    # Proven by construction, so not re-queried: the order and elder rows are held under lock, the caregiver is the
    # assigned order's, the public id a fresh UUID. The two constraints are enforced here: no open check-in (the query
    # above, and the database's unique index behind the IntegrityError below); check-out after check-in (no check-out
    # yet; ``check_out`` refuses an earlier one).
    visit.full_clean(exclude=["order", "elder", "caregiver", "public_id"], validate_constraints=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError as exc:  # a concurrent check-in of the same caregiver won the race
        raise refusal(None, ErrorCode.OPEN_CHECK_IN, _("This caregiver already has an open check-in.")) from exc
    _move(order, OrderStatus.IN_SERVICE, actor)
    audit.record_create(actor, visit, org_code=elder.org_unit.code)
    return visit, code


@transaction.atomic
def check_out(visit: Visit, lat: Any, lng: Any, code: str = "", *, actor, now: datetime | None = None) -> Visit:
    """Close the visit; a wrong code is refused (nothing written), no code leaves it unconfirmed (not payable)."""
    _require(actor, "homecare_visit", Action.CHANGE)
    point = _coordinates(lat, lng)
    # The visit, then its order, locked (not the elder's village or the caregiver, which other visits share).
    visit = (
        Visit.objects.select_for_update(of=("self",)).select_related("elder__org_unit", "caregiver").get(pk=visit.pk)
    )
    visit.order = _locked_order(visit.order_id)
    if visit.status != VisitStatus.OPEN:
        raise refusal(None, ErrorCode.NO_OPEN_VISIT, _("There is no open check-in to check out."))
    if _other_caregiver(actor, visit.caregiver):
        raise refusal(None, ErrorCode.NOT_ASSIGNED_CAREGIVER, _("This visit belongs to another caregiver."))
    code = (code or "").strip()
    if code and not rules.code_matches(str(visit.public_id), code, visit.code_hash):
        raise refusal("code", ErrorCode.BAD_CODE, _("The confirmation code is not correct."))
    now = now or timezone.now()
    before = audit.snapshot(visit, CHECK_OUT_FIELDS)
    home = _home(visit.elder)
    visit.status = VisitStatus.CLOSED
    visit.check_out_at = now
    visit.check_out_epoch = int(now.timestamp())
    if visit.check_out_epoch < visit.check_in_epoch:
        raise refusal(None, ErrorCode.NO_OPEN_VISIT, _("Check-out cannot come before check-in."))
    visit.check_out_lat, visit.check_out_lng = point
    visit.check_out_distance_m = rules.distance_m(*point, *home) if home else None
    visit.duration_s = visit.check_out_epoch - visit.check_in_epoch
    visit.confirmed = bool(code)
    _clean_changed(visit, CHECK_OUT_FIELDS)
    visit.save(update_fields=CHECK_OUT_FIELDS)
    audit.record_update(actor, visit, before, org_code=visit.elder.org_unit.code)
    _move(visit.order, OrderStatus.COMPLETED, actor)
    return visit


# ---- anomaly scan ---------------------------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[int, int]:
    """Epoch seconds of the first instant of the month and of the next, in Kunming time."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=SHANGHAI)
    except (TypeError, ValueError) as exc:
        raise refusal("month", ErrorCode.BAD_MONTH, _("A month is written YYYY-MM.")) from exc
    end = (start + timedelta(days=32)).replace(day=1)
    return int(start.timestamp()), int(end.timestamp())


def _rule_sql() -> dict[str, tuple[str, str, str]]:
    """Per rule: (value expression, extra FROM/JOIN, condition). ``v`` is the visit."""
    visit = Visit._meta.db_table
    order = ServiceOrder._meta.db_table
    item = CatalogueItem._meta.db_table
    elder = Elder._meta.db_table
    admission = Admission._meta.db_table
    bounds_join = f"JOIN {order} o ON o.id = v.order_id JOIN {item} i ON i.id = o.item_id"
    travel = f"""JOIN (
        SELECT id, LAG(check_out_epoch) OVER w AS prev_out, LAG(check_out_lat) OVER w AS prev_lat,
               LAG(check_out_lng) OVER w AS prev_lng
        FROM {visit} WHERE status = 'closed' AND check_in_epoch >= %(from_prev)s AND check_in_epoch < %(end)s
        WINDOW w AS (PARTITION BY caregiver_id ORDER BY check_in_epoch, id)
    ) c ON c.id = v.id"""
    dist = (
        "SQRT(((v.check_in_lat - c.prev_lat) * 111195.0) * ((v.check_in_lat - c.prev_lat) * 111195.0)"
        " + ((v.check_in_lng - c.prev_lng) * 111195.0 * COS(RADIANS((v.check_in_lat + c.prev_lat) / 2)))"
        " * ((v.check_in_lng - c.prev_lng) * 111195.0 * COS(RADIANS((v.check_in_lat + c.prev_lat) / 2))))"
    )
    return {
        AnomalyRule.TOO_SHORT: (
            "v.duration_s / 60.0",
            bounds_join,
            "v.status = 'closed' AND v.duration_s < i.min_minutes * 60",
        ),
        AnomalyRule.TOO_LONG: (
            "v.duration_s / 60.0",
            bounds_join,
            "v.status = 'closed' AND v.duration_s > i.max_minutes * 60 * o.quantity",
        ),
        AnomalyRule.OUT_OF_PLACE: (
            "CASE WHEN COALESCE(v.check_out_distance_m, 0) > v.check_in_distance_m "
            "THEN v.check_out_distance_m ELSE v.check_in_distance_m END",
            "",
            "(v.check_in_distance_m > %(radius)s OR v.check_out_distance_m > %(radius)s)",
        ),
        AnomalyRule.NO_REFERENCE_LOCATION: ("NULL", "", "v.no_reference_location = %(true)s"),
        AnomalyRule.OVERLAP: (
            "NULL",
            "",
            f"""v.status = 'closed' AND EXISTS (SELECT 1 FROM {visit} w WHERE w.caregiver_id = v.caregiver_id
                AND w.id <> v.id AND w.status = 'closed' AND w.check_in_epoch < v.check_out_epoch
                AND w.check_out_epoch > v.check_in_epoch)""",
        ),
        AnomalyRule.IMPOSSIBLE_TRAVEL: (
            f"{dist} / (CASE WHEN v.check_in_epoch - c.prev_out > 0 THEN v.check_in_epoch - c.prev_out ELSE 1 END)"
            " * 3.6",
            travel,
            f"c.prev_out IS NOT NULL AND {dist} > %(speed)s * (v.check_in_epoch - c.prev_out)",
        ),
        AnomalyRule.ELDER_DECEASED: (
            "NULL",
            f"JOIN {elder} e ON e.id = v.elder_id",
            "e.died_on IS NOT NULL AND v.visit_date >= e.died_on",
        ),
        AnomalyRule.ELDER_ADMITTED: (
            "NULL",
            "",
            f"""EXISTS (SELECT 1 FROM {admission} a WHERE a.elder_id = v.elder_id AND a.admitted_on <= v.visit_date
                AND (a.discharged_on IS NULL OR a.discharged_on > v.visit_date))""",
        ),
        AnomalyRule.UNCONFIRMED: ("NULL", "", "v.status = 'closed' AND v.confirmed = %(false)s"),
    }


@transaction.atomic
def scan_anomalies(month: str, *, actor=None) -> dict[str, int]:
    """Flag the month's visits: one INSERT … SELECT per rule; existing flags (and their reviews) are kept."""
    _require(actor, "homecare_visit", Action.CHANGE)
    start, end = month_bounds(month)
    params = {
        "start": start,
        "end": end,
        "from_prev": start - 86_400,
        "radius": setting("check_in_radius_m"),
        "speed": setting("max_travel_speed_kmh") / 3.6,
        "true": True,
        "false": False,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    table = VisitFlag._meta.db_table
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for rule, (value, joins, condition) in _rule_sql().items():
            sql = f"""INSERT INTO {table} (visit_id, rule, value, status, note, created_at)
                SELECT v.id, %(rule)s, {value}, 'open', '', %(now)s FROM {Visit._meta.db_table} v {joins}
                WHERE v.check_in_epoch >= %(start)s AND v.check_in_epoch < %(end)s AND {condition}
                ON CONFLICT (visit_id, rule) DO NOTHING"""
            cursor.execute(sql, {**params, "rule": str(rule)})
            counts[str(rule)] = max(cursor.rowcount, 0)
    audit.record_bulk(actor, AuditAction.BULK_UPDATE, VisitFlag, sum(counts.values()), {"month": month, **counts})
    return counts


@transaction.atomic
def review_flag(flag: VisitFlag, accept: bool, *, actor, note: str = "") -> VisitFlag:
    """A supervisor accepts (the anomaly stands: not payable) or rejects (false alarm) a flag, once."""
    _require(actor, "homecare_flag", Action.CHANGE)
    flag = VisitFlag.objects.select_for_update().select_related("visit__elder__org_unit").get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        raise refusal(None, ErrorCode.FLAG_REVIEWED, _("This flag has already been reviewed."))
    before = audit.snapshot(flag)
    flag.status = FlagStatus.ACCEPTED if accept else FlagStatus.REJECTED
    flag.reviewed_by = actor if getattr(actor, "pk", None) else None
    flag.reviewed_at = timezone.now()
    flag.note = note[:300]
    flag.save()
    audit.record_update(actor, flag, before, org_code=flag.visit.elder.org_unit.code)
    return flag


# ---- schedule alerts (late / missed visits) ----------------------------------------------------------------------


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise refusal("date", ErrorCode.BAD_DATE, _("A date is written YYYY-MM-DD.")) from exc


def _alert_sql() -> dict[str, str]:
    """Per alert kind, the condition over the day's non-cancelled orders ``o`` (one INSERT … SELECT each)."""
    visit = Visit._meta.db_table
    return {
        # No check-in by the window's start + N minutes, once that moment has passed (a later check-in stays late).
        AlertKind.LATE: f"""o.window_start_epoch IS NOT NULL AND o.window_start_epoch + %(late_s)s <= %(now)s
            AND NOT EXISTS (SELECT 1 FROM {visit} v WHERE v.order_id = o.id
                AND v.check_in_epoch <= o.window_start_epoch + %(late_s)s)""",
        # No visit at all by the end of the scheduled day, once the day is over.
        AlertKind.MISSED: f"""%(day_end)s <= %(now)s
            AND NOT EXISTS (SELECT 1 FROM {visit} v WHERE v.order_id = o.id AND v.check_in_epoch < %(day_end)s)""",
    }


@transaction.atomic
def scan_schedule(day: date, *, actor=None, now: datetime | None = None) -> dict[str, int]:
    """Raise late and missed alerts for the orders scheduled on ``day`` (Kunming), as of ``now``: one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per kind, so re-running adds only new alerts and keeps
    acknowledgements. Threshold: ``late_after_minutes`` (policy data)."""
    _require(actor, "homecare_flag", Action.CHANGE)
    now = now or timezone.now()
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    params = {
        "day": connection.ops.adapt_datefield_value(day),
        "now": int(now.timestamp()),
        "day_end": int(day_end.timestamp()),
        "late_s": int(setting("late_after_minutes") * 60),
        "cancelled": str(OrderStatus.CANCELLED),
        "created_at": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    table = ScheduleAlert._meta.db_table
    counts: dict[str, int] = {}
    uuid_expr = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    with connection.cursor() as cursor:
        for kind, condition in _alert_sql().items():
            sql = f"""INSERT INTO {table} (public_id, order_id, kind, scheduled_on, status, created_at, note)
                SELECT {uuid_expr}, o.id, %(kind)s, o.scheduled_on, 'open', %(created_at)s, ''
                FROM {ServiceOrder._meta.db_table} o
                WHERE o.scheduled_on = %(day)s AND o.status <> %(cancelled)s AND {condition}
                ON CONFLICT (order_id, kind) DO NOTHING"""
            cursor.execute(sql, {**params, "kind": str(kind)})
            counts[str(kind)] = max(cursor.rowcount, 0)
    audit.record_bulk(actor, AuditAction.BULK_UPDATE, ScheduleAlert, sum(counts.values()), {"date": str(day), **counts})
    return counts


@transaction.atomic
def acknowledge_alert(alert: ScheduleAlert, *, actor, note: str = "") -> ScheduleAlert:
    """A supervisor acknowledges an alert, once."""
    _require(actor, "homecare_flag", Action.CHANGE)
    alert = ScheduleAlert.objects.select_for_update().select_related("order__elder__org_unit").get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        raise refusal(None, ErrorCode.ALERT_ACKNOWLEDGED, _("This alert has already been acknowledged."))
    before = audit.snapshot(alert)
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_by = actor if getattr(actor, "pk", None) else None
    alert.acknowledged_at = timezone.now()
    alert.note = note[:300]
    alert.save()
    audit.record_update(actor, alert, before, org_code=alert.order.elder.org_unit.code)
    return alert


def echo_code() -> bool:
    """Whether the one-time code is shown to the caller (development and tests) instead of only being delivered to
    the elder (SMS delivery is not built yet; see docs/homecare.md)."""
    from django.conf import settings

    return bool(getattr(settings, "HOMECARE_ECHO_CODE", settings.DEBUG))
