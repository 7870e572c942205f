"""Every write to the elders registry goes through these: check, save in a transaction, audit.

The ID number and phone numbers are encrypted before they reach a model (AAD: table, column, public_id), with a blind
index for exact look-up and masked copies for display. Audit rows never hold a decrypted value: encrypted columns show
as "[encrypted]", and the birth date is left out because, next to the masked ID (region and last four characters),
it would give the whole number back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.cipher import blind_index, get_cipher
from chuncheng.core.errors import refusal
from chuncheng.core.masking import mask_id_number, mask_phone
from chuncheng.core.models import AuditAction, OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.core.validators import IdNumberInfo, parse_id_number, validate_id_number, validate_phone
from chuncheng.elders import queries
from chuncheng.elders.choices import ELDER_MIN_AGE, Category, ElderStatus, ErrorCode
from chuncheng.elders.models import Elder, ElderContact

TABLE = "elders_elder"
CONTACT_TABLE = "elders_eldercontact"
# What a caller may set on an elder; status, death and moving away have their own services.
ELDER_FIELDS = (
    "id_number",
    "name",
    "org_unit",
    "hukou_local",
    "categories",
    "capability_level",
    "phone",
    "address",
    "lat",
    "lng",
)
CONTACT_FIELDS = ("name", "relation", "phone", "is_guardian")
# Left out of audit snapshots: derived from the encrypted ID (see the module docstring), or noise.
_NOT_AUDITED = {"birth_date", "created_at", "updated_at"}


def _require(actor, action: str) -> None:
    if not permitted(actor, "elder", action):
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("You are not allowed to change the elders registry."))


def _refuse_unknown(data: dict[str, Any], allowed: Iterable[str]) -> None:
    refused = [k for k in data if k not in allowed]
    if refused:
        raise ValidationError(
            {
                k: ValidationError(_("You may not change this field."), code=ErrorCode.FIELD_NOT_EDITABLE)
                for k in refused
            }
        )


def _snapshot(elder: Elder, fields: Iterable[str] | None = None) -> dict[str, Any]:
    state = audit.snapshot(elder, fields)
    for name in _NOT_AUDITED:
        state.pop(name, None)
    return state


def _changes(before: dict[str, Any], after: dict[str, Any], secrets: Iterable[str]) -> dict[str, list[Any]]:
    """Before/after of what changed. An encrypted column shows only "[encrypted]" on both sides, so ``audit.diff``
    cannot see it change: the services name the secrets they re-encrypted, and those are recorded as changed."""
    changes = audit.diff(before, after)
    for name in secrets:
        changes[name] = [before.get(name) or "", audit.ENCRYPTED_MARK]
    return changes


def _locked(elder: Elder, actor, action: str = Action.CHANGE) -> Elder:
    """The elder's row, locked, re-read through the actor's scope (it may have moved out since the page loaded)."""
    locked = (
        Elder.objects.for_user(actor, action)
        .select_for_update(of=("self",))
        .select_related("org_unit")
        .filter(pk=elder.pk)
        .first()
    )
    if locked is None:
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This elder is outside your area."))
    return locked


def check_org_unit(actor, org_unit: OrgUnit) -> None:
    """An elder lives in a unit of the actor's area that exists today."""
    prefix = actor.scope_prefix
    if prefix is None or not org_unit.code.startswith(prefix):
        raise refusal("org_unit", ErrorCode.ORG_OUT_OF_SCOPE, _("This org unit is outside your area."))
    if org_unit.valid_to is not None and org_unit.valid_to <= queries.today():
        raise refusal("org_unit", ErrorCode.ORG_UNIT_CLOSED, _("This org unit no longer exists."))


def _identity(raw: str, *, allow_under_60: bool, exclude_pk: int | None = None) -> tuple[str, IdNumberInfo, str]:
    """Validate an ID number for the registry: (normalised, facts, blind index), or a field error."""
    try:
        normalised = validate_id_number(raw or "", today=queries.today())
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.error_list}) from exc
    info = parse_id_number(normalised)
    if not allow_under_60 and queries.age(info.birth_date) < ELDER_MIN_AGE:
        raise refusal("id_number", ErrorCode.ELDER_UNDER_60, _("This person is under 60 years old."))
    index = blind_index(normalised, purpose="id_number")
    duplicates = Elder.objects.filter(id_number_index=index)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise refusal("id_number", ErrorCode.ELDER_DUPLICATE, _("An elder with this ID number is already registered."))
    return normalised, info, index


def _set_identity(elder: Elder, normalised: str, info: IdNumberInfo, index: str) -> None:
    elder.id_number_enc = get_cipher().encrypt(
        normalised, table=TABLE, column="id_number_enc", row=str(elder.public_id)
    )
    elder.id_number_index = index
    elder.id_number_masked = mask_id_number(normalised)
    elder.sex = info.sex
    elder.birth_date = info.birth_date


def _normalise_phone(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        return validate_phone(raw)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.error_list}) from exc


def _set_phone(record: Elder | ElderContact, phone: str, table: str) -> None:
    record.phone_enc = (
        get_cipher().encrypt(phone, table=table, column="phone_enc", row=str(record.public_id)) if phone else ""
    )
    record.phone_masked = mask_phone(phone)


