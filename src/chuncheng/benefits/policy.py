"""The benefits policy pack: load it into ``Programme``/``PolicyVersion`` (idempotent), and find the version in force.

The pack is ``policies/kunming/benefits/*.json``; every parameter carries its value and source (``open`` where the
documents leave it open, ``unverified`` for placeholders). Loading refuses overlapping versions of one programme in
one area (``policy_version_overlap``) and writes nothing then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from chuncheng.benefits.choices import BeneficiaryKind, RuleShape
from chuncheng.benefits.models import PolicyVersion, Programme
from chuncheng.benefits.rules import QuoteError
from chuncheng.core import audit
from chuncheng.core.models import AuditAction
from chuncheng.core.roles import Level

PACK_DIR = Path(__file__).resolve().parent.parent / "policies" / "kunming" / "benefits"


@dataclass
class LoadSummary:
    programmes: int = 0
    versions_created: int = 0
    versions_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__.copy()


def read_pack(directory: Path = PACK_DIR) -> list[dict[str, Any]]:
    programmes: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        programmes.extend(json.loads(path.read_text(encoding="utf-8"))["programmes"])
    return programmes


# Org-unit levels from the lowest up: an approval chain runs upwards (township → county → city).
LEVEL_ORDER = [Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.CITY]


def approval_levels(spec: dict[str, Any]) -> list[str]:
    """The programme's approval chain from the pack: ``{"value": [levels, lowest first], "source": …}``; a programme
    without one needs no application (``[]``)."""
    entry = spec.get("approval_levels")
    if entry is None:
        return []
    if not isinstance(entry, dict) or "value" not in entry or not entry.get("source"):
        raise QuoteError("input_invalid", f"政策包中 {spec['code']} 的审批层级缺少取值或来源")
    levels = entry["value"]
    ranks = [LEVEL_ORDER.index(x) if x in LEVEL_ORDER else -1 for x in levels] if isinstance(levels, list) else [-1]
    if not levels or -1 in ranks or ranks != sorted(set(ranks)):
        raise QuoteError(
            "input_invalid",
            f"政策包中 {spec['code']} 的审批层级无效：应为由低到高、不重复的 township、county、city 等层级",
        )
    return list(levels)


def check_pack(programmes: list[dict[str, Any]]) -> None:
    """Refuse a pack with unknown kinds/shapes, undocumented parameters, a bad approval chain or overlapping
    versions."""
    for spec in programmes:
        if spec["beneficiary"] not in BeneficiaryKind.values or spec["shape"] not in RuleShape.values:
            raise QuoteError("input_invalid", f"政策包中 {spec['code']} 的对象类型或规则无效")
        approval_levels(spec)
        versions = []
        for v in spec["versions"]:
            for name, param in v["parameters"].items():
                if not isinstance(param, dict) or "value" not in param or not param.get("source"):
                    raise QuoteError(
                        "input_invalid", f"政策包中 {spec['code']} {v['label']} 的参数 {name} 缺少取值或来源"
                    )
            versions.append(
                PolicyVersion(
                    label=v["label"],
                    area=v.get("area", ""),
                    effective_from=date.fromisoformat(v["effective_from"]),
                    effective_to=date.fromisoformat(v["effective_to"]) if v.get("effective_to") else None,
                )
            )
        for i, a in enumerate(versions):
            for b in versions[i + 1 :]:
                if a.overlaps(b):
                    raise QuoteError(
                        "policy_version_overlap",
                        f"补贴项目 {spec['code']} 的政策版本 {a.label} 与 {b.label} 有效期重叠",
                    )


def load_policy(programmes: list[dict[str, Any]] | None = None, *, actor=None) -> LoadSummary:
    """Create or update every programme and version of the pack (by code and version label): running it twice changes
    nothing. Versions already in the database but absent from the pack are kept (history is never deleted)."""
    programmes = read_pack() if programmes is None else programmes
    check_pack(programmes)
    summary = LoadSummary()
    with transaction.atomic():
        for spec in programmes:
            defaults = {
                "name": spec["name"],
                "beneficiary": spec["beneficiary"],
                "shape": spec["shape"],
                "source": spec["source"],
                "approval_levels": approval_levels(spec),
            }
            programme = Programme.objects.filter(code=spec["code"]).first()
            if programme is None:
                programme = Programme.objects.create(code=spec["code"], **defaults)
            elif any(getattr(programme, k) != v for k, v in defaults.items()):
                # A programme's own fields (its approval chain, its name) change rarely and each change is audited.
                before = audit.snapshot(programme, defaults.keys())
                for k, v in defaults.items():
                    setattr(programme, k, v)
                programme.save()
                audit.record_update(actor, programme, before)
            summary.programmes += 1
            for v in spec["versions"]:
                fields = {
                    "area": v.get("area", ""),
                    "effective_from": date.fromisoformat(v["effective_from"]),
                    "effective_to": date.fromisoformat(v["effective_to"]) if v.get("effective_to") else None,
                    "parameters": v["parameters"],
                    "source": v["source"],
                }
                version = PolicyVersion.objects.filter(programme=programme, label=v["label"]).first()
                if version is None:
                    version = PolicyVersion(programme=programme, label=v["label"], **fields)
                    summary.versions_created += 1
                elif any(getattr(version, k) != val for k, val in fields.items()):
                    for k, val in fields.items():
                        setattr(version, k, val)
                    summary.versions_updated += 1
                else:
                    continue
                try:
                    version.full_clean()
                except Exception as exc:  # a ValidationError from the overlap check or the field validators
                    codes = getattr(exc, "error_dict", {}).get("__all__", [])
                    code = codes[0].code if codes else "input_invalid"
                    raise QuoteError(
                        code or "input_invalid", f"政策版本 {programme.code} {v['label']} 无效：{exc}"
                    ) from exc
                version.save()
        if summary.versions_created or summary.versions_updated:
            count = summary.versions_created + summary.versions_updated
            audit.record_bulk(actor, AuditAction.BULK_UPDATE, PolicyVersion, count, summary.as_dict())
    return summary


def get_programme(code: str) -> Programme:
    try:
        return Programme.objects.get(code=code)
    except Programme.DoesNotExist as exc:
        raise QuoteError(
            "programme_unknown", f"未知的补贴项目：{code}（可先运行 chuncheng benefits load-policy）"
        ) from exc


def version_in_force(programme: Programme, on: date, county: str = "") -> PolicyVersion:
    """The version in force on ``on`` for a beneficiary in ``county`` (most specific area first)."""
    candidates = [
        v
        for v in programme.versions.all()
        if v.effective_from <= on
        and (v.effective_to is None or on <= v.effective_to)
        and (v.area == "" or (county and county.startswith(v.area)))
    ]
    if not candidates:
        area = f"（{county}）" if county else ""
        raise QuoteError(
            "policy_not_in_force", f"补贴项目 {programme.code} 在 {on.isoformat()}{area} 没有生效的政策版本"
        )
    return max(candidates, key=lambda v: len(v.area))
