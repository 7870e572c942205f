"""Applications for programmes that need one (B1, B5; docs/benefits.md "Applications").

The maker — an institution's operator, or an area user whose scope holds the applicant — prepares a draft (facts and
attachments) and submits it; reviewers decide level by level (the programme's ``approval_levels``, copied at
submission, lowest first). Each decision is an append-only ``ApplicationDecision``. Approve moves the application to
the next level; the last approval quotes the facts under the version in force on the application date, freezes
amount, breakdown, reasons, fund shares and policy version, and writes one ledger entry. Reject ends it (reason
required); return sends it back for correction (reason required) and the resubmission starts again at the first level.
Reviewers cannot edit: facts change only as a draft or after a return. Nobody decides an application they prepared
(created, edited, attached to or submitted), nor decides a second level of the same application.

Every refusal is an ``ApplicationError`` (stable English code, Chinese message) raised before anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from chuncheng.benefits import rules, sanctions, services
from chuncheng.benefits.choices import ApplicationStatus, BeneficiaryKind, DecisionAction, LedgerKind, RuleShape
from chuncheng.benefits.models import (
    Application,
    ApplicationAttachment,
    ApplicationDecision,
    LedgerEntry,
    PolicyVersion,
    Programme,
)
from chuncheng.benefits.policy import LEVEL_ORDER, get_programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.core import audit
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.core.tabular import FileRefused, file_format
from chuncheng.institutions.choices import OperatorKind
from chuncheng.institutions.models import Facility, Institution

RESOURCE = "benefit_application"
OPEN = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED)
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
LEVEL_NAMES = {"city": "市级", "county": "县（市、区）级", "township": "街道（乡镇）级", "village": "社区（村）级"}
KIND_NAMES = {BeneficiaryKind.INSTITUTION: "养老机构", BeneficiaryKind.FACILITY: "社区养老服务设施"}
STATUS_NAMES = {
    ApplicationStatus.DRAFT: "草稿",
    ApplicationStatus.SUBMITTED: "审核中",
    ApplicationStatus.RETURNED: "已退回修改",
    ApplicationStatus.REJECTED: "已驳回",
    ApplicationStatus.APPROVED: "已批准",
}

# Attachments: at most this size, and only these kinds, each checked against its content (not only its name).
MAX_ATTACHMENT_BYTES = 20 * 2**20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".xlsx": XLSX_TYPE,
    ".csv": "text/csv",
}
SIGNATURES = {
    ".pdf": (b"%PDF-", "file_not_pdf", "文件扩展名为 .pdf，但内容不是 PDF 文档"),
    ".jpg": (b"\xff\xd8\xff", "file_not_image", "文件扩展名为 .jpg，但内容不是 JPEG 图片"),
    ".jpeg": (b"\xff\xd8\xff", "file_not_image", "文件扩展名为 .jpeg，但内容不是 JPEG 图片"),
    ".png": (b"\x89PNG\r\n\x1a\n", "file_not_image", "文件扩展名为 .png，但内容不是 PNG 图片"),
}
HEAD_BYTES = 8192


class ApplicationError(QuoteError):
    """A refused application act (stable English ``code``, Chinese ``message``, optional ``key``); nothing written."""


# ---------------------------------------------------------------------------------------------------------------
# Who may do what


def _in_area(user, unit: OrgUnit) -> bool:
    prefix = getattr(user, "scope_prefix", None)
    return bool(prefix) and unit.code.startswith(prefix)


def kind_of(beneficiary: Any) -> str:
    if isinstance(beneficiary, Institution):
        return BeneficiaryKind.INSTITUTION
    if isinstance(beneficiary, Facility):
        return BeneficiaryKind.FACILITY
    raise ApplicationError("input_invalid", "申请对象须为养老机构或社区养老服务设施", "beneficiary")


def may_apply(user, beneficiary: Any) -> bool:
    """An institution's own operator, or an area user whose scope holds the applicant (and who may add)."""
    if not permitted(user, RESOURCE, Action.ADD):
        return False
    if user.institution_id:
        return isinstance(beneficiary, Institution) and beneficiary.pk == user.institution_id
    return _in_area(user, beneficiary.org_unit)


