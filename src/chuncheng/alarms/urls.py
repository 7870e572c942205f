from django.urls import path

from chuncheng.alarms import views

app_name = "alarms"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("devices/", views.devices_view, name="devices"),
    path("vendors/", views.vendors_view, name="vendors"),
    path("stats/", views.stats_view, name="stats"),
    path("<uuid:public_id>/", views.detail_view, name="detail"),
    path("<uuid:public_id>/<slug:action>/", views.transition_view, name="transition"),
]
