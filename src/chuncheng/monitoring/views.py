"""Monitoring dashboard: one area's indicators on a date grouped by theme (value, numerator/denominator, targets,
attainment colours), the child areas ranked by one indicator (``?rank=KEY``), and drill-down links up and down."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.views import require_permission
from chuncheng.monitoring import queries
from chuncheng.monitoring.choices import SourceKind

DEFAULT_RANK = "nursing_bed_share"


@login_required
def area_view(request, code: str | None = None):
    require_permission(request, queries.RESOURCE)
    unit = queries.area_for(request.user, code)
    try:
        day = queries.parse_date(request.GET.get("date"))
    except ValidationError:
        messages.error(request, _("A date is written YYYY-MM-DD."))
        day = timezone.localdate()
    rows = queries.area_table(unit, day)
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
            "children": queries.children(unit, day),
            "parent": unit.parent
            if unit.parent_id and unit.parent.code.startswith(request.user.scope_prefix)
            else None,
        },
    )
