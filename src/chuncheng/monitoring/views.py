"""Monitoring dashboard: one area's indicators on a date grouped by theme (value, numerator/denominator, targets,
attainment colours, a sparkline of the last two years), the child areas ranked by one indicator (``?rank=KEY``),
drill-down links up and down, and the records behind a number (``records_view``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.views import require_permission
from chuncheng.monitoring import queries
from chuncheng.monitoring.choices import SourceKind

DEFAULT_RANK = "nursing_bed_share"
RECORDS_PER_PAGE = 100


def _day(request):
    try:
        return queries.parse_date(request.GET.get("date"))
    except ValidationError:
        messages.error(request, _("A date is written YYYY-MM-DD."))
        return timezone.localdate()


@login_required
def area_view(request, code: str | None = None):
    require_permission(request, queries.RESOURCE)
    unit = queries.area_for(request.user, code)
    day = _day(request)
    rows = queries.area_table(unit, day)
    drillable = queries.drill_keys(request.user)
    for row in rows:
        row.drill = row.drill and row.indicator.key in drillable
    rank_key = request.GET.get("rank") or DEFAULT_RANK
    rank_indicator, ranking = queries.ranking(unit, day, rank_key)
    return render(
        request,
        "monitoring/area.html",
        {
            "unit": unit,
            "day": day,
            "rows": rows,
            "groups": queries.by_theme(rows),
            "rank_indicator": rank_indicator,
            "ranking": ranking,
            "rank_choices": [r.indicator for r in rows if r.indicator.source_kind == SourceKind.COMPUTED],
            "rank_drill": rank_indicator is not None and rank_indicator.key in drillable,
            "children": queries.children(unit, day),
            "parent": unit.parent
            if unit.parent_id and unit.parent.code.startswith(request.user.scope_prefix)
            else None,
        },
    )


@login_required
def records_view(request, code: str, key: str):
    """The records behind one indicator's number for an area and date (drill-down to the records): the compute
    function's own record set, inside the area, read through the user's scope of the records' module."""
    require_permission(request, queries.RESOURCE)
    unit = queries.area_for(request.user, code)
    day = _day(request)
    table = queries.drill(request.user, unit, day, key)
    page = Paginator(table.records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        [(column, column.show(value)) for column, value in zip(table.columns, record, strict=True)] for record in page
    ]
    return render(
        request,
        "monitoring/records.html",
        {
            "unit": unit,
            "day": day,
            "table": table,
            "page": page,
            "rows": rows,
            "params": f"date={day.isoformat()}",
            "parent": unit.parent
            if unit.parent_id and unit.parent.code.startswith(request.user.scope_prefix)
            else None,
        },
    )
