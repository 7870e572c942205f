"""Assessment exports (CSV/XLSX) for pages and API: scores and levels, never the answers (health data)."""

from __future__ import annotations

import io

from django.http import HttpResponse

from chuncheng.assessment import queries
from chuncheng.core.tabular import write_csv, write_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(qs, fmt: str) -> HttpResponse:
    """A download of ``qs`` (the caller checks permission and logs the export)."""
    rows = queries.export_rows(qs)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, queries.EXPORT_HEADER, rows, title="assessments")
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="assessments.xlsx"'
        return response
    text = io.StringIO()
    write_csv(text, queries.EXPORT_HEADER, rows)
    response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assessments.csv"'
    return response
