"""``chuncheng meals …``: scan flags, settle a month. Registered on the main parser by ``chuncheng.cli``; Django is
set up only when a command runs."""

from __future__ import annotations

import json


def _print(data) -> None:
    import sys

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def cmd_settle(args) -> int:
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.meals import queries, services

    actor = _actor(args.user)
    try:
        month = services.parse_month(args.month)
        sites = queries.sites_for(actor, "meal_settlement", "add") if actor is not None else None
        created = services.settle_month(month, actor=actor, sites=sites)
    except ValidationError as exc:
        _print({"code": exc.error_list[0].code or "invalid", "message": " ".join(exc.messages)})
        return 2
    _print(
        {
            "month": args.month,
            "settled_sites": len(created),
            "meals": sum(s.meals for s in created),
            "subsidy": str(sum((s.subsidy_total for s in created), 0)),
        }
    )
    return 0


def cmd_scan(args) -> int:
    from chuncheng.cli import _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.meals import flags, services

    try:
        month = services.parse_month(args.month)
    except ValidationError as exc:
        _print({"code": exc.error_list[0].code, "message": " ".join(exc.messages)})
        return 2
    _print(flags.scan_month(month).as_dict())
    return 0


def register(sub) -> None:
    p = sub.add_parser("meals", help="meal assistance: scan flags, settle a month (docs/meals.md)")
    meals = p.add_subparsers(dest="meals_command", required=True)
    q = meals.add_parser("settle", help="settle a month per site, writing benefits ledger entries (idempotent)")
    q.add_argument("--month", required=True, help="YYYY-MM")
    q.add_argument("--user", help="settle as this account (its area only); without it, every site")
    q.set_defaults(func=cmd_settle)
    q = meals.add_parser("scan", help="flag the month's meal records (set-based; idempotent)")
    q.add_argument("--month", required=True, help="YYYY-MM")
    q.set_defaults(func=cmd_scan)
