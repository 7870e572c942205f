"""The ``chuncheng`` command: one entry point for set-up, serving, imports, exports, demo data and accounts."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuncheng.settings")
    import django

    django.setup()


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def compile_messages() -> int:
    """Compile the .po catalogues to .mo with polib (no system gettext needed on a fresh machine)."""
    import polib

    locale_dir = Path(__file__).resolve().parent / "locale"
    count = 0
    for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
    return count


def reference_file(name: str) -> Path:
    return Path(__file__).resolve().parent / "policies" / "kunming" / name


def load_reference_org_units() -> None:
    from chuncheng.core.imports import run_import
    from chuncheng.core.models import OrgUnit
    from chuncheng.core.orgunits import OrgUnitImporter

    if OrgUnit.objects.exists():
        return
    path = reference_file("org-units.csv")
    with path.open("rb") as fh:
        result = run_import(OrgUnitImporter(None), fh, path.name)
    if not result.ok:
        raise SystemExit(f"reference org units failed to load: {result.as_dict()['errors'][:3]}")
    _out(f"已载入行政区划 {result.created} 个 (loaded {result.created} org units)")


def cmd_init(args) -> int:
    compile_messages()
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not args.skip_static:
        call_command("collectstatic", interactive=False, verbosity=0)
    load_reference_org_units()
    load_benefits_policy()
    from chuncheng.homecare.cli import load_catalogue as load_homecare_catalogue

    load_homecare_catalogue(quiet=True)
    from chuncheng.monitoring.cli import load_catalogue as load_monitoring_catalogue

    load_monitoring_catalogue(quiet=True)
    if not args.no_demo:
        return cmd_demo(argparse.Namespace(scale="small", seed=2021, quiet=False))
    return 0


def cmd_demo(args) -> int:
    _setup_django()
    import time

    from django.db import transaction

    from chuncheng.demo.run import build_all
    from chuncheng.demo.users import create_demo_users
    from chuncheng.institutions.models import Institution

    load_reference_org_units()
    started = time.monotonic()
    summary = build_all(args.scale, seed=args.seed)
    if summary["institutions"]:
        _out(
            f"演示城市 ({args.scale}) 已生成 / demo city built in {time.monotonic() - started:.1f} s: "
            + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
    with transaction.atomic():
        operator_institution = Institution.objects.filter(org_unit__code__startswith="530102").order_by("code").first()
        created = create_demo_users(operator_institution)
    if created:
        _out("")
        _out("演示账号（密码只显示这一次，首次登录须修改；三个管理员首次登录须绑定TOTP）")
        _out("Demo accounts (passwords are shown only this once; change at first login; admins enrol TOTP):")
        for username, role, password in created:
            _out(f"  {role:<12} {username:<18} {password}")
        _out("")
    return 0


def cmd_serve(args) -> int:
    _setup_django()
    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "chuncheng.cli", "worker"])
    bind = f"{args.host}:{args.port}"
    _out(f"春城智慧健康养老信息平台: http://{bind}/")
    try:
        return subprocess.call(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "chuncheng.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(args.workers),
                "--access-logfile",
                "-",
                "--timeout",
                "120",
            ]
        )
    except KeyboardInterrupt:
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)


def cmd_worker(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("run_huey", workers=args.workers)
    return 0


def cmd_import(args) -> int:
    _setup_django()
    from django.conf import settings

    from chuncheng.core.imports import run_import
    from chuncheng.core.registry import importer_for

    actor = _actor(args.user)
    importer = importer_for(args.kind, actor)
    if args.allow_under_60:
        try:  # an option of the elders importer only; other kinds keep the plain Importer(actor)
            importer = type(importer)(actor, allow_under_60=True)
        except TypeError:
            _out(
                json.dumps(
                    {"code": "option_not_supported", "message": "--allow-under-60 只用于 elders"}, ensure_ascii=False
                )
            )
            return 2
    path = Path(args.file)
    if not path.exists():
        _out(json.dumps({"code": "file_missing", "message": f"文件不存在: {path}"}, ensure_ascii=False))
        return 2
    with path.open("rb") as fh:
        result = run_import(
            importer,
            fh,
            path.name,
            partial=args.partial,
            dry_run=args.dry_run,
            max_bytes=None if args.no_size_limit else settings.MAX_UPLOAD_BYTES * 100,
        )
    _out(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    return 0 if result.ok or (args.partial and result.file_error is None) else 2


def cmd_export(args) -> int:
    _setup_django()
    from chuncheng.core.registry import exporter_for

    actor = _actor(args.user)
    count = exporter_for(args.kind)(Path(args.file), org=args.org, unmasked=args.unmasked, actor=actor)
    _out(json.dumps({"kind": args.kind, "rows": count, "file": args.file}, ensure_ascii=False))
    return 0


def _actor(username: str | None):
    if not username:
        return None
    from chuncheng.core.models import User

    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise SystemExit(f"no such user: {username}") from exc


def cmd_createuser(args) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.core import accounts
    from chuncheng.core.models import OrgUnit
    from chuncheng.institutions.models import Institution

    org_unit = OrgUnit.objects.filter(code=args.org).first() if args.org else None
    institution = Institution.objects.filter(uscc=args.institution).first() if args.institution else None
    from chuncheng.homecare.models import Provider

    provider = Provider.objects.filter(uscc=args.provider.upper()).first() if getattr(args, "provider", None) else None
    try:
        user, password = accounts.create_user(
            args.username, args.role, org_unit=org_unit, institution=institution, provider=provider
        )
    except ValidationError as exc:
        _out(json.dumps({"code": "invalid", "errors": exc.messages}, ensure_ascii=False))
        return 2
    _out(f"{user.username} {password}")
    return 0


def cmd_manage(args) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chuncheng", *args.rest])
    return 0


def load_benefits_policy(*, quiet: bool = False) -> int:
    """Load the benefits policy pack (programmes and policy versions); idempotent. Exit code 2 on a bad pack."""
    from chuncheng.benefits.policy import load_policy
    from chuncheng.benefits.rules import QuoteError

    try:
        summary = load_policy()
    except QuoteError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    if not quiet and (summary.versions_created or summary.versions_updated):
        _out(f"已载入补贴政策 / benefits policy loaded: {json.dumps(summary.as_dict())}")
    return 0


def cmd_benefits_load_policy(args) -> int:
    _setup_django()
    return load_benefits_policy()


def _json_file(path: Path) -> tuple[bool, Any]:
    """(True, the JSON in ``path``), or (False, None) after printing the refusal of a missing or malformed file."""
    try:
        return True, json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _out(json.dumps({"code": "file_missing", "message": f"文件不存在: {path}"}, ensure_ascii=False))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _out(json.dumps({"code": "input_invalid", "message": f"不是有效的 JSON: {exc}"}, ensure_ascii=False))
    return False, None


def cmd_benefits_quote(args) -> int:
    """Quote one beneficiary's facts (a JSON file) under the version in force; prints JSON, writes nothing."""
    _setup_django()
    from chuncheng.benefits import services
    from chuncheng.benefits.queries import parse_date
    from chuncheng.benefits.rules import QuoteError

    ok, facts = _json_file(Path(args.input))
    if not ok:
        return 2
    try:
        result = services.quote(args.programme, facts, parse_date(args.date))
    except QuoteError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    _out(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


def cmd_benefits_run(args) -> int:
    """Run (or resume) the monthly batch of a recurring programme inline; ``--dry-run`` writes nothing. Prints JSON."""
    _setup_django()
    from chuncheng.benefits import batches
    from chuncheng.benefits.rules import QuoteError

    try:
        period = batches.parse_period(args.period)
        if args.dry_run:
            summary = batches.dry_run(args.programme, period)
        else:
            summary = batches.summarise(batches.run(args.programme, period, actor=_actor(args.user)))
    except QuoteError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    _out(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1))
    return 0


