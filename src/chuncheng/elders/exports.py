"""The elders file (data-exchange.md), for the pages, the API and ``chuncheng export elders``.

Masked by default (ID number, phone and address as on screen). ``unmasked`` gives the full values for a round trip;
it needs the export permission and is written to the security log with ``unmasked=True``.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _

from chuncheng.core import audit
from chuncheng.core.models import SecurityEventKind
from chuncheng.core.registry import write_rows
from chuncheng.core.roles import Action
from chuncheng.core.scope import permitted
from chuncheng.core.tabular import write_csv, write_xlsx
from chuncheng.elders import queries
from chuncheng.elders.choices import ElderStatus
from chuncheng.elders.models import Elder

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(qs, fmt: str, *, unmasked: bool = False) -> HttpResponse:
    """A download of ``qs`` as the elders file (the caller checks permission and logs the export)."""
    rows = queries.export_rows(qs, unmasked=unmasked)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, queries.EXPORT_HEADER, rows, title="elders")
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="elders.xlsx"'
        return response
    text = io.StringIO()
    write_csv(text, queries.EXPORT_HEADER, rows)
    response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="elders.csv"'
    return response


def export_elders(path: Path, *, org: str | None = None, unmasked: bool = False, actor=None) -> int:
    """The active elders (of the actor's area when one is named; of ``org`` when given) into a CSV or XLSX file."""
    if actor is not None:
        if not permitted(actor, "elder", Action.EXPORT):
            raise PermissionDenied(_("You are not allowed to export elders."))
        qs = Elder.objects.for_user(actor, Action.EXPORT)
    else:
        qs = Elder.objects.all()
    qs = qs.filter(status=ElderStatus.ACTIVE).select_related("org_unit").order_by("id")
    if org:
        qs = qs.filter(org_unit__code__startswith=org)
    count = write_rows(path, queries.EXPORT_HEADER, queries.export_rows(qs, unmasked=unmasked))
    audit.security_event(SecurityEventKind.EXPORT, user=actor, data_kind="elders", rows=count, unmasked=unmasked)
    return count
