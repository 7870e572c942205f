"""``chuncheng monitoring …``: load the indicator catalogue, write the day's snapshots. ``chuncheng indicators …``:
report and review reported values, produce the bulletin.

Imported by ``chuncheng.cli`` while building the parser, so nothing here imports Django at module level."""

from __future__ import annotations

import json
import sys


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def load_catalogue(*, quiet: bool = False) -> int:
    """Load the catalogue (idempotent); exit code 2 on a bad file. Called by ``chuncheng init`` too."""
    from django.core.exceptions import ValidationError

    from chuncheng.monitoring import services

    try:
        summary = services.load_catalogue()
    except ValidationError as exc:
        _out(json.dumps({"code": exc.error_list[0].code, "message": exc.error_list[0].messages[0]}, ensure_ascii=False))
        return 2
    if not quiet:
        _out(f"已载入监测指标目录 / indicator catalogue loaded: {json.dumps(summary, ensure_ascii=False)}")
    return 0


def cmd_load_catalogue(args) -> int:
    from chuncheng.cli import _setup_django

    _setup_django()
    return load_catalogue()


def cmd_snapshot(args) -> int:
    from datetime import date

    from chuncheng.cli import _setup_django

    _setup_django()
    from django.utils import timezone

    from chuncheng.monitoring import services

    try:
        day = date.fromisoformat(args.date) if args.date else timezone.localdate()
    except ValueError:
        _out(json.dumps({"code": "monitoring_bad_date", "message": "日期格式为 YYYY-MM-DD"}, ensure_ascii=False))
        return 2
    if services.current_catalogue() is None and load_catalogue(quiet=True):
        return 2
    _out(json.dumps(services.take_snapshot(day), ensure_ascii=False))
    return 0


def _refused(exc) -> int:
    from chuncheng.monitoring.bulletin import refusal_message

    code, message = refusal_message(exc)
    _out(json.dumps({"code": code, "message": message}, ensure_ascii=False))
    return 2


def cmd_report(args) -> int:
    """Report a value with its evidence file, as ``--user`` (a city or county official of the area)."""
    from pathlib import Path

    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from chuncheng.monitoring import reported

    actor = _actor(args.user)
    path = Path(args.evidence)
    if not path.is_file():
        _out(json.dumps({"code": "monitoring_evidence_required", "message": "证明材料文件不存在"}, ensure_ascii=False))
        return 2
    try:
        with path.open("rb") as fh:
            unit = reported.unit_for(actor, args.org)
            rv = reported.submit(
                args.indicator,
                unit,
                args.period,
                args.value,
                evidence=reported.Evidence(path.name, fh),
                note=args.note or "",
                actor=actor,
            )
    except ValidationError as exc:
        return _refused(exc)
    except Http404:
        _out(json.dumps({"code": "not_found", "message": "不在本账号的管辖范围内"}, ensure_ascii=False))
        return 2
    _out(json.dumps(reported.as_dict(rv), ensure_ascii=False))
    return 0


