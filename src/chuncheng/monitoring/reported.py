"""Reported indicators (issue 7 item 3; docs/monitoring.md "Reported indicators").

The responsible department (a city or county official) enters a value for a reported indicator, an area in its scope
and a period, with an evidence file (checked by content: the benefits attachment check) and a note. A different user
at the same or a higher level whose scope holds the area approves or returns it (maker-checker). Nothing is deleted:
a new value for the same indicator, area and period supersedes the value awaiting review at once, and the approved
value when it is itself approved; superseded and returned values stay visible. Approved values in force enter the
snapshots (``services.reported_rows``) and so the dashboard, the attainment and the bulletin.

Which indicators are reported, and how often (year by default), is policy data: the catalogue's ``source_kind`` and
``policies/kunming/monitoring/reporting.json`` (also the value range of each unit). Every refusal is a
``ValidationError`` with a stable code (``ErrorCode``), raised before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.errors import refusal
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import ADMIN_ROLES, Action, Level
from chuncheng.core.scope import permitted
from chuncheng.monitoring import periods, services
from chuncheng.monitoring.choices import SourceKind, TargetLevel
from chuncheng.monitoring.models import Indicator, IndicatorSnapshot, ReportedValue, ReportPeriod, ReportState

RESOURCE = "monitoring_report"
POLICY = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "monitoring" / "reporting.json"
LEVEL_RANK = {Level.CITY: 3, Level.COUNTY: 2, Level.TOWNSHIP: 1, Level.VILLAGE: 0}
DUE_LEVELS = (Level.CITY, Level.COUNTY)
OPEN_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class ErrorCode(StrEnum):
    UNKNOWN_INDICATOR = "monitoring_unknown_indicator"
    COMPUTED_INDICATOR = "monitoring_computed_indicator"
    BAD_PERIOD = "monitoring_bad_period"
    WRONG_PERIOD_KIND = "monitoring_wrong_period_kind"
    FUTURE_PERIOD = "monitoring_future_period"
    BAD_VALUE = "monitoring_bad_value"
    OUT_OF_RANGE = "monitoring_value_out_of_range"
    EVIDENCE_REQUIRED = "monitoring_evidence_required"
    SAME_USER = "monitoring_same_user"
    REVIEWER_LEVEL = "monitoring_reviewer_level"
    NOT_AWAITING_REVIEW = "monitoring_not_awaiting_review"
    REASON_REQUIRED = "monitoring_reason_required"
    CONCURRENT = "monitoring_concurrent_report"
    PERMISSION = "permission_denied"


# ---- policy data -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def policy() -> dict[str, Any]:
    """policies/kunming/monitoring/reporting.json: periods and value ranges of reported indicators, the bulletin's
    default target set."""
    return json.loads(POLICY.read_text(encoding="utf-8"))


def period_kind(key: str) -> str:
    """How often ``key`` is reported: its entry in the policy file, else the file's default (a year)."""
    rules = policy()["reported"]
    entry = rules["periods"].get(key)
    return entry["period"] if entry else rules["default_period"]


def value_range(unit: str) -> dict[str, Any]:
    return policy()["reported"]["value_ranges"].get(unit, {"min": 0})


# ---- who may do what -------------------------------------------------------------------------------------------


def _level_rank(user) -> int:
    unit = getattr(user, "org_unit", None)
    return LEVEL_RANK.get(unit.level, -1) if unit is not None else -1


def _require(user, action: str) -> None:
    if not permitted(user, RESOURCE, action) or user.role in ADMIN_ROLES or user.institution_id:
        raise refusal(None, ErrorCode.PERMISSION, _("You are not allowed to do this."))


def unit_for(user, code: str | None = None) -> OrgUnit:
    """The city, county or township ``code`` inside the user's area (another area, or a village: 404); without a
    code, the user's own unit."""
    prefix = getattr(user, "scope_prefix", None)
    code = code or (user.org_unit.code if getattr(user, "org_unit", None) else "")
    if not prefix or not code.startswith(prefix):
        raise Http404
    unit = OrgUnit.objects.filter(code=code, level__in=services.SNAPSHOT_LEVELS).first()
    if unit is None:
        raise Http404
    return unit


def reported_indicators(day=None) -> QuerySet[Indicator]:
    """The reported indicators of the catalogue in force (``source_kind: reported``), in catalogue order."""
    catalogue = services.current_catalogue(day)
    if catalogue is None:
        return Indicator.objects.none()
    return catalogue.indicators.filter(source_kind=SourceKind.REPORTED).order_by("position")


