"""The elders file of data-exchange.md: ``chuncheng import elders FILE [--partial] [--dry-run] [--allow-under-60]``.

A streaming import (a city holds 1.2 million elders): the pipeline checks every row, then reads the file again and
hands the valid rows here, which are written 2,000 at a time — one query to find the batch's existing elders by
blind index, one set-based insert of the new ones (``core.bulk.insert_rows``: COPY on PostgreSQL, where
``bulk_create`` could not stay near COPY speed — shared/reference/performance-limits.md), one ``bulk_update`` of the
changed ones; never a per-row save.

Upsert on the ID number (its blind index). A filled cell replaces the stored value; an empty cell, or a column the
file does not have, leaves it as it is — so a department's file with only some columns never wipes the others, and
importing the same file twice changes nothing. Sex and birth date come from the ID number.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.bulk import insert_rows
from chuncheng.core.cipher import blind_index, get_cipher, get_key_provider
from chuncheng.core.imports import (
    Column,
    Importer,
    RowError,
    RowErrors,
    choice_parser,
    parse_bool,
    parse_decimal,
    parse_list,
)
from chuncheng.core.masking import mask_id_number, mask_phone
from chuncheng.core.models import OrgUnit
from chuncheng.core.validators import validate_id_number, validate_phone
from chuncheng.elders import queries
from chuncheng.elders.choices import (
    CAPABILITY_ALIASES,
    CATEGORY_ALIASES,
    ELDER_MIN_AGE,
    CapabilityLevel,
    Category,
    ElderStatus,
    ErrorCode,
    Sex,
)
from chuncheng.elders.models import Elder

BATCH = 2000
# Database columns of a new elder, in the order of ``ElderImporter._new_row``.
INSERT_COLUMNS = [
    "public_id",
    "id_number_enc",
    "id_number_index",
    "id_number_masked",
    "name",
    "sex",
    "birth_date",
    "org_unit_id",
    "hukou_local",
    *Category.values,
    "capability_level",
    "phone_enc",
    "phone_masked",
    "address",
    "lat",
    "lng",
    "status",
    "died_on",
    "moved_on",
    "created_at",
    "updated_at",
]
TABLE = "elders_elder"
MICRO = Decimal("0.000001")  # the stored precision of lat/lng: compare like with like
UPDATABLE = [
    "name",
    "org_unit",
    "hukou_local",
    *Category.values,
    "capability_level",
    "phone_enc",
    "phone_masked",
    "address",
    "lat",
    "lng",
    "updated_at",
]

# ``TextChoices.values`` builds a new list on every access: read the keys once (a city file has a million rows).
CATEGORY_KEYS = tuple(Category.values)
_CATEGORY_WORDS = {**{k: k for k in CATEGORY_KEYS}, **CATEGORY_ALIASES}
_CAPABILITY_WORDS = {**{k: k for k in CapabilityLevel.values}, **CAPABILITY_ALIASES}
_category_label = choice_parser(Category, CATEGORY_ALIASES)
_capability_label = choice_parser(CapabilityLevel, CAPABILITY_ALIASES)


def parse_categories(value: str) -> tuple[str, ...]:
    """``tekun;dibao`` or ``特困；低保`` (keys, the file's Chinese words, or the zh-hans labels)."""
    return tuple(sorted({_CATEGORY_WORDS.get(part) or _category_label(part) for part in parse_list(value)}))


def parse_capability(value: str) -> str:
    return _CAPABILITY_WORDS.get(value) or _capability_label(value)


def id_facts(normalised: str) -> tuple[str, date]:
    """Sex and birth date of an ID number the column parser has already validated (GB 11643: the 17th digit is odd
    for men; digits 7–14 are the birth date) — the same facts as ``parse_id_number``, without validating again."""
    sex = Sex.MALE.value if int(normalised[16]) % 2 else Sex.FEMALE.value
    return sex, date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))


