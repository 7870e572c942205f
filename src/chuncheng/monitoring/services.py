"""Every write of monitoring: loading the catalogue (versioned) and writing snapshots (set-based, idempotent)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import Level
from chuncheng.monitoring import compute
from chuncheng.monitoring.choices import (
    Comparison,
    Direction,
    ErrorCode,
    SourceKind,
    TargetLevel,
    Theme,
    Unit,
    ValueStatus,
)
from chuncheng.monitoring.models import (
    CatalogueVersion,
    Indicator,
    IndicatorSnapshot,
    ReportedValue,
    ReportState,
    Target,
    TargetSet,
)

PACK = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "monitoring" / "indicators.json"
SNAPSHOT_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)


def _bad(message: str) -> ValidationError:
    return ValidationError(message, code=ErrorCode.BAD_CATALOGUE)


def _check(doc: dict) -> None:
    sets = {s["code"] for s in doc["target_sets"]}
    keys = [i["key"] for i in doc["indicators"]]
    if len(keys) != len(set(keys)):
        raise _bad(_("The catalogue has a key twice."))
    for entry in doc["indicators"]:
        if (
            entry["unit"] not in Unit.values
            or entry["direction"] not in Direction.values
            or entry["source_kind"] not in SourceKind.values
            or entry["theme"] not in Theme.values
            or entry["target_level"] not in TargetLevel.values
        ):
            raise _bad(_("An indicator has an unknown unit, direction, source, theme or level."))
        for code, target in entry["targets"].items():
            if code not in sets or target["comparison"] not in Comparison.values or not target.get("source"):
                raise _bad(_("A target names an unknown set or comparison, or has no source."))


@transaction.atomic
def load_catalogue(*, actor=None, path: Path = PACK) -> dict[str, object]:
    """Load the catalogue file as a new version unless that version is loaded already (idempotent)."""
    raw = path.read_bytes()
    doc = json.loads(raw)
    _check(doc)
    sha = hashlib.sha256(raw).hexdigest()
    existing = CatalogueVersion.objects.filter(version=doc["version"]).first()
    if existing is not None:
        if existing.sha256 != sha:
            raise _bad(_("This catalogue version is already loaded with other content: give the file a new version."))
        return {"version": existing.version, "created": False, "indicators": existing.indicators.count()}
    version = CatalogueVersion.objects.create(
        version=doc["version"],
        effective_from=date.fromisoformat(doc["effective_from"]),
        deadline=date.fromisoformat(doc["deadline"]),
        source=doc["source"],
        sha256=sha,
    )
    sets = {
        s["code"]: TargetSet.objects.create(
            catalogue=version,
            code=s["code"],
            name_zh=s["name_zh"],
            name_en=s["name_en"],
            target_date=date.fromisoformat(s["target_date"]),
            source=s["source"],
        )
        for s in doc["target_sets"]
    }
    indicators = Indicator.objects.bulk_create(
        Indicator(
            catalogue=version,
            key=e["key"],
            position=i,
            name_zh=e["name_zh"],
            name_en=e["name_en"],
            theme=e["theme"],
            numerator=e["numerator"],
            denominator=e["denominator"],
            unit=e["unit"],
            direction=e["direction"],
            department=e["department"],
            source_kind=e["source_kind"],
            target_level=e["target_level"],
            supplementary=e.get("supplementary", False),
            baseline=e.get("baseline"),
        )
        for i, e in enumerate(doc["indicators"])
    )
    by_key = {ind.key: ind for ind in Indicator.objects.filter(catalogue=version)}
    Target.objects.bulk_create(
        Target(
            indicator=by_key[e["key"]],
            target_set=sets[code],
            value=Decimal(str(t["value"])),
            comparison=t["comparison"],
            text=t["text"],
            source=t["source"],
            note=t.get("note", ""),
        )
        for e in doc["indicators"]
        for code, t in e["targets"].items()
    )
    audit.record_bulk(actor, AuditAction.BULK_CREATE, Indicator, len(indicators), {"catalogue": version.version})
    return {"version": version.version, "created": True, "indicators": len(indicators)}


def current_catalogue(day: date | None = None) -> CatalogueVersion | None:
    qs = CatalogueVersion.objects.all()
    if day is not None:
        qs = qs.filter(effective_from__lte=day)
    return (
        qs.order_by("-effective_from", "-loaded_at").first() or CatalogueVersion.objects.order_by("-loaded_at").first()
    )


def snapshot_units(day: date):
    return OrgUnit.objects.valid_on(day).filter(level__in=SNAPSHOT_LEVELS).order_by("code")


def compute_rows(day: date, unit_list=None, keys=None) -> list[IndicatorSnapshot]:
    """The snapshot rows of every computed indicator for every unit (city, counties, townships valid on ``day``),
    and, unless ``keys`` names the indicators, the approved reported values in force."""
    catalogue = current_catalogue(day)
    explicit_keys = keys is not None
    if keys is None:
        keys = (
            list(catalogue.indicators.filter(source_kind=SourceKind.COMPUTED).values_list("key", flat=True))
            if catalogue
            else list(compute.REGISTRY)
        )
    units = list(unit_list if unit_list is not None else snapshot_units(day))
    with compute.memoized():
        rows = _rows(day, keys, units)
    if explicit_keys or catalogue is None:
        return rows
    # Approved reported values enter the snapshot beside the computed ones (item 3).
    return rows + reported_rows(day, units, catalogue)


def reported_in_force(day: date, units, keys) -> dict[tuple[str, int], ReportedValue]:
    """The approved reported value in force on ``day`` per (indicator key, unit id): the one of the latest period
    that has started by then. One query for every unit and indicator."""
    found: dict[tuple[str, int], ReportedValue] = {}
    for rv in (
        ReportedValue.objects.filter(
            state=ReportState.APPROVED, period_start__lte=day, indicator__in=list(keys), org_unit__in=list(units)
        )
        .order_by("indicator", "org_unit_id", "-period_start", "-period_end")
        .only("indicator", "org_unit_id", "value", "period_start", "period_end")
    ):
        found.setdefault((rv.indicator, rv.org_unit_id), rv)
    return found


def reported_rows(day: date, units, catalogue: CatalogueVersion) -> list[IndicatorSnapshot]:
    """Snapshot rows of the reported indicators that have an approved value in force (the rest stay awaiting a
    report and are not stored, as before)."""
    keys = list(catalogue.indicators.filter(source_kind=SourceKind.REPORTED).values_list("key", flat=True))
    units = list(units)
    by_id = {u.pk: u for u in units}
    return [
        IndicatorSnapshot(
            indicator=key,
            org_unit=by_id[unit_id],
            date=day,
            numerator=None,
            denominator=None,
            value=rv.value,
            status=ValueStatus.OK,
        )
        for (key, unit_id), rv in reported_in_force(day, units, keys).items()
    ]


def _rows(day: date, keys, unit_list) -> list[IndicatorSnapshot]:
    """Per indicator, one grouped computation per level (city, counties, townships): the number of queries grows
    with the indicators, not with the areas."""
    units = list(unit_list)
    areas = [compute.Area.of(unit, day) for unit in units]
    values = {key: compute.compute_many(key, areas) for key in keys}
    return [
        IndicatorSnapshot(
            indicator=key,
            org_unit=unit,
            date=day,
            numerator=r.numerator,
            denominator=r.denominator,
            value=r.value,
            status=r.status,
        )
        for unit in units
        for key in keys
        for r in [values[key][(unit.code, day)]]
    ]


def take_snapshot(day: date, *, actor=None) -> dict[str, object]:
    """Compute every indicator for every area on ``day`` and replace that day's snapshots in one transaction
    (one DELETE, one bulk INSERT): running it twice leaves the same rows."""
    rows = compute_rows(day)
    with transaction.atomic():
        IndicatorSnapshot.objects.filter(date=day).delete()
        IndicatorSnapshot.objects.bulk_create(rows, batch_size=2000)
        audit.record_bulk(actor, AuditAction.BULK_CREATE, IndicatorSnapshot, len(rows), {"date": day.isoformat()})
    return {"date": day.isoformat(), "rows": len(rows)}