def _indicator(key: str, today) -> Indicator:
    catalogue = services.current_catalogue(today)
    ind = catalogue.indicators.filter(key=key).first() if catalogue else None
    if ind is None:
        raise refusal("indicator", ErrorCode.UNKNOWN_INDICATOR, _("There is no indicator with this key."))
    if ind.source_kind != SourceKind.REPORTED:
        raise refusal(
            "indicator",
            ErrorCode.COMPUTED_INDICATOR,
            _("This indicator is computed from the platform's records; it cannot be reported."),
        )
    return ind


def parse_period(text: str, kind: str, today) -> periods.Period:
    """The period as written (2026-10, 2026-Q3, 2026), of the indicator's kind, not in the future."""
    try:
        period = periods.parse(text)
    except ValueError as exc:
        raise refusal(
            "period", ErrorCode.BAD_PERIOD, _("Write the period as 2026 (year), 2026-Q3 (quarter) or 2026-10 (month).")
        ) from exc
    if period.kind != kind:
        example = periods.last_complete(kind, today).label
        raise refusal(
            "period",
            ErrorCode.WRONG_PERIOD_KIND,
            _("This indicator is reported per %(kind)s: write the period like %(example)s.")
            % {"kind": ReportPeriod(kind).label, "example": example},
        )
    if period.start > today:
        raise refusal("period", ErrorCode.FUTURE_PERIOD, _("This period has not begun yet."))
    return period


def parse_value(raw: Any, unit: str) -> Decimal:
    """A number in the indicator's unit, within the unit's range (a share 0–100, a count a whole number ≥ 0)."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise refusal("value", ErrorCode.BAD_VALUE, _("The value must be a number.")) from exc
    if not value.is_finite():
        raise refusal("value", ErrorCode.BAD_VALUE, _("The value must be a number."))
    bounds = value_range(unit)
    low, high = bounds.get("min"), bounds.get("max")
    out = (low is not None and value < Decimal(str(low))) or (high is not None and value > Decimal(str(high)))
    if out or (bounds.get("integer") and value != value.to_integral_value()):
        raise refusal(
            "value",
            ErrorCode.OUT_OF_RANGE,
            _("The value is outside what this unit allows (%(range)s).") % {"range": describe_range(unit)},
        )
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise refusal("value", ErrorCode.BAD_VALUE, _("At most four decimal places."))
    return value


def describe_range(unit: str) -> str:
    bounds = value_range(unit)
    text = f"{bounds.get('min', '')}–{bounds.get('max', '')}" if "max" in bounds else f"≥ {bounds.get('min', 0)}"
    return text + (_(", whole numbers") if bounds.get("integer") else "")


def review_refusal(rv: ReportedValue, user) -> ValidationError | None:
    """Why ``user`` may not approve or return ``rv`` (None when they may): the maker never checks their own value,
    and the checker works at the same level as the maker or higher."""
    if rv.submitted_by_id == user.pk:
        return refusal(None, ErrorCode.SAME_USER, _("A value is approved or returned by someone other than its maker."))
    maker = rv.submitted_by
    if _level_rank(user) < _level_rank(maker):
        return refusal(
            None,
            ErrorCode.REVIEWER_LEVEL,
            _("The reviewer works at the same level as the maker or higher."),
        )
    if rv.state != ReportState.SUBMITTED:
        return refusal(None, ErrorCode.NOT_AWAITING_REVIEW, _("This value is not awaiting review."))
    return None


# ---- writes ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    name: str
    fh: IO[bytes]


def _check_evidence(evidence: Evidence | None):
    # The attachment check of benefit applications: size, kind, and the content matching the extension.
    from chuncheng.benefits.applications import ApplicationError, check_attachment

    if evidence is None or evidence.fh is None:
        raise refusal("evidence", ErrorCode.EVIDENCE_REQUIRED, _("Attach the evidence (a PDF, image or spreadsheet)."))
    try:
        return check_attachment(evidence.name, evidence.fh)
    except ApplicationError as exc:
        raise refusal("evidence", exc.code, exc.message) from exc


def submit(
    key: str,
    unit: OrgUnit,
    period_text: str,
    value: Any,
    *,
    evidence: Evidence | None,
    note: str = "",
    actor,
    today=None,
) -> ReportedValue:
    """Report a value for an indicator, an area and a period; it awaits review. A value already awaiting review for
    the same indicator, area and period is superseded now; the approved one stays in force until this is approved."""
    from django.core.files import File

    _require(actor, Action.ADD)
    unit = unit_for(actor, unit.code)
    today = today or timezone.localdate()
    ind = _indicator(key, today)
    period = parse_period(period_text, period_kind(key), today)
    amount = parse_value(value, ind.unit)
    checked = _check_evidence(evidence)
    stored = None
    try:
        with transaction.atomic():
            current = list(
                ReportedValue.objects.select_for_update()
                .filter(
                    indicator=key,
                    org_unit=unit,
                    period_kind=period.kind,
                    period_start=period.start,
                    state__in=OPEN_STATES,
                )
                .order_by("pk")
            )
            pending = [r for r in current if r.state == ReportState.SUBMITTED]
            approved = [r for r in current if r.state == ReportState.APPROVED]
            for old in pending:
                _set_state(old, ReportState.SUPERSEDED, actor)
            rv = ReportedValue(
                indicator=key,
                org_unit=unit,
                period_kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                value=amount,
                note=(note or "").strip(),
                evidence_name=checked.name,
                evidence_size=checked.size,
                evidence_sha256=checked.sha256,
                evidence_content_type=checked.content_type,
                supersedes=(pending or approved or [None])[0],
                submitted_by=actor,
                submitted_at=timezone.now(),
            )
            rv.evidence.save(checked.name, File(evidence.fh, name=checked.name), save=False)
            stored = rv.evidence.name
            rv.full_clean()
            rv.save()
            fields = [f.name for f in ReportedValue._meta.concrete_fields if f.name != "evidence"]
            after = {**audit.snapshot(rv, fields), "evidence": rv.evidence.name}
            audit.record(actor, AuditAction.CREATE, rv, audit.diff({}, after), org_code=unit.code)
    except IntegrityError as exc:
        _discard(stored)
        raise refusal(
            None, ErrorCode.CONCURRENT, _("Another value for this period was entered at the same time; try again.")
        ) from exc
    except Exception:
        _discard(stored)
        raise
    return rv


def _discard(stored: str | None) -> None:
    if stored:
        ReportedValue.evidence.field.storage.delete(stored)


def _set_state(rv: ReportedValue, state: str, actor, **fields: Any) -> None:
    before = audit.snapshot(rv, ["state", "reviewed_by", "reviewed_at", "review_note"])
    rv.state = state
    for name, value in fields.items():
        setattr(rv, name, value)
    rv.save(update_fields=["state", *fields])
    audit.record_update(actor, rv, before, org_code=rv.org_unit.code)


def _locked_for_review(rv: ReportedValue, actor) -> ReportedValue:
    _require(actor, Action.CHANGE)
    rv = (
        ReportedValue.objects.for_user(actor, Action.CHANGE)
        .select_for_update(of=("self",))
        .select_related("org_unit", "submitted_by__org_unit")
        .filter(pk=rv.pk)
        .first()
    )
    if rv is None:
        raise Http404
    problem = review_refusal(rv, actor)
    if problem is not None:
        raise problem
    return rv


@transaction.atomic
def approve(rv: ReportedValue, *, actor, note: str = "") -> ReportedValue:
    """Approve a value awaiting review: the approved value of the same indicator, area and period (if any) is
    superseded, and today's snapshot (if taken already) shows the value in force."""
    rv = _locked_for_review(rv, actor)
    for old in (
        ReportedValue.objects.select_for_update()
        .filter(
            indicator=rv.indicator,
            org_unit=rv.org_unit,
            period_kind=rv.period_kind,
            period_start=rv.period_start,
            state=ReportState.APPROVED,
        )
        .exclude(pk=rv.pk)
        .order_by("pk")
    ):
        _set_state(old, ReportState.SUPERSEDED, actor)
    _set_state(
        rv,
        ReportState.APPROVED,
        actor,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_note=(note or "").strip(),
    )
    _refresh_today(rv, actor)
    return rv