def _require_applicant(user, beneficiary: Any) -> None:
    if not may_apply(user, beneficiary):
        raise ApplicationError("applicant_out_of_scope", "您不能代表该机构（设施）申请：它不在您的管辖范围内")


def needs_application(programme: Programme) -> bool:
    return bool(programme.approval_levels)


def application_programmes() -> list[Programme]:
    """The programmes paid on an application (those with approval levels in the policy data)."""
    return [p for p in Programme.objects.order_by("code") if p.approval_levels]


def _check_programme(programme: Programme, kind: str) -> None:
    if not needs_application(programme):
        raise ApplicationError(
            "application_not_needed",
            f"补贴项目 {programme.code} 无需申请（按月批次发放或尚未配置审批层级）",
            "programme",
        )
    if programme.beneficiary != kind:
        raise ApplicationError(
            "beneficiary_kind_mismatch",
            f"补贴项目 {programme.code} 的申请对象为{KIND_NAMES.get(programme.beneficiary, programme.beneficiary)}",
            "beneficiary",
        )


def _makers_of(application: Application) -> set[int]:
    return set(application.makers.values_list("pk", flat=True)) | {application.created_by_id}


def _decided_earlier(application: Application, user) -> bool:
    return ApplicationDecision.objects.filter(
        application=application, decided_by=user, step__lt=application.step
    ).exists()


def decision_refusal(application: Application, user) -> ApplicationError | None:
    """Why ``user`` may not decide ``application`` now (None: they may). The service and the pages ask the same."""
    if application.status != ApplicationStatus.SUBMITTED:
        return ApplicationError(
            "application_not_awaiting",
            f"该申请{STATUS_NAMES.get(application.status, application.status)}，不在待审核状态",
        )
    if not permitted(user, RESOURCE, Action.CHANGE):
        return ApplicationError("permission_denied", "您的角色不能审核补贴申请")
    if user.pk in _makers_of(application):
        return ApplicationError("approver_is_maker", "不能审核自己填写、修改或提交的申请（审核须由另一名工作人员完成）")
    if _decided_earlier(application, user):
        return ApplicationError("approver_decided_earlier", "您已审核过该申请的前一级，同一申请的各级须由不同人员审核")
    level = application.awaiting_level
    user_level = user.org_unit.level if user.org_unit_id else None
    if user_level != level:
        mine = LEVEL_NAMES.get(user_level, "机构") if user_level else "机构"
        return ApplicationError(
            "approver_wrong_level", f"该申请待{LEVEL_NAMES.get(level, level)}审核，您的账号属于{mine}"
        )
    if not _in_area(user, application.org_unit):
        return ApplicationError("approver_out_of_scope", "申请单位不在您的管辖范围内")
    return None


def may_edit(application: Application, user) -> bool:
    return application.status in EDITABLE and may_apply(user, application.beneficiary)


# ---------------------------------------------------------------------------------------------------------------
# Facts and the quote


def registry_facts(programme: Programme, beneficiary: Any, on: date | None = None) -> dict[str, Any]:
    """A starting point for the applicant's facts, from the registry (the applicant corrects and completes them)."""
    on = on or timezone.localdate()
    if isinstance(beneficiary, Institution):
        facts, _notes = services.institution_facts(beneficiary, on)
        keys = ["kind", "property", "lease_years", "approved_beds", "paid_beds", "occupancy", "nursing_type"]
        out = {k: facts[k] for k in keys}
        out["occupancy"] = float(rules.show_seen(facts["occupancy"]))
        if facts["nursing_type"]:
            out["nursing_occupancy"] = float(rules.show_seen(facts["nursing_occupancy"]))
        out["paid_beds"] = max(out["paid_beds"], beds_paid_before(programme, beneficiary))
        return out
    if programme.shape == RuleShape.CENTRE_CONSTRUCTION:
        return {"area_m2": float(beneficiary.area_m2 or 0), "project": "new"}
    centre_type = "city" if beneficiary.operator in ("", OperatorKind.PUBLIC) else "private_operated"
    return {"centre_type": centre_type, "grade": ""}


