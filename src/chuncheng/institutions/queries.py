"""Reads: the scoped, filtered institution list shared by the page, the API and the exports."""

from __future__ import annotations

from django.db.models import Q

from chuncheng.core.roles import Action
from chuncheng.institutions.models import Institution

SORTS = {
    "name",
    "-name",
    "approved_beds",
    "-approved_beds",
    "org_unit__code",
    "-org_unit__code",
    "filed_on",
    "-filed_on",
}


def institution_list(user, params, action: str = Action.VIEW):
    qs = Institution.objects.for_user(user, action).select_related("org_unit")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__iexact=q) | Q(code__iexact=q))
    if params.get("org"):
        qs = qs.filter(org_unit__code__startswith=params["org"].strip())
    for key in ("kind", "status"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    sort = params.get("sort")
    return qs.order_by(sort, "pk") if sort in SORTS else qs.order_by("org_unit__code", "name", "pk")


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


def export_rows(qs, *, unmasked: bool = False):
    from chuncheng.core.masking import mask_phone

    for i in qs.iterator(chunk_size=2000):
        row = []
        for column in EXPORT_COLUMNS:
            if column == "org_unit_code":
                value = i.org_unit.code
            elif column == "phone":
                value = i.phone if unmasked else mask_phone(i.phone)
            else:
                value = getattr(i, column)
            if isinstance(value, bool):
                value = int(value)
            row.append("" if value is None else str(value) if not isinstance(value, int) else value)
        yield row
