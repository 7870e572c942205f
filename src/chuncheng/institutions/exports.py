"""The registry's exchange files (data-exchange.md) out: for the pages, the API and ``chuncheng export KIND``.

Each file has exactly the importer's columns (English keys), so an unmasked export re-imports unchanged. ID and
phone numbers are masked by default, as on screen; ``unmasked`` needs the export permission and is written to the
security log with ``unmasked=True``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.registry import write_rows
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.core.tabular import write_csv, write_xlsx
from chuncheng.institutions import queries
from chuncheng.institutions.models import Admission, Facility, Institution, Staff

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class FileKind:
    kind: str
    model: type[models.Model]
    resource: str
    columns: list[str]
    rows: Callable
    org_field: str


KINDS = {
    k.kind: k
    for k in (
        FileKind("institutions", Institution, "institution", queries.EXPORT_COLUMNS, queries.export_rows, "org_unit"),
        FileKind("facilities", Facility, "facility", queries.FACILITY_COLUMNS, queries.facility_rows, "org_unit"),
        FileKind(
            "residents", Admission, "resident", queries.RESIDENT_COLUMNS, queries.resident_rows, "institution__org_unit"
        ),
        FileKind("staff", Staff, "staff", queries.STAFF_COLUMNS, queries.staff_rows, "org_unit"),
    )
}


def export_response(kind: str, qs, fmt: str = "csv", *, unmasked: bool = False) -> HttpResponse:
    """A download of ``qs`` as the ``kind`` file (the caller checks permission and logs the export)."""
    spec = KINDS[kind]
    rows = spec.rows(qs, unmasked=unmasked)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, spec.columns, rows, title=kind)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{kind}.xlsx"'
        return response
    text = io.StringIO()
    write_csv(text, spec.columns, rows)
    response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response


def export_file(kind: str, path: Path, *, org: str | None = None, unmasked: bool = False, actor=None) -> int:
    """Write the ``kind`` file: the actor's scope when one is named (the command line without --user: everything)."""
    spec = KINDS[kind]
    if actor is not None:
        if not permitted(actor, spec.resource, Action.EXPORT):
            raise PermissionDenied(_("You are not allowed to export this kind of file."))
        qs = spec.model.objects.for_user(actor, Action.EXPORT)
    else:
        qs = spec.model.objects.all()
    if org:
        qs = qs.filter(**{f"{spec.org_field}__code__startswith": org})
    count = write_rows(path, spec.columns, spec.rows(qs.order_by("pk"), unmasked=unmasked))
    audit.security_event(SecurityEventKind.EXPORT, user=actor, data_kind=kind, rows=count, unmasked=unmasked)
    return count


def exporter(kind: str) -> Callable[..., int]:
    """The registry's exporter function for ``kind`` (core.registry.register_exporter)."""

    def export(path: Path, *, org: str | None = None, unmasked: bool = False, actor=None) -> int:
        return export_file(kind, path, org=org, unmasked=unmasked, actor=actor)

    export.__name__ = f"export_{kind}"
    export.__doc__ = f"The {kind} file of data-exchange.md."
    return export


export_institutions = exporter("institutions")
export_facilities = exporter("facilities")
export_residents = exporter("residents")
export_staff = exporter("staff")
