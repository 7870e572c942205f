from django.urls import path

from chuncheng.institutions.views import institutions, residents, staff

app_name = "institutions"

urlpatterns = [
    path("", institutions.list_view, name="list"),
    path("export/", institutions.export_view, name="export"),
    path("new/", institutions.create_view, name="create"),
    path("stays/export/", residents.export_view, name="residents_export"),
    path("stays/<uuid:public_id>/discharge/", residents.discharge_view, name="discharge"),
    path("stays/<uuid:public_id>/transfer/", residents.transfer_view, name="transfer"),
    path("staff/export/", staff.export_view, name="staff_export"),
    path("staff/statistics/", staff.statistics_view, name="staff_statistics"),
    path("staff/<uuid:public_id>/", staff.detail_view, name="staff_detail"),
    path("staff/<uuid:public_id>/edit/", staff.edit_view, name="staff_edit"),
    path("staff/<uuid:public_id>/leave/", staff.leave_view, name="staff_leave"),
    path("<uuid:public_id>/", institutions.detail_view, name="detail"),
    path("<uuid:public_id>/edit/", institutions.edit_view, name="edit"),
    path("<uuid:public_id>/status/", institutions.status_view, name="status"),
    path("<uuid:public_id>/residents/", residents.residents_view, name="residents"),
    path("<uuid:public_id>/residents/admit/", residents.admit_view, name="admit"),
    path("<uuid:public_id>/staff/", staff.employer_staff_view, name="staff"),
    path("<uuid:public_id>/caregivers/", staff.employer_staff_view, {"caregivers": True}, name="caregivers"),
    path("<uuid:public_id>/staff/new/", staff.hire_view, name="hire"),
]
