from django.urls import path

from chuncheng.institutions import views

app_name = "institutions"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("export/", views.export_view, name="export"),
    path("new/", views.create_view, name="create"),
    path("<uuid:public_id>/", views.detail_view, name="detail"),
    path("<uuid:public_id>/edit/", views.edit_view, name="edit"),
    path("<uuid:public_id>/status/", views.status_view, name="status"),
]