@transaction.atomic
def return_value(rv: ReportedValue, *, actor, note: str) -> ReportedValue:
    """Send a value back to its maker with a reason (required); the maker reports again with a new value."""
    if not (note or "").strip():
        raise refusal("note", ErrorCode.REASON_REQUIRED, _("Say why the value is returned."))
    rv = _locked_for_review(rv, actor)
    _set_state(rv, ReportState.RETURNED, actor, reviewed_by=actor, reviewed_at=timezone.now(), review_note=note.strip())
    return rv


def _refresh_today(rv: ReportedValue, actor) -> None:
    """When today's snapshot has been taken already, replace its row of this indicator and area, so the approved
    value shows today rather than after the next nightly run."""
    today = timezone.localdate()
    if not IndicatorSnapshot.objects.filter(date=today).exists():
        return
    catalogue = services.current_catalogue(today)
    rows = [r for r in services.reported_rows(today, [rv.org_unit], catalogue) if r.indicator == rv.indicator]
    IndicatorSnapshot.objects.filter(indicator=rv.indicator, org_unit=rv.org_unit, date=today).delete()
    IndicatorSnapshot.objects.bulk_create(rows)
    audit.record_bulk(
        actor,
        AuditAction.BULK_CREATE,
        IndicatorSnapshot,
        len(rows),
        {"date": today.isoformat(), "indicator": rv.indicator, "org_unit": rv.org_unit.code},
    )


