"""Writing the audit trail. Services call these inside their transaction, so a failed audit write fails the change.

Encrypted fields are never written in clear: their change shows as ``"[encrypted]"`` (security-checklist C1).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from chuncheng.core import context
from chuncheng.core.models import AccessLog, AuditAction, AuditEntry, SecurityEvent

ENCRYPTED_MARK = "[encrypted]"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(getattr(value, "code", None) or getattr(value, "public_id", None) or value.pk)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audit-visible state of a record: concrete fields, foreign keys as their business code, no secrets."""
    encrypted = set(getattr(instance, "encrypted_fields", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in encrypted or field.attname in encrypted:
            data[field.name] = ENCRYPTED_MARK if getattr(instance, field.attname) else ""
            continue
        if field.name in {"id", "password"} or field.name.endswith("_index"):
            continue
        value = getattr(instance, field.name) if field.is_relation else getattr(instance, field.attname)
        data[field.name] = _plain(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for fields that changed; an encrypted field that changed shows only the mark."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _object_id(instance: models.Model) -> str:
    return str(getattr(instance, "public_id", None) or getattr(instance, "code", None) or instance.pk)


def record(
    actor,
    action: str,
    instance: models.Model,
    changes: dict[str, Any],
    *,
    org_code: str = "",
) -> AuditEntry:
    ctx = context.current()
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        action=action,
        model=instance._meta.label_lower,
        object_id=_object_id(instance),
        object_repr=str(instance)[:200],
        org_code=org_code,
        changes=changes,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


def record_create(actor, instance: models.Model, *, org_code: str = "") -> AuditEntry:
    return record(actor, AuditAction.CREATE, instance, diff({}, snapshot(instance)), org_code=org_code)


def record_update(actor, instance: models.Model, before: dict[str, Any], *, org_code: str = "") -> AuditEntry | None:
    changes = diff(before, snapshot(instance, before.keys()))
    if not changes:
        return None
    return record(actor, AuditAction.UPDATE, instance, changes, org_code=org_code)


def record_bulk(actor, action: str, model: type[models.Model], count: int, summary: dict[str, Any]) -> AuditEntry:
    """One audit row for a bulk path (bulk_create / QuerySet.update), which model signals would never see."""
    ctx = context.current()
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        action=action,
        model=model._meta.label_lower,
        object_id="*",
        object_repr=str(model._meta.verbose_name_plural)[:200],
        changes=summary,
        count=count,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )


def security_event(kind: str, *, user=None, username: str = "", path: str = "", **detail: Any) -> SecurityEvent:
    ctx = context.current()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=username or getattr(user, "username", "") or "",
        ip=ctx.ip,
        path=path[:200],
        detail={k: _plain(v) for k, v in detail.items()},
        request_id=ctx.request_id,
    )


def access(user, instance: models.Model, fields: Iterable[str], purpose: str = "") -> AccessLog:
    """Log a read of a person's full record (which fields were revealed, never their values)."""
    ctx = context.current()
    return AccessLog.objects.create(
        user=user,
        model=instance._meta.label_lower,
        object_id=_object_id(instance),
        fields=list(fields),
        purpose=purpose[:200],
        ip=ctx.ip,
        request_id=ctx.request_id,
    )
