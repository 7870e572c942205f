"""``chuncheng alarms vendor-add|stats`` (registered by ``chuncheng.cli``)."""

from __future__ import annotations

import json
import sys


def _out(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=1) + "\n")


def cmd_vendor_add(args) -> int:
    """Register a vendor and print its secret, this once (it is stored only encrypted)."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.alarms import services
    from chuncheng.core.api_base import django_errors

    try:
        vendor, secret = services.add_vendor(args.name, code=args.code or "", actor=_actor(args.user))
    except ValidationError as exc:
        errors = django_errors(exc)
        _out({"code": errors[0]["code"], "message": errors[0]["message"]})
        return 2
    _out({"vendor": vendor.code, "webhook": f"/api/v1/alarms/webhook/{vendor.code}/", "secret": secret})
    sys.stderr.write("密钥只显示这一次 / the secret is shown only this once\n")
    return 0


def cmd_stats(args) -> int:
    """Median and p90 seconds to acknowledge and to close, per county (or township) for a month, as JSON."""
    from chuncheng.cli import _actor, _setup_django

    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.alarms import queries

    try:
        month = queries.parse_month(args.month)
    except ValidationError:
        _out({"code": "bad_month", "message": "A month is written YYYY-MM."})
        return 2
    actor = _actor(args.user)
    _out(
        {
            "month": month.strftime("%Y-%m"),
            "level": args.level,
            "areas": queries.response_times(actor, month, args.level),
        }
    )
    return 0


def cmd_mqtt(args) -> int:
    """Consume device events from the MQTT broker (same checks as the webhook); runs until stopped."""
    from chuncheng.cli import _setup_django

    _setup_django()
    from chuncheng.alarms import mqtt

    counts = mqtt.consume(args.host, args.port, args.topic, max_messages=args.max_messages, seconds=args.seconds)
    _out(counts)
    return 0


def register(sub) -> None:
    """Add ``alarms`` and its subcommands to the ``chuncheng`` parser."""
    p = sub.add_parser("alarms", help="alarms: device vendors and response-time figures (docs/alarms.md)")
    alarms = p.add_subparsers(dest="alarms_command", required=True)
    q = alarms.add_parser("vendor-add", help="register a device vendor and print its webhook secret once")
    q.add_argument("name")
    q.add_argument("--code", help="the vendor's code in the webhook URL (default: from the name)")
    q.add_argument("--user", help="the city official recording it (default: the machine's operator)")
    q.set_defaults(func=cmd_vendor_add)
    q = alarms.add_parser("stats", help="response times per area for a month (median and p90, seconds)")
    q.add_argument("--month", required=True, help="YYYY-MM")
    q.add_argument("--level", choices=["county", "township"], default="county")
    q.add_argument("--user", help="show only this account's area (default: the whole city)")
    q.set_defaults(func=cmd_stats)
    q = alarms.add_parser("mqtt", help="consume signed device events from an MQTT broker (docs/alarms.md)")
    q.add_argument("--host", default="127.0.0.1")
    q.add_argument("--port", type=int, default=1883)
    q.add_argument("--topic", default="chuncheng/alarms/+/events")
    q.add_argument("--max-messages", type=int, help="stop after this many messages (default: run until stopped)")
    q.add_argument("--seconds", type=float, help="stop after this many seconds")
    q.set_defaults(func=cmd_mqtt)
