from django.urls import path

from chuncheng.alarms import api

urlpatterns = [
    path("webhook/<slug:vendor>/", api.webhook_view, name="api-alarms-webhook"),
    path("stats/", api.stats_view, name="api-alarms-stats"),
    path("devices/", api.devices_view, name="api-alarms-devices"),
    path("vendors/", api.vendors_view, name="api-alarms-vendors"),
    path("", api.alarms_view, name="api-alarms"),
    path("<uuid:public_id>/", api.alarm_view, name="api-alarm"),
    path("<uuid:public_id>/<slug:action>/", api.transition_view, name="api-alarm-transition"),
]