def _current_phone(record: Elder | ElderContact, table: str) -> str:
    if not record.phone_enc:
        return ""
    return get_cipher().decrypt(record.phone_enc, table=table, column="phone_enc", row=str(record.public_id))


def _set_categories(elder: Elder, categories: Iterable[str]) -> None:
    chosen = set(categories)
    unknown = chosen - set(Category.values)
    if unknown:
        raise refusal(
            "categories", "choice", _("Unknown category: %(values)s") % {"values": ", ".join(sorted(unknown))}
        )
    for category in Category.values:
        setattr(elder, category, category in chosen)


def _save(record, **kwargs) -> None:
    """Save; a unique index tripped by a concurrent registration of the same person is a duplicate, not a 500."""
    try:
        with transaction.atomic():
            record.save(**kwargs)
    except IntegrityError as exc:
        raise refusal(
            "id_number", ErrorCode.ELDER_DUPLICATE, _("An elder with this ID number is already registered.")
        ) from exc


@transaction.atomic
def register_elder(data: dict[str, Any], *, actor, allow_under_60: bool = False) -> Elder:
    """Register a person aged 60+ living in the actor's area. Sex and birth date come from the ID number."""
    _require(actor, Action.ADD)
    data = {k: v for k, v in data.items() if v is not None}
    allow_under_60 = bool(data.pop("allow_under_60", False)) or allow_under_60
    _refuse_unknown(data, ELDER_FIELDS)
    if not data.get("org_unit"):
        raise refusal("org_unit", "required", _("This field is required."))
    elder = Elder(
        public_id=uuid.uuid4(),
        name=(data.get("name") or "").strip(),
        org_unit=data["org_unit"],
        hukou_local=data.get("hukou_local", True),
        capability_level=data.get("capability_level", ""),
        address=(data.get("address") or "").strip(),
        lat=data.get("lat"),
        lng=data.get("lng"),
    )
    check_org_unit(actor, elder.org_unit)
    _set_identity(elder, *_identity(data.get("id_number", ""), allow_under_60=allow_under_60))
    _set_phone(elder, _normalise_phone(data.get("phone")), TABLE)
    _set_categories(elder, data.get("categories", ()))
    elder.full_clean(exclude=["id_number_index"])  # uniqueness: checked above by the blind index, and by the database
    _save(elder)
    audit.record(actor, AuditAction.CREATE, elder, audit.diff({}, _snapshot(elder)), org_code=elder.org_unit.code)
    return elder


@transaction.atomic
def update_elder(elder: Elder, data: dict[str, Any], *, actor, allow_under_60: bool = False) -> Elder:
    """Change an elder's details. A new ``id_number`` corrects a wrongly entered one (sex and birth date follow)."""
    _require(actor, Action.CHANGE)
    _refuse_unknown(data, ELDER_FIELDS)
    elder = _locked(elder, actor)
    before = _snapshot(elder)
    secrets: list[str] = []
    if data.get("id_number"):
        raw = data["id_number"]
        if blind_index(queries.normalise_id_text(raw), purpose="id_number") != elder.id_number_index:
            identity = _identity(raw, allow_under_60=allow_under_60, exclude_pk=elder.pk)
            _set_identity(elder, *identity)
            secrets.append("id_number_enc")
    if "org_unit" in data and data["org_unit"].pk != elder.org_unit_id:
        check_org_unit(actor, data["org_unit"])
        elder.org_unit = data["org_unit"]
    if "phone" in data:
        phone = _normalise_phone(data["phone"])
        if phone != _current_phone(elder, TABLE):
            _set_phone(elder, phone, TABLE)
            secrets.append("phone_enc")
    if "categories" in data:
        _set_categories(elder, data["categories"] or ())
    for key in ("name", "address"):
        if key in data:
            setattr(elder, key, (data[key] or "").strip())
    if "hukou_local" in data:
        elder.hukou_local = bool(data["hukou_local"])
    if "capability_level" in data:
        elder.capability_level = data["capability_level"] or ""
    for key in ("lat", "lng"):
        if key in data:
            setattr(elder, key, data[key])
    elder.full_clean(exclude=["id_number_index"])
    _save(elder)
    changes = _changes(before, _snapshot(elder, before.keys()), secrets)
    if changes:
        audit.record(actor, AuditAction.UPDATE, elder, changes, org_code=elder.org_unit.code)
    return elder


def _change_status(elder: Elder, *, actor, status: str, field: str, day: date) -> Elder:
    _require(actor, Action.CHANGE)
    elder = _locked(elder, actor)
    if elder.status != ElderStatus.ACTIVE:
        raise refusal(None, ErrorCode.ELDER_NOT_ACTIVE, _("This elder is no longer in the active registry."))
    if day > queries.today():
        raise refusal(field, ErrorCode.DATE_IN_FUTURE, _("The date cannot be in the future."))
    if day < elder.birth_date:
        raise refusal(field, ErrorCode.DATE_BEFORE_BIRTH, _("The date cannot come before the birth date."))
    before = _snapshot(elder, ["status", field])
    elder.status = status
    setattr(elder, field, day)
    elder.full_clean(exclude=["id_number_index"])
    elder.save(update_fields=["status", field, "updated_at"])
    audit.record(
        actor,
        AuditAction.STATE,
        elder,
        audit.diff(before, _snapshot(elder, ["status", field])),
        org_code=elder.org_unit.code,
    )
    return elder


