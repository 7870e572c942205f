"""``chuncheng timebank balance|deposit|withdraw`` (registered by ``chuncheng.cli``). Every command acts as
``--user`` and sees only that account's area; refusals print ``{"code", "message"}`` and exit 2."""

from __future__ import annotations

import json
import sys
from datetime import date


def _out(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def _refusal(exc) -> int:
    from chuncheng.core.api_base import django_errors

    errors = django_errors(exc)
    _out({"code": errors[0]["code"], "message": errors[0]["message"], "errors": errors})
    return 2


def _load(args):
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from chuncheng.timebank.models import Volunteer

    actor = _actor(args.user)
    volunteer = Volunteer.objects.for_user(actor).select_related("account").filter(public_id=args.volunteer).first()
    if volunteer is None:
        _out({"code": "not_found", "message": "no such volunteer in this account's area"})
        return actor, None
    return actor, volunteer


def cmd_balance(args) -> int:
    _actor, volunteer = _load(args)
    if volunteer is None:
        return 2
    from chuncheng.timebank.queries import posted_balance

    _out(
        {
            "volunteer": volunteer.public_id,
            "balance": volunteer.account.balance,
            "posted": posted_balance(volunteer.account),
        }
    )
    return 0


def cmd_deposit(args) -> int:
    """Record a service and confirm it at once (the user must be a community or township worker)."""
    actor, volunteer = _load(args)
    if volunteer is None:
        return 2
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from chuncheng.timebank import services

    try:
        with transaction.atomic():
            service = services.record_service(
                volunteer,
                {"served_on": date.fromisoformat(args.served_on), "hours": args.hours, "description": args.description},
                actor=actor,
            )
            transfer = services.confirm_service(service, actor=actor)
    except ValidationError as exc:
        return _refusal(exc)
    _out({"transfer": transfer.public_id, "kind": transfer.kind, "hours": transfer.hours})
    return 0


def cmd_withdraw(args) -> int:
    actor, volunteer = _load(args)
    if volunteer is None:
        return 2
    from django.core.exceptions import ValidationError

    from chuncheng.elders.models import Elder
    from chuncheng.timebank import services

    beneficiary = Elder.objects.for_user(actor).filter(public_id=args.beneficiary).first()
    if beneficiary is None:
        _out({"code": "not_found", "message": "no such elder in this account's area"})
        return 2
    try:
        transfer = services.withdraw(
            volunteer, args.hours, beneficiary=beneficiary, relation=args.relation, note=args.note or "", actor=actor
        )
    except ValidationError as exc:
        return _refusal(exc)
    _out({"transfer": transfer.public_id, "kind": transfer.kind, "hours": transfer.hours})
    return 0


def register(sub) -> None:
    """Add ``timebank`` and its subcommands to the ``chuncheng`` parser."""
    p = sub.add_parser("timebank", help="time bank: balances, deposits and withdrawals (docs/timebank.md)")
    timebank = p.add_subparsers(dest="timebank_command", required=True)
    q = timebank.add_parser("balance", help="print a volunteer's balance (stored and summed from postings)")
    q.add_argument("volunteer", help="the volunteer's id (UUID)")
    q.add_argument("--user", required=True)
    q.set_defaults(func=cmd_balance)
    q = timebank.add_parser("deposit", help="record and confirm a volunteer service (deposits its hours)")
    q.add_argument("volunteer", help="the volunteer's id (UUID)")
    q.add_argument("--hours", required=True)
    q.add_argument("--served-on", required=True, help="YYYY-MM-DD")
    q.add_argument("--description", required=True)
    q.add_argument("--user", required=True, help="the confirming community or township worker")
    q.set_defaults(func=cmd_deposit)
    q = timebank.add_parser("withdraw", help="spend hours on a service to the volunteer or a registered relative")
    q.add_argument("volunteer", help="the volunteer's id (UUID)")
    q.add_argument("--hours", required=True)
    q.add_argument("--beneficiary", required=True, help="the elder's id (UUID)")
    q.add_argument("--relation", required=True, help="self, spouse, parent, parent_in_law, grandparent, other_relative")
    q.add_argument("--note")
    q.add_argument("--user", required=True)
    q.set_defaults(func=cmd_withdraw)
