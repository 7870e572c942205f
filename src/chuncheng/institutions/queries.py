"""Reads: the scoped, filtered lists shared by the pages, the API and the exports, and the export row shapes.

Every list starts from ``for_user``; figures (occupancy, staff counts) are annotated set-based, never per row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf, Substr

from chuncheng.core.cipher import blind_index, get_cipher
from chuncheng.core.masking import mask_phone
from chuncheng.core.models import OrgUnit
from chuncheng.core.roles import Action
from chuncheng.core.validators import validate_id_number
from chuncheng.elders.models import Elder
from chuncheng.institutions.choices import BedKind, InstitutionStatus, StaffRole
from chuncheng.institutions.models import Admission, Facility, Institution, Staff

# ---- institutions --------------------------------------------------------------------------------------------

OPEN_STAY = Q(admissions__discharged_on__isnull=True)

SORTS = {
    "name",
    "-name",
    "approved_beds",
    "-approved_beds",
    "org_unit__code",
    "-org_unit__code",
    "filed_on",
    "-filed_on",
    "occupancy",
    "-occupancy",
    "nursing_occupancy",
    "-nursing_occupancy",
}


def _order(qs: QuerySet, sort: str | None, sorts: set[str], default: tuple[str, ...]) -> QuerySet:
    """Order by an allowed key (nulls last either way, so empty figures never lead a ranking), ties by pk."""
    if sort not in sorts:
        return qs.order_by(*default, "pk")
    name = sort.lstrip("-")
    expression = F(name).desc(nulls_last=True) if sort.startswith("-") else F(name).asc(nulls_last=True)
    return qs.order_by(expression, "pk")


def with_occupancy(qs: QuerySet) -> QuerySet:
    """Annotate live occupancy: ``residents`` (open stays) over approved beds, and ``nursing_residents`` (open stays
    on nursing beds) over nursing beds (护理老人入住率). Ratios are None where there are no such beds."""
    return qs.annotate(
        residents=Count("admissions", filter=OPEN_STAY),
        nursing_residents=Count("admissions", filter=OPEN_STAY & Q(admissions__bed_kind=BedKind.NURSING)),
    ).annotate(
        occupancy=Cast("residents", FloatField()) / NullIf(F("approved_beds"), 0),
        nursing_occupancy=Cast("nursing_residents", FloatField()) / NullIf(F("nursing_beds"), 0),
    )


def institution_list(user, params: Mapping[str, Any], action: str = Action.VIEW) -> QuerySet:
    qs = Institution.objects.for_user(user, action).select_related("org_unit")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__iexact=q) | Q(code__iexact=q))
    if params.get("org"):
        qs = qs.filter(org_unit__code__startswith=params["org"].strip())
    for key in ("kind", "status"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return _order(with_occupancy(qs), params.get("sort"), SORTS, ("org_unit__code", "name"))


def institution_staff_counts(institution: Institution) -> dict[str, int]:
    """Staff in post of one institution by the roles the indicators count (one query)."""
    return Staff.objects.filter(institution=institution, left_on__isnull=True).aggregate(
        total=Count("pk"),
        caregivers=Count("pk", filter=Q(role=StaffRole.CAREGIVER)),
        social_workers=Count("pk", filter=Q(role=StaffRole.SOCIAL_WORKER)),
    )


EXPORT_COLUMNS = [
    "code",
    "name",
    "uscc",
    "org_unit_code",
    "kind",
    "government_operated",
    "property",
    "lease_years",
    "approved_beds",
    "nursing_beds",
    "safety_net_beds",
    "puhui_beds",
    "is_nursing_type",
    "internal_medical",
    "medical_agreement",
    "filed_on",
    "opened_on",
    "address",
    "phone",
    "lat",
    "lng",
]
INSTITUTION_COLUMNS = EXPORT_COLUMNS


def _cell(value: Any) -> Any:
    """An exported cell as the importer reads it back: booleans 1/0, empty for None, ints as ints, the rest text."""
    if isinstance(value, bool):
        return int(value)
    if value is None:
        return ""
    return value if isinstance(value, int) else str(value)


def export_rows(qs: QuerySet, *, unmasked: bool = False) -> Iterator[list[Any]]:
    for i in qs.select_related("org_unit").iterator(chunk_size=2000):
        row = []
        for column in EXPORT_COLUMNS:
            if column == "org_unit_code":
                value = i.org_unit.code
            elif column == "phone":
                value = i.phone if unmasked else mask_phone(i.phone)
            else:
                value = getattr(i, column)
            row.append(_cell(value))
        yield row


# ---- facilities ----------------------------------------------------------------------------------------------

FACILITY_SORTS = {"name", "-name", "code", "-code", "beds", "-beds", "area_m2", "-area_m2", "opened_on", "-opened_on"}


def facility_list(user, params: Mapping[str, Any], action: str = Action.VIEW) -> QuerySet:
    qs = Facility.objects.for_user(user, action).select_related("org_unit")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q))
    if params.get("org"):
        qs = qs.filter(org_unit__code__startswith=params["org"].strip())
    for key in ("kind", "status", "operator"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return _order(qs, params.get("sort"), FACILITY_SORTS, ("org_unit__code", "name"))


FACILITY_COLUMNS = ["code", "name", "kind", "org_unit_code", "operator", "area_m2", "beds", "opened_on", "lat", "lng"]


def facility_rows(qs: QuerySet, *, unmasked: bool = False) -> Iterator[list[Any]]:
    for f in qs.select_related("org_unit").iterator(chunk_size=2000):
        yield [_cell(f.org_unit.code if c == "org_unit_code" else getattr(f, c)) for c in FACILITY_COLUMNS]


# ---- residents (stays) ---------------------------------------------------------------------------------------


def elder_by_id_number(value: str) -> Elder | None:
    """The elder with exactly this full ID number, through the blind index (no scan, no decryption).

    Deliberately not scoped by residence: an institution admits people from anywhere, and whoever types a full ID
    number already knows the person. Invalid numbers find nobody."""
    try:
        normalised = validate_id_number(value)
    except ValidationError:
        return None
    return Elder.objects.filter(id_number_index=blind_index(normalised, purpose="id_number")).first()


def stay_list(user, params: Mapping[str, Any], action: str = Action.VIEW, *, institution=None) -> QuerySet:
    """Stays visible to ``user``; ``state`` current/past, ``elder`` and ``institution`` as public ids."""
    qs = Admission.objects.for_user(user, action).select_related("elder", "institution", "transferred_to__institution")
    if institution is not None:
        qs = qs.filter(institution=institution)
    elif params.get("institution"):
        qs = qs.filter(institution__public_id=_uuid_or_none(params["institution"]))
    if params.get("elder"):
        qs = qs.filter(elder__public_id=_uuid_or_none(params["elder"]))
    state = params.get("state")
    if state == "current":
        qs = qs.filter(discharged_on__isnull=True)
    elif state == "past":
        qs = qs.filter(discharged_on__isnull=False)
    if params.get("bed_kind"):
        qs = qs.filter(bed_kind=params["bed_kind"])
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(elder__name__icontains=q)
    return qs.order_by("-admitted_on", "-pk")


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def stays_for_elder(user, elder: Elder) -> QuerySet:
    """An elder's stays the user may see, newest first (for the elder's page: ``institutions/_elder_stays.html``)."""
    return stay_list(user, {}).filter(elder=elder)


RESIDENT_COLUMNS = ["institution_uscc", "id_number", "bed_kind", "admitted_on", "discharged_on"]


def elder_id_number(elder: Elder) -> str:
    return get_cipher().decrypt(
        elder.id_number_enc, table="elders_elder", column="id_number_enc", row=str(elder.public_id)
    )


def resident_rows(qs: QuerySet, *, unmasked: bool = False) -> Iterator[list[Any]]:
    for a in qs.select_related("elder", "institution").order_by("pk").iterator(chunk_size=2000):
        id_number = elder_id_number(a.elder) if unmasked else a.elder.id_number_masked
        yield [a.institution.uscc, id_number, a.bed_kind, _cell(a.admitted_on), _cell(a.discharged_on)]


# ---- staff ---------------------------------------------------------------------------------------------------

STAFF_SORTS = {"name", "-name", "hired_on", "-hired_on", "role", "-role"}


def staff_list(user, params: Mapping[str, Any], action: str = Action.VIEW, *, employer=None) -> QuerySet:
    """Staff visible to ``user``: filters ``role``, ``skill_grade``, ``in_post`` (1/0), ``q`` (name), employer."""
    qs = Staff.objects.for_user(user, action).select_related("institution", "facility", "org_unit")
    if isinstance(employer, Institution):
        qs = qs.filter(institution=employer)
    elif isinstance(employer, Facility):
        qs = qs.filter(facility=employer)
    else:
        if params.get("institution"):
            qs = qs.filter(institution__public_id=_uuid_or_none(params["institution"]))
        if params.get("facility"):
            qs = qs.filter(facility__public_id=_uuid_or_none(params["facility"]))
    for key in ("role", "skill_grade"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    in_post = params.get("in_post")
    if in_post in ("1", "true"):
        qs = qs.filter(left_on__isnull=True)
    elif in_post in ("0", "false"):
        qs = qs.filter(left_on__isnull=False)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if params.get("org"):
        qs = qs.filter(org_unit__code__startswith=params["org"].strip())
    return _order(qs, params.get("sort"), STAFF_SORTS, ("name",))


STAFF_COLUMNS = [
    "employer_code",
    "id_number",
    "name",
    "role",
    "skill_grade",
    "certificate_no",
    "trained",
    "contract_start",
    "contract_end",
    "social_insurance",
    "hired_on",
    "left_on",
]


def staff_rows(qs: QuerySet, *, unmasked: bool = False) -> Iterator[list[Any]]:
    cipher = get_cipher() if unmasked else None
    for s in qs.select_related("institution", "facility").order_by("pk").iterator(chunk_size=2000):
        employer = s.institution.uscc if s.institution_id else s.facility.code
        id_number = (
            cipher.decrypt(s.id_number_enc, table="institutions_staff", column="id_number_enc", row=str(s.public_id))
            if cipher
            else s.id_number_masked
        )
        rest = [_cell(getattr(s, c)) for c in STAFF_COLUMNS[2:]]
        yield [employer, id_number, *rest]


STATISTICS_LEVELS = {"county": 6, "township": 9}


def staff_statistics(user, by: str = "county") -> list[dict[str, Any]]:
    """Staff in post per county or township of the user's scope: caregivers, social workers, all; with the area's
    approved beds in operation and social workers per 100 beds (indicator social_workers_per_100_beds).

    Three queries whatever the number of areas: staff grouped by code prefix, beds grouped the same way, unit names."""
    length = STATISTICS_LEVELS.get(by, 6)
    staff = (
        Staff.objects.for_user(user)
        .filter(left_on__isnull=True)
        .annotate(area=Substr("org_unit__code", 1, length))
        .values("area")
        .annotate(
            total=Count("pk"),
            caregivers=Count("pk", filter=Q(role=StaffRole.CAREGIVER)),
            certified_caregivers=Count("pk", filter=Q(role=StaffRole.CAREGIVER) & ~Q(skill_grade="")),
            social_workers=Count("pk", filter=Q(role=StaffRole.SOCIAL_WORKER)),
        )
        .order_by("area")
    )
    beds = dict(
        Institution.objects.for_user(user)
        .filter(status=InstitutionStatus.ACTIVE)
        .annotate(area=Substr("org_unit__code", 1, length))
        .values("area")
        .annotate(beds=Sum("approved_beds"))
        .values_list("area", "beds")
    )
    rows = {r["area"]: {**r, "beds": beds.get(r["area"]) or 0} for r in staff}
    for area, count in beds.items():
        rows.setdefault(
            area,
            {"area": area, "total": 0, "caregivers": 0, "certified_caregivers": 0, "social_workers": 0, "beds": count},
        )
    names = dict(OrgUnit.objects.filter(code__in=rows.keys()).values_list("code", "name"))
    result = []
    for area in sorted(rows):
        row = rows[area]
        row["name"] = names.get(area, area)
        row["social_workers_per_100_beds"] = (
            round(row["social_workers"] * 100 / row["beds"], 2) if row["beds"] else None
        )
        result.append(row)
    return result


def institution_staff_table(user, params: Mapping[str, Any]) -> QuerySet:
    """Per institution: caregivers, social workers and all staff in post (one grouped query, paginated by callers)."""
    in_post = Q(staff__left_on__isnull=True)
    qs = Institution.objects.for_user(user).select_related("org_unit")
    if params.get("org"):
        qs = qs.filter(org_unit__code__startswith=params["org"].strip())
    return qs.annotate(
        staff_total=Count("staff", filter=in_post),
        caregivers=Count("staff", filter=in_post & Q(staff__role=StaffRole.CAREGIVER)),
        social_workers=Count("staff", filter=in_post & Q(staff__role=StaffRole.SOCIAL_WORKER)),
    ).order_by("org_unit__code", "name", "pk")