@transaction.atomic
def record_death(elder: Elder, died_on: date, *, actor) -> Elder:
    """The elder died: the record is kept, marked deceased, and drops out of active counts."""
    return _change_status(elder, actor=actor, status=ElderStatus.DECEASED, field="died_on", day=died_on)


@transaction.atomic
def record_move_away(elder: Elder, moved_on: date, *, actor) -> Elder:
    """The elder moved out of the city: the record is kept, marked, and drops out of active counts."""
    return _change_status(elder, actor=actor, status=ElderStatus.MOVED_AWAY, field="moved_on", day=moved_on)


# ---- contacts ----------------------------------------------------------------------------------------------


def _contact_state(contact: ElderContact) -> dict[str, Any]:
    state = audit.snapshot(contact)
    state.pop("elder", None)
    return state


def _audit_contact(
    actor, elder: Elder, before: dict[str, Any] | None, after: dict[str, Any] | None, secrets: Iterable[str] = ()
) -> None:
    """Contact changes are recorded on the elder, so the elder's history shows them (removed contacts included)."""
    if before is not None and after is not None:
        changed = _changes(before, after, secrets)
        if not changed:
            return
        keep = set(changed) | {"public_id", "name"}
        before = {k: v for k, v in before.items() if k in keep}
        after = {k: v for k, v in after.items() if k in keep}
    audit.record(actor, AuditAction.UPDATE, elder, {"contact": [before, after]}, org_code=elder.org_unit.code)


def _check_one_guardian(elder: Elder, contact: ElderContact) -> None:
    others = ElderContact.objects.filter(elder=elder, is_guardian=True).exclude(pk=contact.pk)
    if contact.is_guardian and others.exists():
        raise refusal("is_guardian", ErrorCode.ELDER_ONE_GUARDIAN, _("An elder has at most one guardian."))


@transaction.atomic
def add_contact(elder: Elder, data: dict[str, Any], *, actor) -> ElderContact:
    _require(actor, Action.CHANGE)
    _refuse_unknown(data, CONTACT_FIELDS)
    elder = _locked(elder, actor)  # the lock serialises the one-guardian check
    contact = ElderContact(
        public_id=uuid.uuid4(),
        elder=elder,
        name=(data.get("name") or "").strip(),
        relation=data.get("relation") or "",
        is_guardian=bool(data.get("is_guardian")),
    )
    _set_phone(contact, _normalise_phone(data.get("phone")), CONTACT_TABLE)
    _check_one_guardian(elder, contact)
    contact.full_clean()
    contact.save()
    _audit_contact(actor, elder, None, _contact_state(contact))
    return contact


@transaction.atomic
def update_contact(contact: ElderContact, data: dict[str, Any], *, actor) -> ElderContact:
    _require(actor, Action.CHANGE)
    _refuse_unknown(data, CONTACT_FIELDS)
    elder = _locked(contact.elder, actor)
    contact = ElderContact.objects.select_for_update().get(pk=contact.pk, elder=elder)
    before = _contact_state(contact)
    secrets: list[str] = []
    if "phone" in data:
        phone = _normalise_phone(data["phone"])
        if phone != _current_phone(contact, CONTACT_TABLE):
            _set_phone(contact, phone, CONTACT_TABLE)
            secrets.append("phone_enc")
    for key in ("name", "relation"):
        if key in data:
            setattr(contact, key, (data[key] or "").strip())
    if "is_guardian" in data:
        contact.is_guardian = bool(data["is_guardian"])
    _check_one_guardian(elder, contact)
    contact.full_clean()
    contact.save()
    _audit_contact(actor, elder, before, _contact_state(contact), secrets)
    return contact


@transaction.atomic
def remove_contact(contact: ElderContact, *, actor) -> None:
    _require(actor, Action.CHANGE)
    elder = _locked(contact.elder, actor)
    contact = ElderContact.objects.select_for_update().get(pk=contact.pk, elder=elder)
    before = _contact_state(contact)
    contact.delete()
    _audit_contact(actor, elder, before, None)


# ---- reading the full ID number ----------------------------------------------------------------------------


@transaction.atomic
def reveal_id_number(elder: Elder, *, actor, purpose: str) -> str:
    """The full ID number, for a stated purpose; the read is written to the access log (who, whom, why)."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise refusal("purpose", ErrorCode.PURPOSE_REQUIRED, _("State why you need the full ID number."))
    if not Elder.objects.for_user(actor, Action.VIEW).filter(pk=elder.pk).exists():
        raise refusal(None, ErrorCode.PERMISSION_DENIED, _("This elder is outside your area."))
    value = queries.decrypt_id_number(elder)
    audit.access(actor, elder, fields=["id_number"], purpose=purpose)
    return value