def cmd_review(args) -> int:
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.core.roles import Action
    from chuncheng.monitoring import reported
    from chuncheng.monitoring.models import ReportedValue

    actor = _actor(args.user)
    rv = (
        ReportedValue.objects.for_user(actor, Action.CHANGE).filter(public_id=args.value_id).first()
        if _is_uuid(args.value_id)
        else None
    )
    if rv is None:
        _out(
            json.dumps({"code": "not_found", "message": "没有这条上报数，或不在本账号的管辖范围内"}, ensure_ascii=False)
        )
        return 2
    try:
        if args.action == "approve":
            rv = reported.approve(rv, actor=actor, note=args.note or "")
        else:
            rv = reported.return_value(rv, actor=actor, note=args.note or "")
    except ValidationError as exc:
        return _refused(exc)
    rv.refresh_from_db()
    _out(json.dumps(reported.as_dict(rv), ensure_ascii=False))
    return 0


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def cmd_reported(args) -> int:
    """Reported values in the user's area as JSON lines (``--state``, ``--indicator``, ``--org``)."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from chuncheng.monitoring import reported

    actor = _actor(args.user)
    params = {"state": args.state, "indicator": args.indicator, "org": args.org}
    for rv in reported.value_list(actor, {k: v for k, v in params.items() if v}):
        _out(json.dumps(reported.as_dict(rv), ensure_ascii=False))
    return 0


def cmd_bulletin(args) -> int:
    """Print the bulletin (summary in Chinese, or ``--json``) and optionally write its XLSX. With ``--user`` the
    area must be in that user's scope; without, the command runs as the system (like the snapshot)."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring import bulletin, queries

    try:
        if args.user:
            unit = queries.area_for(_actor(args.user), args.org)
        else:
            unit = OrgUnit.objects.filter(code=args.org).first()
            if unit is None:
                raise Http404
        result = bulletin.build(unit, args.period, args.set)
    except ValidationError as exc:
        return _refused(exc)
    except Http404:
        _out(
            json.dumps(
                {"code": "monitoring_unknown_org", "message": "没有这个区划，或不在本账号的管辖范围内"},
                ensure_ascii=False,
            )
        )
        return 2
    if args.xlsx:
        with open(args.xlsx, "wb") as fh:
            bulletin.write_xlsx(result, fh)
    if args.json:
        _out(json.dumps(bulletin.as_dict(result), ensure_ascii=False, indent=1))
        return 0
    own = result.own
    _out(result.title)
    _out(
        f"数据日期 {result.as_of or '无快照'}（上期 {result.previous_as_of or '无快照'}），目标值口径 {result.target_set.code}："
        f"已达标 {own.attained} 项，未达标 {own.not_attained} 项，无数值 {own.no_value} 项；"
        f"较上期改善 {own.improved} 项，退步 {own.worsened} 项"
    )
    for a in result.areas:
        _out(
            f"{a.rank}\t{a.unit.code}\t{a.unit.name}\t已达标 {a.attained}\t未达标 {a.not_attained}\t无数值 {a.no_value}"
        )
    if args.xlsx:
        _out(f"已写出 {args.xlsx}")
    return 0


def _plain(value) -> str:
    """A Decimal in the indicator's unit without trailing zeros (a share of 59.02% prints as 59.02); blank if none."""
    return "" if value is None else format(value.normalize(), "f")


def cmd_values(args) -> int:
    """Every indicator of an area on a date: key, value, numerator, denominator, unit, targets and attainment per
    set. The command line is the machine's operator: it reads the whole tree (no user scope), like ``snapshot``."""
    from chuncheng.cli import _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.core.models import OrgUnit
    from chuncheng.monitoring import queries

    try:
        day = queries.parse_date(args.date)
    except ValidationError:
        _out(json.dumps({"code": "monitoring_bad_date", "message": "日期格式为 YYYY-MM-DD"}, ensure_ascii=False))
        return 2
    unit = OrgUnit.objects.filter(code=args.org).first()
    if unit is None:
        _out(json.dumps({"code": "not_found", "message": f"没有代码为 {args.org} 的行政区划"}, ensure_ascii=False))
        return 2
    if services_catalogue_missing():
        return 2
    rows = queries.area_table(unit, day)
    values = [
        {
            "key": r.indicator.key,
            "name": r.indicator.name_zh,
            "value": _plain(r.value),
            "numerator": _plain(r.numerator),
            "denominator": _plain(r.denominator),
            "unit": r.indicator.unit,
            "status": r.status,
            "targets": {t.code: {"target": t.text, "attainment": t.status} for t in r.targets},
        }
        for r in rows
    ]
    if args.json:
        _out(json.dumps({"org": unit.code, "date": day.isoformat(), "values": values}, ensure_ascii=False))
        return 0
    _out(f"{unit.name} ({unit.code}) {day.isoformat()}")
    _out("\t".join(["key", "value", "numerator", "denominator", "unit", "targets (set: target → attainment)"]))
    for v in values:
        targets = "; ".join(f"{code}: {t['target']} → {t['attainment']}" for code, t in v["targets"].items())
        fields = [v["key"], v["value"] or v["status"], v["numerator"], v["denominator"], v["unit"], targets]
        _out("\t".join(fields))
    return 0


