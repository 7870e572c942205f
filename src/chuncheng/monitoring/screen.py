"""The big screen (大屏) at /screen/: a 1920×1080 dark page with ECharts (vendored) that polls its JSON endpoint.
Scoped like the dashboard: ``?org=CODE`` inside the user's area, else 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from chuncheng.core.views import require_permission
from chuncheng.monitoring import queries

REFRESH_SECONDS = 60


def _unit_and_day(request):
    require_permission(request, queries.RESOURCE)
    unit = queries.area_for(request.user, request.GET.get("org") or None)
    try:
        day = queries.parse_date(request.GET.get("date"))
    except ValidationError:
        day = timezone.localdate()
    return unit, day


@login_required
def screen_view(request):
    unit, day = _unit_and_day(request)
    return render(request, "monitoring/screen.html", {"unit": unit, "day": day, "refresh": REFRESH_SECONDS})


@login_required
def screen_data_view(request):
    try:
        unit, day = _unit_and_day(request)
    except Http404:
        return JsonResponse({"detail": "not found"}, status=404)
    # Every screen of an area shows the same figures and polls once a refresh: they are computed once per refresh
    # interval (0.5–0.7 s at city scale, benchmarks/README.md) and served from the cache in between.
    key = f"monitoring:screen:{unit.code}:{day.isoformat()}"
    data = cache.get(key)
    if data is None:
        data = queries.screen_data(unit, day)
        cache.set(key, data, REFRESH_SECONDS)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


app_name = "screen"
urlpatterns = [
    path("", screen_view, name="screen"),
    path("data/", screen_data_view, name="data"),
]
