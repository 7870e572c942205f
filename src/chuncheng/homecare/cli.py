"""``chuncheng homecare …``: load the service catalogue, scan a month's visits for anomalies, settle a month per
provider and approve the drafts.

Imported by ``chuncheng.cli`` while building the parser, so nothing here imports Django at module level."""

from __future__ import annotations

import json
import sys


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _refusal(exc) -> str:
    """The JSON line of a refusal: its stable code and Chinese message."""
    errors = [e for errs in exc.error_dict.values() for e in errs] if hasattr(exc, "error_dict") else exc.error_list
    return json.dumps({"code": errors[0].code, "message": errors[0].messages[0]}, ensure_ascii=False)


def load_catalogue(*, quiet: bool = False) -> int:
    """Load the catalogue (idempotent); exit code 2 on a bad file. Called by ``chuncheng init`` too."""
    from django.core.exceptions import ValidationError

    from chuncheng.homecare import services

    try:
        summary = services.load_catalogue()
    except ValidationError as exc:
        _out(_refusal(exc))
        return 2
    if not quiet:
        _out(f"已载入居家服务目录 / home-care catalogue loaded: {json.dumps(summary)}")
    return 0


def cmd_load_catalogue(args) -> int:
    from chuncheng.cli import _setup_django

    _setup_django()
    return load_catalogue()


def cmd_scan_anomalies(args) -> int:
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.homecare import services

    try:
        counts = services.scan_anomalies(args.month, actor=_actor(args.user))
    except ValidationError as exc:
        _out(_refusal(exc))
        return 2
    _out(json.dumps({"month": args.month, "flags_added": counts}, ensure_ascii=False))
    return 0


def cmd_scan_schedule(args) -> int:
    """Raise late / missed-visit alerts for the orders scheduled on a day (idempotent)."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.homecare import services

    try:
        counts = services.scan_schedule(services.parse_day(args.date), actor=_actor(args.user))
    except ValidationError as exc:
        _out(_refusal(exc))
        return 2
    _out(json.dumps({"date": args.date, "alerts_added": counts}, ensure_ascii=False))
    return 0


def cmd_add_caregiver(args) -> int:
    """Add a staff member of the registry as a provider's caregiver, optionally linked to the login they use."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.core.models import User
    from chuncheng.homecare import services
    from chuncheng.homecare.models import Provider
    from chuncheng.institutions.models import Staff

    provider = Provider.objects.filter(uscc=args.provider.upper()).first()
    staff = Staff.objects.filter(public_id=args.staff).first() if len(args.staff) >= 32 else None
    login = User.objects.filter(username=args.login).first() if args.login else None
    if provider is None or staff is None or (args.login and login is None):
        _out(json.dumps({"code": "not_found", "message": "服务商、人员或账号不存在"}, ensure_ascii=False))
        return 2
    try:
        caregiver = services.add_caregiver(provider, staff, user=login, actor=_actor(args.user))
    except ValidationError as exc:
        _out(_refusal(exc))
        return 2
    _out(json.dumps({"caregiver": str(caregiver.public_id), "provider": provider.uscc}))
    return 0


def _settlement_json(s) -> dict:
    return {
        "id": str(s.public_id),
        "provider": s.provider.uscc,
        "month": f"{s.month:%Y-%m}",
        "visits": s.visits,
        "excluded": s.excluded,
        "subsidy_total": str(s.subsidy_total),
        "status": s.status,
    }


def cmd_settle(args) -> int:
    """Make the month's draft settlements per provider (idempotent: a settled provider is skipped)."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.homecare import settlements
    from chuncheng.homecare.models import ProviderSettlement

    actor = _actor(args.user)
    try:
        month = settlements.parse_month(args.month)
        made = settlements.settle_month(month, actor=actor)
    except ValidationError as exc:
        _out(_refusal(exc))
        return 2
    rows = ProviderSettlement.objects.filter(pk__in=[s.pk for s in made]).select_related("provider")
    _out(
        json.dumps(
            {
                "month": args.month,
                "settled_providers": len(made),
                "visits": sum(s.visits for s in made),
                "subsidy_total": str(sum((s.subsidy_total for s in made), 0)),
                "settlements": [_settlement_json(s) for s in rows],
            },
            ensure_ascii=False,
        )
    )
    return 0


def cmd_approve_settlements(args) -> int:
    """Approve the month's draft settlements of the official's area made by someone else (maker-checker)."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.homecare import settlements
    from chuncheng.homecare.models import ProviderSettlement

    actor = _actor(args.user)
    try:
        month = settlements.parse_month(args.month)
        drafts = (
            ProviderSettlement.objects.for_user(actor, "change")
            .filter(month=month, status="draft")
            .exclude(created_by=actor)
        )
        approved = settlements.approve_settlements(list(drafts), actor=actor)
    except ValidationError as exc:
        _out(_refusal(exc))
        return 2
    _out(json.dumps({"month": args.month, "approved": len(approved)}, ensure_ascii=False))
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("homecare", help="home and community services: catalogue, scans, settlements (docs/homecare.md)")
    homecare = p.add_subparsers(dest="homecare_command", required=True)
    q = homecare.add_parser("load-catalogue", help="load the service catalogue and EVV settings (idempotent)")
    q.set_defaults(func=cmd_load_catalogue)
    q = homecare.add_parser("scan-anomalies", help="flag a month's visits (one SQL per rule; reviews are kept)")
    q.add_argument("--month", required=True, help="YYYY-MM")
    q.add_argument("--user", help="the account that runs the scan (default: system)")
    q.set_defaults(func=cmd_scan_anomalies)
    q = homecare.add_parser("scan-schedule", help="raise late / missed-visit alerts for a day (one SQL per rule)")
    q.add_argument("--date", required=True, help="YYYY-MM-DD (the orders' scheduled day)")
    q.add_argument("--user", help="the account that runs the scan (default: system)")
    q.set_defaults(func=cmd_scan_schedule)
    q = homecare.add_parser("add-caregiver", help="add a staff member as a provider's caregiver (and link a login)")
    q.add_argument("--provider", required=True, help="the provider's USCC")
    q.add_argument("--staff", required=True, help="the staff member's id (UUID) in the registry")
    q.add_argument("--login", help="the account the caregiver uses on the phone page")
    q.add_argument("--user", required=True, help="the city or county official adding them")
    q.set_defaults(func=cmd_add_caregiver)
    q = homecare.add_parser(
        "settle", help="make a month's draft settlement per provider (one grouped query; idempotent)"
    )
    q.add_argument("--month", required=True, help="YYYY-MM (a month that has ended)")
    q.add_argument("--user", help="settle as this official (the providers of their area); default: every provider")
    q.set_defaults(func=cmd_settle)
    q = homecare.add_parser("approve-settlements", help="approve a month's drafts made by another official")
    q.add_argument("--month", required=True, help="YYYY-MM")
    q.add_argument("--user", required=True, help="the approving county or city official")
    q.set_defaults(func=cmd_approve_settlements)
