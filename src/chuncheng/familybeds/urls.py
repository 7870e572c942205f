from django.urls import path

from chuncheng.familybeds import views

app_name = "familybeds"

urlpatterns = [
    path("", views.beds_view, name="list"),
    path("new/", views.create_view, name="create"),
    path("<uuid:public_id>/", views.bed_view, name="detail"),
    path("<uuid:public_id>/adaptation/", views.adaptation_view, name="adaptation"),
    path("<uuid:public_id>/status/", views.status_view, name="status"),
]
