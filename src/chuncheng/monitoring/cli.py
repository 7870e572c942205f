"""``chuncheng monitoring …``: load the indicator catalogue, write the day's snapshots.

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


def register(sub) -> None:
    p = sub.add_parser("monitoring", help="indicator catalogue and snapshots (docs/monitoring.md)")
    monitoring = p.add_subparsers(dest="monitoring_command", required=True)
    q = monitoring.add_parser("load-catalogue", help="load policies/kunming/monitoring/indicators.json (idempotent)")
    q.set_defaults(func=cmd_load_catalogue)
    q = monitoring.add_parser("snapshot", help="store every computed indicator for every area on a date (idempotent)")
    q.add_argument("--date", help="YYYY-MM-DD (default: today)")
    q.set_defaults(func=cmd_snapshot)