def _set_value(text: str):
    """``--set key=value``: the value as JSON when it parses (numbers, lists, objects), else the text itself."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(text)
    try:
        return key.strip(), json.loads(raw)
    except json.JSONDecodeError:
        return key.strip(), raw


def cmd_benefits_simulate(args) -> int:
    """Cost per county and year under the version in force and a draft with the overrides; prints JSON, writes
    nothing. ``--user`` limits the rows to that account's area (default: the whole city)."""
    _setup_django()
    from chuncheng.benefits import simulation
    from chuncheng.benefits.rules import QuoteError

    overrides: dict = {}
    if args.parameters:
        ok, overrides = _json_file(Path(args.parameters))
        if not ok:
            return 2
        if not isinstance(overrides, dict):
            _out(json.dumps({"code": "parameter_invalid", "message": "参数文件须为 JSON 对象"}, ensure_ascii=False))
            return 2
    for item in args.set or []:
        try:
            key, value = _set_value(item)
        except ValueError:
            _out(json.dumps({"code": "input_invalid", "message": f"--set 应为 key=value：{item}"}, ensure_ascii=False))
            return 2
        overrides[key] = value
    try:
        months = simulation.months_for(args.year, args.start, args.end)
        result = simulation.simulate(args.programme, months, overrides, user=_actor(args.user))
    except QuoteError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    _out(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    return 0


def cmd_benefits_adjust(args) -> int:
    """Record a back pay or a recovery as one ledger entry, as ``--user`` (within that account's area); prints JSON."""
    _setup_django()
    from chuncheng.benefits import adjustments
    from chuncheng.benefits.rules import QuoteError

    asked = adjustments.Request(
        kind=args.kind,
        programme=args.programme,
        period=args.period,
        beneficiary=args.beneficiary,
        amount=args.amount,
        note=args.note or "",
    )
    try:
        entry = adjustments.adjust(_actor(args.user), asked)
    except QuoteError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    _out(json.dumps(adjustments.entry_dict(entry), ensure_ascii=False, indent=1))
    return 0


def cmd_benefits_applications(args) -> int:
    """List applications (B1, B5) as JSON lines, newest first; ``--status`` filters."""
    _setup_django()
    from chuncheng.benefits import applications
    from chuncheng.benefits.choices import ApplicationStatus
    from chuncheng.benefits.models import Application

    if args.status and args.status not in ApplicationStatus.values:
        message = f"状态无效：{args.status}（可选 {'、'.join(ApplicationStatus.values)}）"
        _out(json.dumps({"code": "input_invalid", "message": message, "key": "status"}, ensure_ascii=False))
        return 2
    qs = Application.objects.select_related("programme", "org_unit", "institution", "facility", "policy_version")
    if args.status:
        qs = qs.filter(status=args.status)
    for application in qs.order_by("-created_at", "-pk").iterator(chunk_size=500):
        _out(json.dumps(applications.as_dict(application), ensure_ascii=False))
    return 0


def cmd_benefits_decide(args) -> int:
    """Decide one application at its current level as ``--user`` (approve, reject or return; a reason for the last
    two); prints the application as JSON, exit 2 on a refusal (nothing written)."""
    _setup_django()
    from django.core.exceptions import ValidationError

    from chuncheng.benefits import applications
    from chuncheng.benefits.models import Application
    from chuncheng.benefits.rules import QuoteError

    actor = _actor(args.user)
    try:
        application = Application.objects.get(public_id=args.application)
    except (Application.DoesNotExist, ValidationError, ValueError):
        message = f"找不到申请：{args.application}"
        _out(json.dumps({"code": "application_unknown", "message": message}, ensure_ascii=False))
        return 2
    try:
        application = applications.decide(application, args.action, actor=actor, reason=args.reason or "")
    except QuoteError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    _out(json.dumps(applications.as_dict(application), ensure_ascii=False, indent=1))
    return 0


def cmd_assessment_score(args) -> int:
    """Score a JSON file of GB/T 42195-2022 answers keyed by indicator (pure: no database)."""
    from chuncheng.assessment.scoring import ScoringError, score

    path = Path(args.file)
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _out(json.dumps({"code": "file_missing", "message": f"文件不存在: {path}"}, ensure_ascii=False))
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        _out(json.dumps({"code": "json_invalid", "message": f"不是有效的 JSON: {exc}"}, ensure_ascii=False))
        return 2
    try:
        result = score(answers)
    except ScoringError as exc:
        _out(json.dumps(exc.as_dict(), ensure_ascii=False))
        return 2
    _out(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chuncheng", description="春城智慧健康养老信息平台")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="migrate, load reference data, create the demo city and accounts")
    p.add_argument("--no-demo", action="store_true")
    p.add_argument("--skip-static", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="create the synthetic Kunming (idempotent)")
    p.add_argument("--scale", choices=["small", "city"], default="small")
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve on http://127.0.0.1:8000 with a job worker")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-worker", action="store_true")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the background job worker (huey)")
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("import", help="import a CSV/XLSX file (docs/data-exchange.md)")
    p.add_argument("kind")
    p.add_argument("file")
    p.add_argument("--partial", action="store_true", help="import the valid rows and report the rest")
    p.add_argument("--dry-run", action="store_true", help="validate only")
    p.add_argument("--user", help="record the import under this account")
    p.add_argument("--no-size-limit", action="store_true")
    p.add_argument("--allow-under-60", action="store_true", help="elders: accept people under 60")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="export a kind to CSV or XLSX (by the file's suffix)")
    p.add_argument("kind")
    p.add_argument("file")
    p.add_argument("--org", help="only this org unit's area (code prefix)")
    p.add_argument("--unmasked", action="store_true", help="full ID and phone numbers (logged)")
    p.add_argument("--user", help="record the export under this account")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("createuser", help="create an account with a one-time password")
    p.add_argument("username")
    p.add_argument("role")
    p.add_argument("--org", help="org-unit code (every role but the operator)")
    p.add_argument("--institution", help="institution USCC (operators)")
    p.add_argument("--provider", help="home-service provider USCC (provider operators and caregivers)")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("assessment", help="capability assessment (GB/T 42195-2022) tools")
    assessment = p.add_subparsers(dest="assessment_command", required=True)
    q = assessment.add_parser("score", help="print the scores and level of a JSON file of answers keyed by indicator")
    q.add_argument("file")
    q.set_defaults(func=cmd_assessment_score)

    p = sub.add_parser("benefits", help="subsidies and allowances: load the policy pack, quote a beneficiary")
    benefits = p.add_subparsers(dest="benefits_command", required=True)
    q = benefits.add_parser("load-policy", help="load programmes and policy versions (idempotent)")
    q.set_defaults(func=cmd_benefits_load_policy)
    q = benefits.add_parser("quote", help="print the quote (JSON) for one beneficiary's facts (docs/benefits.md)")
    q.add_argument("programme")
    q.add_argument("--input", required=True, help="a JSON file of the beneficiary's facts")
    q.add_argument("--date", help="YYYY-MM-DD: the version in force on this day (default today)")
    q.set_defaults(func=cmd_benefits_quote)
    q = benefits.add_parser("run", help="run or resume the monthly payment batch of a programme (docs/benefits.md)")
    q.add_argument("programme")
    q.add_argument("--period", required=True, help="YYYY-MM")
    q.add_argument("--dry-run", action="store_true", help="compute counts and totals, write nothing")
    q.add_argument("--user", help="the account that runs the batch (the approver must be another)")
    q.set_defaults(func=cmd_benefits_run)
    q = benefits.add_parser(
        "simulate", help="budget simulation: cost per county and year under a draft of the version in force"
    )
    q.add_argument("programme")
    q.add_argument("--year", help="YYYY: the twelve months of this year")
    q.add_argument("--from", dest="start", help="YYYY-MM: first month (with --to, instead of --year)")
    q.add_argument("--to", dest="end", help="YYYY-MM: last month")
    q.add_argument("--set", action="append", metavar="KEY=VALUE", help="a parameter of the draft (dotted path allowed)")
    q.add_argument("--parameters", help="a JSON file of parameter overrides (--set applies on top)")
    q.add_argument("--user", help="show only this account's area (default: the whole city)")
    q.set_defaults(func=cmd_benefits_simulate)
    q = benefits.add_parser("adjust", help="record a back pay or a recovery as a ledger entry (docs/benefits.md)")
    q.add_argument("kind", choices=["back_pay", "recovery"])
    q.add_argument("programme")
    q.add_argument("--period", required=True, help="YYYY-MM")
    q.add_argument(
        "--beneficiary", required=True, help="KIND:PUBLIC_ID (elder, institution or staff; never an ID number)"
    )
    q.add_argument("--amount", required=True, help="yuan, e.g. 12.34")
    q.add_argument("--user", required=True, help="the city or county official recording it")
    q.add_argument("--note")
    q.set_defaults(func=cmd_benefits_adjust)

    q = benefits.add_parser("applications", help="list applications (B1, B5) as JSON lines (docs/benefits.md)")
    q.add_argument("--status", help="draft, submitted, returned, rejected or approved")
    q.set_defaults(func=cmd_benefits_applications)
    q = benefits.add_parser("decide", help="decide an application at its current level (docs/benefits.md)")
    q.add_argument("application", help="the application's id (UUID)")
    q.add_argument("action", choices=["approve", "reject", "return"])
    q.add_argument("--user", required=True, help="the reviewer (at the level awaited, not the applicant)")
    q.add_argument("--reason", help="required to reject or return")
    q.set_defaults(func=cmd_benefits_decide)

    from chuncheng.meals.cli import register as register_meals

    register_meals(sub)

    from chuncheng.homecare.cli import add_parser as register_homecare

    register_homecare(sub)

    from chuncheng.familybeds.cli import register as register_familybeds

    register_familybeds(sub)

    from chuncheng.alarms.cli import register as register_alarms
    from chuncheng.timebank.cli import register as register_timebank

    register_timebank(sub)
    register_alarms(sub)

    from chuncheng.monitoring.cli import register as register_monitoring

    register_monitoring(sub)

    p = sub.add_parser("manage", help="run a Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
