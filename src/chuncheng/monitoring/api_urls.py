from django.urls import path

from chuncheng.monitoring import api

urlpatterns = [
    path("indicators/", api.indicators_view, name="api-monitoring-indicators"),
    path("values/", api.values_view, name="api-monitoring-values"),
]
