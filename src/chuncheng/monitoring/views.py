"""Monitoring page: one area's indicators on a date (value, numerator/denominator, targets, attainment) with links
to the child areas."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from chuncheng.core.views import require_permission
from chuncheng.monitoring import queries


@login_required
def area_view(request, code: str | None = None):
    require_permission(request, queries.RESOURCE)
    unit = queries.area_for(request.user, code)
    try:
        day = queries.parse_date(request.GET.get("date"))
    except ValidationError:
        messages.error(request, _("A date is written YYYY-MM-DD."))
        day = timezone.localdate()
    return render(
        request,
        "monitoring/area.html",
        {
            "unit": unit,
            "day": day,
            "rows": queries.area_table(unit, day),
            "children": queries.children(unit, day),
            "parent": unit.parent
            if unit.parent_id and unit.parent.code.startswith(request.user.scope_prefix)
            else None,
        },
    )