# ---- reads -----------------------------------------------------------------------------------------------------


def value_list(user, params=None, action: str = Action.VIEW) -> QuerySet[ReportedValue]:
    """Reported values in the user's area, newest first; ``state``, ``indicator``, ``org`` (a code: that area and
    below) and ``period`` filter."""
    params = params or {}
    qs = ReportedValue.objects.for_user(user, action).select_related(
        "org_unit", "submitted_by", "reviewed_by", "supersedes"
    )
    if params.get("state") in ReportState.values:
        qs = qs.filter(state=params["state"])
    if params.get("indicator"):
        qs = qs.filter(indicator=params["indicator"])
    if params.get("org"):
        from chuncheng.core.scope import org_scope_prefix

        qs = qs.filter(org_unit__code__startswith=org_scope_prefix(params["org"]))
    if params.get("period"):
        try:
            period = periods.parse(params["period"])
        except ValueError:
            return qs.none()
        qs = qs.filter(period_kind=period.kind, period_start=period.start)
    return qs.order_by("-submitted_at", "-pk")


def awaiting_review(user) -> QuerySet[ReportedValue]:
    """Values this user may approve or return: in their area, awaiting review, made by someone else at the same
    level or lower."""
    if not permitted(user, RESOURCE, Action.CHANGE):
        return ReportedValue.objects.none()
    rank = _level_rank(user)
    levels = [level for level, r in LEVEL_RANK.items() if r <= rank]
    return (
        value_list(user, {"state": ReportState.SUBMITTED}, Action.CHANGE)
        .exclude(submitted_by=user)
        .filter(submitted_by__org_unit__level__in=levels)
    )


@dataclass
class DueRow:
    indicator: Indicator
    period: periods.Period
    latest: ReportedValue | None
    in_force: ReportedValue | None

    @property
    def state(self) -> str:
        return self.latest.state if self.latest else "missing"

    @property
    def state_label(self) -> str:
        return ReportState(self.latest.state).label if self.latest else _("Not reported")


def due(unit: OrgUnit, today=None) -> list[DueRow]:
    """For a city or county: each reported indicator with the period due now (the last complete one), the latest
    value entered for it (its state) and the approved value in force. City-only targets are due from the city."""
    today = today or timezone.localdate()
    if unit.level not in DUE_LEVELS:
        return []
    inds = [i for i in reported_indicators(today) if unit.level == Level.CITY or i.target_level != TargetLevel.CITY]
    values = list(
        ReportedValue.objects.filter(org_unit=unit, indicator__in=[i.key for i in inds])
        .exclude(state=ReportState.SUPERSEDED)
        .select_related("submitted_by")
        .order_by("-submitted_at", "-pk")
    )
    rows = []
    for ind in inds:
        period = periods.last_complete(period_kind(ind.key), today)
        mine = [v for v in values if v.indicator == ind.key]
        latest = next((v for v in mine if v.period_start == period.start and v.period_kind == period.kind), None)
        approved = sorted(
            (v for v in mine if v.state == ReportState.APPROVED and v.period_start <= today),
            key=lambda v: v.period_start,
            reverse=True,
        )
        rows.append(DueRow(ind, period, latest, approved[0] if approved else None))
    return rows


def plain(value: Decimal | None) -> str | None:
    """A decimal as written, without trailing zeros or an exponent: 96.5000 → "96.5", 100.0000 → "100"."""
    return None if value is None else format(value.normalize(), "f")


def as_dict(rv: ReportedValue) -> dict[str, Any]:
    period = periods.containing(rv.period_kind, rv.period_start)
    return {
        "id": str(rv.public_id),
        "indicator": rv.indicator,
        "org": {"code": rv.org_unit.code, "name": rv.org_unit.name},
        "period": period.label,
        "period_kind": rv.period_kind,
        "period_start": rv.period_start.isoformat(),
        "period_end": rv.period_end.isoformat(),
        "value": plain(rv.value),
        "note": rv.note,
        "state": rv.state,
        "evidence": {
            "name": rv.evidence_name,
            "size": rv.evidence_size,
            "sha256": rv.evidence_sha256,
            "content_type": rv.evidence_content_type,
        },
        "submitted_by": rv.submitted_by.username,
        "submitted_at": rv.submitted_at.isoformat(timespec="seconds"),
        "reviewed_by": rv.reviewed_by.username if rv.reviewed_by_id else None,
        "reviewed_at": rv.reviewed_at.isoformat(timespec="seconds") if rv.reviewed_at else None,
        "review_note": rv.review_note,
        "supersedes": str(rv.supersedes.public_id) if rv.supersedes_id else None,
    }
