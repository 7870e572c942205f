"""Reads: the scoped, filtered elder list shared by the pages, the API and the exports; ages; the list paginator."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator

from chuncheng.core.cipher import blind_index, get_cipher
from chuncheng.core.masking import mask_address
from chuncheng.core.roles import Action
from chuncheng.core.validators import age_on
from chuncheng.elders.choices import ADVANCED_AGE, CapabilityLevel, Category, ElderStatus
from chuncheng.elders.models import Elder

SHANGHAI = ZoneInfo("Asia/Shanghai")
ID_TABLE = "elders_elder"

# ---- ages --------------------------------------------------------------------------------------------------


def today() -> date:
    """The date in Kunming (ages and "not in the future" are judged on it, whatever the server's zone)."""
    return datetime.now(SHANGHAI).date()


def age(birth_date: date, day: date | None = None) -> int:
    """Age in completed years (周岁) on ``day`` (default: today); 0 before birth."""
    day = day or today()
    return age_on(birth_date, day) if day >= birth_date else 0


def is_advanced_age(birth_date: date, day: date | None = None) -> bool:
    return age(birth_date, day) >= ADVANCED_AGE


def latest_birth_date(years: int, day: date) -> date:
    """The latest birth date of someone at least ``years`` old on ``day`` (for ``birth_date <= …`` filters).

    Agrees with ``age_on``: someone born on 29 February is a year older on 1 March of a common year, so on
    29 February of a leap year the cut-off in a common year is 28 February."""
    year = day.year - years
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February → a common year
        return date(year, 2, 28)


# ---- ID numbers typed by a user ----------------------------------------------------------------------------

_ID_LIKE = re.compile(r"[0-9]{17}[0-9X]")


def normalise_id_text(text: str) -> str:
    """Fold full-width characters, drop whitespace, upper-case a trailing x (as the validator does)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def looks_like_id_number(text: str) -> bool:
    """True when the text is shaped like a full 18-character ID number (valid or not)."""
    return bool(_ID_LIKE.fullmatch(normalise_id_text(text)))


def id_number_index(text: str) -> str:
    """The blind index a stored elder with this ID number carries (exact look-up without decrypting)."""
    return blind_index(normalise_id_text(text), purpose="id_number")


# ---- the list ----------------------------------------------------------------------------------------------

SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "-name": ("-name",),
    "birth_date": ("birth_date",),
    "-birth_date": ("-birth_date",),
    "org": ("org_unit__code",),
    "-org": ("-org_unit__code",),
}
STATUS_ALL = "all"
TRUE_PARAMS = {"1", "true", "yes", "on"}


def elder_list(user, params, action: str = Action.VIEW):
    """The elders ``user`` may see, filtered by ``params`` (a QueryDict or dict).

    ``q``: the start of a name (surname, or surname and given name), or a full ID number (matched exactly through the blind index); ``org``: org-unit code
    prefix; ``category``; ``capability_level``; ``status`` (default ``active``; ``all`` for every status);
    ``advanced_age=1``: 80 and over today; ``sort``: one of ``SORTS``. The id is always the last sort key, so the
    order is total and a keyset (``id > last``) continues it."""
    qs = Elder.objects.for_user(user, action).select_related("org_unit")
    q = (params.get("q") or "").strip()
    if q:
        # Names match from their start (surname first), which an index serves on a city-sized table.
        qs = qs.filter(id_number_index=id_number_index(q)) if looks_like_id_number(q) else qs.filter(name__startswith=q)
    org = (params.get("org") or "").strip()
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    status = params.get("status") or ElderStatus.ACTIVE
    if status != STATUS_ALL:
        qs = qs.filter(status=status if status in ElderStatus.values else ElderStatus.ACTIVE)
    category = params.get("category")
    if category in Category.values:
        qs = qs.filter(**{category: True})
    level = params.get("capability_level")
    if level in CapabilityLevel.values:
        qs = qs.filter(capability_level=level)
    if str(params.get("advanced_age") or "").lower() in TRUE_PARAMS:
        qs = qs.filter(birth_date__lte=latest_birth_date(ADVANCED_AGE, today()))
    return qs.order_by(*SORTS.get(params.get("sort") or "", ()), "id")


class CappedPaginator(Paginator):
    """A paginator that never counts more than ``cap`` rows.

    An exact ``COUNT(*)`` over a city's 1.2 million elders is slow on every page view; this one counts at most
    ``cap + 1`` rows (a bounded sub-query), so a broad list offers the first ``cap / per_page`` pages and says "more
    than …". Narrowing the filter (a township, a category) brings the exact count back."""

    cap = 10_000

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)


# ---- the elders file (data-exchange.md) --------------------------------------------------------------------

# (key, Chinese header): the columns of the elders file, in its order.
FILE_COLUMNS: list[tuple[str, str]] = [
    ("id_number", "身份证号"),
    ("name", "姓名"),
    ("org_unit_code", "居住社区代码"),
    ("hukou_local", "本地户籍"),
    ("categories", "人员类别"),
    ("capability_level", "能力等级"),
    ("phone", "电话"),
    ("address", "地址"),
    ("lat", "纬度"),
    ("lng", "经度"),
]
EXPORT_HEADER = [label for _key, label in FILE_COLUMNS]


def decrypt_id_number(elder: Elder) -> str:
    return get_cipher().decrypt(elder.id_number_enc, table=ID_TABLE, column="id_number_enc", row=str(elder.public_id))


def decrypt_phone(elder: Elder) -> str:
    if not elder.phone_enc:
        return ""
    return get_cipher().decrypt(elder.phone_enc, table=ID_TABLE, column="phone_enc", row=str(elder.public_id))


def export_rows(qs, *, unmasked: bool = False) -> Iterator[list[Any]]:
    """Rows of the elders file. Masked (ID, phone, address, as on screen) unless ``unmasked`` (a round trip)."""
    for e in qs.iterator(chunk_size=2000):
        yield [
            decrypt_id_number(e) if unmasked else e.id_number_masked,
            e.name,
            e.org_unit.code,
            int(e.hukou_local),
            ";".join(e.categories),
            e.capability_level,
            decrypt_phone(e) if unmasked else e.phone_masked,
            e.address if unmasked else mask_address(e.address),
            "" if e.lat is None else str(e.lat),
            "" if e.lng is None else str(e.lng),
        ]