def beds_paid_before(programme: Programme, institution: Institution) -> int:
    """B1 is paid once per approved bed: the beds already covered by approved applications of the institution."""
    approved = Application.objects.filter(
        programme=programme, institution=institution, status=ApplicationStatus.APPROVED
    ).values_list("facts", flat=True)
    beds = [f.get("approved_beds", 0) for f in approved if isinstance(f, dict)]
    return max([b for b in beds if isinstance(b, int)], default=0)


def _quote(application: Application, on: date) -> tuple[dict[str, Any], PolicyVersion]:
    """Quote the application's facts on ``on``. The county (it chooses area versions) and, for an institution, the
    B7 sanction are the platform's, not the applicant's claim."""
    if not isinstance(application.facts, dict):
        raise ApplicationError("input_invalid", "申请事实须为 JSON 对象（键为事实项）", "facts")
    facts = dict(application.facts)
    facts["county"] = application.org_unit.code[:6]
    if application.institution_id:
        sanctioned, note = sanctions.is_sanctioned(application.institution, timezone.localdate())
        facts["sanctioned"], facts["sanction_note"] = sanctioned, note if sanctioned else ""
    try:
        result = services.quote_with(application.programme, facts, on)
    except QuoteError as exc:
        raise ApplicationError(exc.code, exc.message, exc.key) from exc
    version = PolicyVersion.objects.get(programme=application.programme, label=result["policy_version"]["label"])
    return result, version


def _check_payable(application: Application, result: dict[str, Any]) -> None:
    """Eligible, a positive amount, and (B1) no bed paid twice."""
    if application.programme.shape == RuleShape.BED_CONSTRUCTION:
        paid = beds_paid_before(application.programme, application.institution)
        claimed = application.facts.get("paid_beds", 0)
        if not isinstance(claimed, int) or claimed < paid:
            raise ApplicationError(
                "paid_beds_understated",
                f"该机构已有 {paid} 张床位获一次性建设补助，已补助床位数（paid_beds）不能少于 {paid}",
                "paid_beds",
            )
    if not result["eligible"]:
        failed = [r["message"] for r in result["reasons"] if not r["passed"] and r["kind"] == "eligibility"]
        raise ApplicationError("application_not_eligible", "按所填情况不符合补助条件：" + "；".join(failed))
    if Decimal(result["amount"]) <= 0:
        raise ApplicationError("application_not_eligible", "按所填情况核定金额为 0，无可补助的内容")


def preview(application: Application, on: date | None = None) -> dict[str, Any]:
    """What the facts would be paid (the frozen result once approved); a refusal as ``{"error": {code, message}}``."""
    if application.status == ApplicationStatus.APPROVED:
        return frozen(application)
    try:
        result, _version = _quote(application, application.applied_on or on or timezone.localdate())
    except ApplicationError as exc:
        return {"error": exc.as_dict()}
    return result


def frozen(application: Application) -> dict[str, Any]:
    version = application.policy_version
    return {
        "eligible": True,
        "amount": str(application.amount),
        "breakdown": application.breakdown,
        "reasons": application.reasons,
        "fund_shares": {
            "province": str(application.province_share),
            "city": str(application.city_share),
            "county": str(application.county_share),
        },
        "policy_version": {
            "label": version.label,
            "effective_from": version.effective_from.isoformat(),
            "effective_to": version.effective_to.isoformat() if version.effective_to else None,
            "area": version.area,
            "source": version.source,
        },
        "date": application.applied_on.isoformat() if application.applied_on else None,
        "warnings": [],
    }


# ---------------------------------------------------------------------------------------------------------------
# Writes


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("programme", "org_unit", "institution__org_unit", "facility__org_unit", "policy_version")
        .get(pk=application.pk)
    )


STATE_FIELDS = ["status", "step", "round", "levels", "awaiting_level", "applied_on", "submitted_by", "decided_at"]


def _record_state(actor, application: Application, before: dict[str, Any]) -> None:
    changes = audit.diff(before, audit.snapshot(application, before.keys()))
    audit.record(actor, AuditAction.STATE, application, changes, org_code=application.org_unit.code)


def _check_facts_shape(facts: Any) -> dict[str, Any]:
    if not isinstance(facts, dict):
        raise ApplicationError("input_invalid", "申请事实须为 JSON 对象（键为事实项）", "facts")
    return facts