def services_catalogue_missing() -> bool:
    """Load the catalogue when none is loaded yet; True when it cannot be loaded (the refusal is printed)."""
    from chuncheng.monitoring import services

    return services.current_catalogue() is None and bool(load_catalogue(quiet=True))


def register(sub) -> None:
    p = sub.add_parser("monitoring", help="indicator catalogue and snapshots (docs/monitoring.md)")
    monitoring = p.add_subparsers(dest="monitoring_command", required=True)
    q = monitoring.add_parser("load-catalogue", help="load policies/kunming/monitoring/indicators.json (idempotent)")
    q.set_defaults(func=cmd_load_catalogue)
    q = monitoring.add_parser("snapshot", help="store every computed indicator for every area on a date (idempotent)")
    q.add_argument("--date", help="YYYY-MM-DD (default: today)")
    q.set_defaults(func=cmd_snapshot)

    p = sub.add_parser(
        "indicators", help="an area's indicators (--org), reported indicators and the bulletin (docs/monitoring.md)"
    )
    p.add_argument("--org", help="print every indicator of this area (city, county or township code)")
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="one JSON document instead of a table")
    indicators = p.add_subparsers(dest="indicators_command")
    p.set_defaults(func=lambda args: cmd_values(args) if args.org else (p.print_help() or 2))
    q = indicators.add_parser("report", help="report a value of a reported indicator with its evidence file")
    q.add_argument("indicator", help="the indicator's key, e.g. basic_pension_coverage")
    q.add_argument("--org", help="the area's code (default: the user's own)")
    q.add_argument("--period", required=True, help="2025 (year), 2026-Q3 (quarter) or 2026-10 (month)")
    q.add_argument("--value", required=True, help="in the indicator's unit: a share of 59.02%% is 59.02")
    q.add_argument("--evidence", required=True, help="PDF, JPG, PNG, XLSX or CSV file")
    q.add_argument("--note")
    q.add_argument("--user", required=True, help="the city or county official reporting")
    q.set_defaults(func=cmd_report)
    q = indicators.add_parser("review", help="approve or return a reported value (not its maker)")
    q.add_argument("value_id", help="the value's id (UUID)")
    q.add_argument("action", choices=["approve", "return"])
    q.add_argument("--note", help="required to return")
    q.add_argument("--user", required=True, help="the reviewer, at the maker's level or higher")
    q.set_defaults(func=cmd_review)
    q = indicators.add_parser("reported", help="list reported values in the user's area as JSON lines")
    q.add_argument("--user", required=True)
    q.add_argument("--state", choices=["submitted", "approved", "returned", "superseded"])
    q.add_argument("--indicator")
    q.add_argument("--org")
    q.set_defaults(func=cmd_reported)
    q = indicators.add_parser("bulletin", help="the bulletin of the city or a county for a month or quarter")
    q.add_argument("--org", required=True, help="the city's or a county's code")
    q.add_argument("--period", required=True, help="2026-10 (month) or 2026-Q3 (quarter)")
    q.add_argument("--set", help="target set (default in policies/kunming/monitoring/reporting.json: S)")
    q.add_argument("--xlsx", help="write the bulletin to this XLSX file")
    q.add_argument("--json", action="store_true", help="print the whole bulletin as JSON")
    q.add_argument("--user", help="produce it as this user (scope checked)")
    q.set_defaults(func=cmd_bulletin)
