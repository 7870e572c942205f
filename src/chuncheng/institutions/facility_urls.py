"""Community facilities (社区养老服务设施) at /facilities/: their own namespace and navigation entry."""

from django.urls import path

from chuncheng.institutions.views import facilities, staff

app_name = "facilities"

urlpatterns = [
    path("", facilities.list_view, name="list"),
    path("export/", facilities.export_view, name="export"),
    path("new/", facilities.create_view, name="create"),
    path("<uuid:public_id>/", facilities.detail_view, name="detail"),
    path("<uuid:public_id>/edit/", facilities.edit_view, name="edit"),
    path("<uuid:public_id>/status/", facilities.status_view, name="status"),
    path("<uuid:public_id>/staff/", staff.employer_staff_view, {"kind": "facility"}, name="staff"),
    path("<uuid:public_id>/staff/new/", staff.hire_view, {"kind": "facility"}, name="hire"),
]