def _clean(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        errors = [e for errs in exc.error_dict.values() for e in errs] if hasattr(exc, "error_dict") else exc.error_list
        code = next((e.code for e in errors if e.code), "input_invalid")
        raise ApplicationError(code, "；".join(str(m) for m in exc.messages)) from exc


def create_draft(programme: Programme | str, beneficiary: Any, facts: Any, *, actor, note: str = "") -> Application:
    """A new draft by the maker; at most one open application per programme and applicant (``application_open``)."""
    if isinstance(programme, str):
        programme = get_programme(programme)
    kind = kind_of(beneficiary)
    _check_programme(programme, kind)
    _require_applicant(actor, beneficiary)
    facts = _check_facts_shape(facts)
    target = {"institution": beneficiary} if kind == BeneficiaryKind.INSTITUTION else {"facility": beneficiary}
    with transaction.atomic():
        if Application.objects.filter(programme=programme, status__in=OPEN, **target).exists():
            raise ApplicationError("application_open", "该机构（设施）已有此项目未办结的申请，请在原申请上继续")
        application = Application(
            programme=programme,
            beneficiary_kind=kind,
            org_unit=beneficiary.org_unit,
            facts=facts,
            note=(note or "")[:500],
            created_by=actor,
            created_at=timezone.now(),
            **target,
        )
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as exc:  # a concurrent draft for the same applicant won the race
            raise ApplicationError("application_open", "该机构（设施）已有此项目未办结的申请") from exc
        application.makers.add(actor)
        audit.record_create(actor, application, org_code=application.org_unit.code)
    return application


def update_draft(application: Application, *, actor, facts: Any = None, note: str | None = None) -> Application:
    """The maker corrects the facts or the note of a draft or a returned application (never while it is decided)."""
    with transaction.atomic():
        application = _locked(application)
        if application.status not in EDITABLE:
            raise ApplicationError(
                "application_not_editable",
                f"该申请{STATUS_NAMES[application.status]}，只有草稿或退回修改的申请可以修改",
            )
        _require_applicant(actor, application.beneficiary)
        before = audit.snapshot(application, ["facts", "note"])
        if facts is not None:
            application.facts = _check_facts_shape(facts)
        if note is not None:
            application.note = note[:500]
        application.save(update_fields=["facts", "note"])
        application.makers.add(actor)
        audit.record_update(actor, application, before, org_code=application.org_unit.code)
    return application


@dataclass(frozen=True)
class CheckedFile:
    name: str
    size: int
    sha256: str
    content_type: str


def check_attachment(name: str, fh: IO[bytes], max_bytes: int | None = None) -> CheckedFile:
    """Refuse a file that is too large, empty, of a kind not accepted, or not what its extension claims (the import
    checks of ``core.tabular`` for .xlsx/.csv, the file signature for PDF and images). Reads the file once."""
    max_bytes = MAX_ATTACHMENT_BYTES if max_bytes is None else max_bytes
    base = Path(name or "").name
    suffix = Path(base).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ApplicationError("file_type", "只能上传 PDF、JPG、PNG、XLSX 或 CSV 文件", "file")
    fh.seek(0)
    head = fh.read(HEAD_BYTES)
    if not head:
        raise ApplicationError("file_empty", "文件为空", "file")
    if suffix in SIGNATURES:
        magic, code, message = SIGNATURES[suffix]
        if not head.startswith(magic):
            raise ApplicationError(code, message, "file")
    else:
        try:
            file_format(base, head)
        except FileRefused as exc:
            raise ApplicationError(exc.code, str(exc.message), "file") from exc
    fh.seek(0)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise ApplicationError("file_too_large", f"附件不能超过 {max_bytes // 2**20} MB", "file")
    fh.seek(0)
    return CheckedFile(base[:255], size, digest.hexdigest(), ATTACHMENT_TYPES[suffix])


def attach(application: Application, name: str, fh: IO[bytes], *, actor) -> ApplicationAttachment:
    """Add a supporting document to a draft or returned application (stored under the var dir's media folder)."""
    from django.core.files import File

    checked = check_attachment(name, fh)
    stored = None
    try:
        with transaction.atomic():
            application = _locked(application)
            if application.status not in EDITABLE:
                raise ApplicationError(
                    "application_not_editable",
                    f"该申请{STATUS_NAMES[application.status]}，只有草稿或退回修改的申请可以添加附件",
                )
            _require_applicant(actor, application.beneficiary)
            attachment = ApplicationAttachment(
                application=application,
                name=checked.name,
                size=checked.size,
                sha256=checked.sha256,
                content_type=checked.content_type,
                uploaded_by=actor,
                uploaded_at=timezone.now(),
            )
            attachment.file.save(checked.name, File(fh, name=checked.name), save=False)
            stored = attachment.file.name
            attachment.save()
            application.makers.add(actor)
            audit.record(
                actor,
                AuditAction.CREATE,
                attachment,
                {
                    "application": [None, str(application.public_id)],
                    "name": [None, checked.name],
                    "size": [None, checked.size],
                    "sha256": [None, checked.sha256],
                    "content_type": [None, checked.content_type],
                },
                org_code=application.org_unit.code,
            )
    except Exception:
        if stored:
            ApplicationAttachment.file.field.storage.delete(stored)
        raise
    return attachment


def approval_chain(programme: Programme, unit: OrgUnit) -> list[str]:
    """The programme's levels at or above the applicant's own unit (an applicant filed under a county has no
    township step: no township's scope holds it)."""
    rank = LEVEL_ORDER.index(unit.level) if unit.level in LEVEL_ORDER else 0
    return [level for level in programme.approval_levels if LEVEL_ORDER.index(level) >= rank]


def submit(application: Application, *, actor, today: date | None = None) -> Application:
    """Submit (or resubmit after a return): the facts must quote, be eligible and pay something. The application
    date is the first submission's; the chain is copied from the programme and starts at its first level."""
    with transaction.atomic():
        application = _locked(application)
        if application.status not in EDITABLE:
            raise ApplicationError(
                "application_not_editable", f"该申请{STATUS_NAMES[application.status]}，不能再次提交"
            )
        _require_applicant(actor, application.beneficiary)
        _check_programme(application.programme, application.beneficiary_kind)
        on = application.applied_on or today or timezone.localdate()
        result, _version = _quote(application, on)
        _check_payable(application, result)
        levels = approval_chain(application.programme, application.org_unit)
        if not levels:
            raise ApplicationError("no_approval_level", "申请单位所在层级高于该项目的审批层级，无法逐级审核")
        before = audit.snapshot(application, [*STATE_FIELDS, "submitted_at"])
        application.status = ApplicationStatus.SUBMITTED
        application.levels = levels
        application.step = 0
        application.awaiting_level = levels[0]
        application.round += 1
        application.applied_on = on
        application.submitted_by = actor
        application.submitted_at = timezone.now()
        _clean(application)
        application.save()
        application.makers.add(actor)
        _record_state(actor, application, before)
    return application


def decide(application: Application, action: str, *, actor, reason: str = "", today: date | None = None) -> Application:
    """One level's decision. Approve: next level, or (last level) freeze the quote and write the ledger entry.
    Reject: final. Return: back to the maker for correction. Reject and return need a reason."""
    if action not in DecisionAction.values:
        raise ApplicationError("input_invalid", f"审核决定无效：{action}（可选 approve、reject、return）", "action")
    reason = (reason or "").strip()
    if action != DecisionAction.APPROVE and not reason:
        raise ApplicationError("reason_required", "驳回或退回须填写理由", "reason")
    with transaction.atomic():
        application = _locked(application)
        refusal = decision_refusal(application, actor)
        if refusal is not None:
            raise refusal
        now = timezone.now()
        before = audit.snapshot(application, [*STATE_FIELDS, "amount", "policy_version"])
        decision = ApplicationDecision(
            application=application,
            round=application.round,
            step=application.step,
            level=application.awaiting_level,
            action=action,
            reason=reason[:2000],
            decided_by=actor,
            decided_at=now,
        )
        _clean(decision)
        decision.save()
        audit.record_create(actor, decision, org_code=application.org_unit.code)
        if action == DecisionAction.APPROVE and application.step + 1 < len(application.levels):
            application.step += 1
            application.awaiting_level = application.levels[application.step]
        elif action == DecisionAction.APPROVE:
            _freeze(application, actor, now, today or timezone.localdate())
        elif action == DecisionAction.REJECT:
            application.status = ApplicationStatus.REJECTED
            application.awaiting_level = ""
            application.decided_at = now
        else:
            application.status = ApplicationStatus.RETURNED
            application.awaiting_level = ""
            application.step = 0
        _clean(application)
        application.save()
        _record_state(actor, application, before)
    return application


def _freeze(application: Application, actor, now, today: date) -> None:
    """Final approval: quote under the version in force on the application date, freeze it, one ledger entry (the
    month of the approval is its period)."""
    result, version = _quote(application, application.applied_on)
    _check_payable(application, result)
    amount = Decimal(result["amount"])
    shares = {k: Decimal(v) for k, v in result["fund_shares"].items()}
    entry = LedgerEntry.objects.create(
        kind=LedgerKind.APPLICATION,
        programme=application.programme,
        period=today.replace(day=1),
        beneficiary_kind=application.beneficiary_kind,
        beneficiary_id=application.beneficiary_id,
        org_unit=application.org_unit,
        amount=amount,
        province_share=shares["province"],
        city_share=shares["city"],
        county_share=shares["county"],
        note=f"application {application.public_id}",
        created_by=actor,
        created_at=now,
    )
    audit.record_create(actor, entry, org_code=application.org_unit.code)
    application.status = ApplicationStatus.APPROVED
    application.awaiting_level = ""
    application.decided_at = now
    application.amount = amount
    application.province_share = shares["province"]
    application.city_share = shares["city"]
    application.county_share = shares["county"]
    application.breakdown = result["breakdown"]
    application.reasons = result["reasons"]
    application.policy_version = version
    application.ledger_entry = entry


# ---------------------------------------------------------------------------------------------------------------
# Reads


def application_list(user, params=None, action: str = Action.VIEW) -> QuerySet:
    """Applications in the user's scope; ``status``, ``programme`` (code) and ``awaiting=1`` (those this user may
    decide now: their level, not their own work, no earlier level decided by them) filter it."""
    params = params or {}
    qs = Application.objects.for_user(user, action).select_related(
        "programme", "org_unit", "institution", "facility", "policy_version"
    )
    status = (params.get("status") or "").strip()
    if status:
        qs = qs.filter(status=status)
    programme = (params.get("programme") or "").strip()
    if programme:
        qs = qs.filter(programme__code=programme)
    if str(params.get("awaiting") or "") in ("1", "true"):
        qs = awaiting(user, qs)
    return qs.order_by("-created_at", "-pk")


def awaiting(user, qs: QuerySet | None = None) -> QuerySet:
    """The submitted applications awaiting a decision at the user's level that the user may make."""
    qs = Application.objects.for_user(user, Action.CHANGE) if qs is None else qs
    if not user.org_unit_id or not permitted(user, RESOURCE, Action.CHANGE):
        return qs.none()
    earlier = ApplicationDecision.objects.filter(application=OuterRef("pk"), decided_by=user, step__lt=OuterRef("step"))
    return (
        qs.filter(status=ApplicationStatus.SUBMITTED, awaiting_level=user.org_unit.level)
        .exclude(created_by=user)
        .exclude(makers=user)
        .exclude(Exists(earlier))
    )


def as_dict(application: Application) -> dict[str, Any]:
    """The summary the CLI prints and the API lists (no personal data: the applicant is an organisation)."""
    beneficiary = application.beneficiary
    return {
        "id": str(application.public_id),
        "programme": application.programme.code,
        "beneficiary_kind": application.beneficiary_kind,
        "beneficiary": str(beneficiary.public_id),
        "beneficiary_name": beneficiary.name,
        "org_unit": application.org_unit.code,
        "status": application.status,
        "levels": application.levels,
        "step": application.step,
        "awaiting_level": application.awaiting_level or None,
        "round": application.round,
        "applied_on": application.applied_on.isoformat() if application.applied_on else None,
        "amount": str(application.amount) if application.amount is not None else None,
        "policy_version": application.policy_version.label if application.policy_version_id else None,
        "decided_at": timezone.localtime(application.decided_at).isoformat() if application.decided_at else None,
    }
