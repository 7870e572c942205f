"""``chuncheng familybeds compliance --month YYYY-MM [--org CODE]``: one JSON line per bed, then a summary line.

Imported by ``chuncheng.cli`` while building the parser, so nothing here imports Django at module level."""

from __future__ import annotations

import json
import sys


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def cmd_compliance(args) -> int:
    from chuncheng.cli import _setup_django

    _setup_django()
    from chuncheng.familybeds import queries, rules
    from chuncheng.familybeds.choices import ComplianceStatus
    from chuncheng.familybeds.models import HomeCareBed

    try:
        rules.month_range(args.month)
    except ValueError:
        _out(json.dumps({"code": "bad_month", "message": "月份格式应为 YYYY-MM"}, ensure_ascii=False))
        return 2
    beds = HomeCareBed.objects.select_related("elder__org_unit")
    if args.org:
        beds = beds.filter(elder__org_unit__code__startswith=args.org)
    rows = queries.compliance_rows(beds.order_by("id"), args.month)
    for row in rows:
        _out(
            json.dumps(
                {
                    "bed": str(row.bed.public_id),
                    "org_unit": row.bed.elder.org_unit.code,
                    "planned": row.planned,
                    "verified": row.verified,
                    "rate": str(row.rate),
                    "status": row.status,
                },
                ensure_ascii=False,
            )
        )
    short = sum(1 for row in rows if row.status == ComplianceStatus.SHORT)
    summary = {"month": args.month, "org": args.org or "", "beds": len(rows), "short": short}
    _out(json.dumps(summary, ensure_ascii=False))
    return 0


def register(sub) -> None:
    p = sub.add_parser("familybeds", help="family care beds: monthly compliance (docs/familybeds.md)")
    familybeds = p.add_subparsers(dest="familybeds_command", required=True)
    q = familybeds.add_parser("compliance", help="planned vs verified visits per bed for a month")
    q.add_argument("--month", required=True, help="YYYY-MM")
    q.add_argument("--org", help="org-unit code prefix (county, township, village)")
    q.set_defaults(func=cmd_compliance)