def _batched(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


class ElderImporter(Importer):
    kind = "elders"
    model = Elder
    resource = "elder"
    natural_key = "id_number"
    streaming = True
    columns = [
        Column("id_number", "身份证号", required=True, parse=validate_id_number, mask=mask_id_number),
        Column("name", "姓名", required=True),
        Column("org_unit_code", "居住社区代码", required=True),
        Column("hukou_local", "本地户籍", parse=parse_bool),
        Column("categories", "人员类别", parse=parse_categories),
        Column("capability_level", "能力等级", parse=parse_capability),
        Column("phone", "电话", parse=validate_phone, mask=mask_phone),
        Column("address", "地址"),
        Column("lat", "纬度", parse=parse_decimal),
        Column("lng", "经度", parse=parse_decimal),
    ]

    def __init__(self, actor=None, *, allow_under_60: bool = False, **options: Any):
        super().__init__(actor)
        self.allow_under_60 = allow_under_60
        self.today = queries.today()
        self._units: dict[str, tuple[int, Any]] | None = None
        self._others_exist: bool | None = None
        self._provider = get_key_provider()
        self._cipher = get_cipher()

    # ---- checks ------------------------------------------------------------------------------------------------

    def units(self) -> dict[str, tuple[int, Any]]:
        """Every org unit's (pk, valid_to) by code, read once (a city has a few thousand units)."""
        if self._units is None:
            self._units = {
                code: (pk, valid_to) for code, pk, valid_to in OrgUnit.objects.values_list("code", "pk", "valid_to")
            }
        return self._units

    def index(self, id_number: str) -> str:
        return blind_index(id_number, purpose="id_number", provider=self._provider)

    def prepare(self, values: dict[str, Any], row: int) -> dict[str, Any]:
        errors: list[RowError] = []

        def problem(column: str, value: Any, code: str, message: str) -> None:
            errors.append(RowError(row, column, "" if value is None else str(value)[:100], code, message))

        id_number = values["id_number"]
        sex, birth_date = id_facts(id_number)
        if not self.allow_under_60 and queries.age(birth_date, self.today) < ELDER_MIN_AGE:
            problem(
                "id_number",
                mask_id_number(id_number),
                ErrorCode.ELDER_UNDER_60,
                _("This person is under 60 years old."),
            )
        code = values["org_unit_code"]
        unit = self.units().get(code)
        if unit is None:
            problem("org_unit_code", code, ErrorCode.UNKNOWN_ORG_UNIT, _("No org unit has this code."))
        else:
            try:
                self.check_org(code, row)
            except RowErrors as exc:
                errors.extend(exc.errors)
            if unit[1] is not None and unit[1] <= self.today:
                problem("org_unit_code", code, ErrorCode.ORG_UNIT_CLOSED, _("This org unit no longer exists."))
        for key, limit in (("name", 50), ("address", 200)):
            if values.get(key) and len(values[key]) > limit:
                problem(key, values[key], ErrorCode.TOO_LONG, _("At most %(n)d characters.") % {"n": limit})
        for key, bound in (("lat", 90), ("lng", 180)):
            if values.get(key) is not None:
                if not values[key].is_finite() or not -bound <= values[key] <= bound:
                    problem(key, values[key], ErrorCode.COORDINATE_RANGE, _("The coordinate is out of range."))
                else:
                    values[key] = values[key].quantize(MICRO)
        if errors:
            raise RowErrors(errors)
        values["org_unit_id"] = unit[0]
        values["sex"] = sex
        values["birth_date"] = birth_date
        return values

    def check_stream(self, row: int, values: dict[str, Any]) -> list[RowError]:
        """A person registered in another area cannot be taken over by an import (one indexed look-up per row,
        and only for an actor whose area does not hold every elder)."""
        prefix = getattr(self.actor, "scope_prefix", None) if self.actor is not None else None
        if not prefix:
            return []
        outside = ~Q(org_unit__code__startswith=prefix)
        if self._others_exist is None:
            self._others_exist = Elder.objects.filter(outside).exists()
        if (
            self._others_exist
            and Elder.objects.filter(outside, id_number_index=self.index(values["id_number"])).exists()
        ):
            return [
                RowError(
                    row,
                    "id_number",
                    mask_id_number(values["id_number"]),
                    ErrorCode.ELDER_OUT_OF_SCOPE,
                    _("This person is registered in another area."),
                )
            ]
        return []

    # ---- writing -----------------------------------------------------------------------------------------------

    def write(self, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        return self.write_stream(iter(rows))

    def write_stream(self, rows: Iterator[dict[str, Any]]) -> tuple[int, int, int]:
        created = updated = unchanged = 0
        now = timezone.now()
        # The blind indexes already stored, read once (64 characters each: ~150 MB for a city), so a batch looks up
        # only the elders it really updates and a first load runs no look-ups at all.
        known = set(Elder.objects.values_list("id_number_index", flat=True).iterator(chunk_size=20_000))
        for batch in _batched(rows, BATCH):
            c, u, n = self._write_batch(batch, now, known)
            created, updated, unchanged = created + c, updated + u, unchanged + n
        return created, updated, unchanged

    def _write_batch(self, batch: list[dict[str, Any]], now, known: set[str]) -> tuple[int, int, int]:
        by_index = {self.index(v["id_number"]): v for v in batch}
        stored = [index for index in by_index if index in known]
        existing = (
            {
                e.id_number_index: e
                for e in Elder.objects.filter(id_number_index__in=stored).select_for_update().order_by("pk")
            }
            if stored
            else {}
        )
        new = [self._new_row(index, values, now) for index, values in by_index.items() if index not in existing]
        changed: list[Elder] = []
        for index, elder in existing.items():
            if self._apply(elder, by_index[index]):
                elder.updated_at = now
                changed.append(elder)
        inserted = insert_rows(Elder, INSERT_COLUMNS, new) if new else 0
        if inserted != len(new):
            raise RuntimeError(f"inserted {inserted} of {len(new)} elders")
        if changed:
            Elder.objects.bulk_update(changed, UPDATABLE, batch_size=BATCH)
        return len(new), len(changed), len(existing) - len(changed)

    def _encrypt(self, value: str, column: str, public_id: uuid.UUID) -> str:
        return self._cipher.encrypt(value, table=TABLE, column=column, row=str(public_id))

    def _new_row(self, index: str, values: dict[str, Any], now) -> tuple:
        """A new elder as a row of ``INSERT_COLUMNS`` (the table's own columns)."""
        public_id = uuid.uuid4()
        id_number = values["id_number"]
        phone = values.get("phone") or ""
        categories = values.get("categories") or ()
        return (
            public_id,
            self._encrypt(id_number, "id_number_enc", public_id),
            index,
            mask_id_number(id_number),
            values["name"],
            values["sex"],
            values["birth_date"],
            values["org_unit_id"],
            True if values.get("hukou_local") is None else values["hukou_local"],
            *(c in categories for c in CATEGORY_KEYS),
            values.get("capability_level") or "",
            self._encrypt(phone, "phone_enc", public_id) if phone else "",
            mask_phone(phone),
            values.get("address") or "",
            values.get("lat"),
            values.get("lng"),
            ElderStatus.ACTIVE.value,
            None,
            None,
            now,
            now,
        )

    def _apply(self, elder: Elder, values: dict[str, Any]) -> bool:
        """Set the filled cells that differ from the stored elder; True if anything changed."""
        changed = False

        def put(field: str, value: Any) -> None:
            nonlocal changed
            if getattr(elder, field) != value:
                setattr(elder, field, value)
                changed = True

        put("name", values["name"])
        put("org_unit_id", values["org_unit_id"])
        for key in ("hukou_local", "capability_level", "address", "lat", "lng"):
            if values.get(key) is not None:
                put(key, values[key])
        if values.get("categories") is not None:
            chosen = set(values["categories"])
            for category in CATEGORY_KEYS:
                put(category, category in chosen)
        phone = values.get("phone")
        if phone is not None and not self._same_phone(elder, phone):
            elder.phone_enc = self._encrypt(phone, "phone_enc", elder.public_id)
            elder.phone_masked = mask_phone(phone)
            changed = True
        return changed

    def _same_phone(self, elder: Elder, phone: str) -> bool:
        """Compare without decrypting when the masks already differ; decrypt only to confirm a match."""
        if elder.phone_masked != mask_phone(phone) or not elder.phone_enc:
            return False
        stored = self._cipher.decrypt(elder.phone_enc, table=TABLE, column="phone_enc", row=str(elder.public_id))
        return stored == phone
