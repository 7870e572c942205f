from django.urls import path

from chuncheng.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("export/", views.export_view, name="export"),
    path("request/", views.request_view, name="request"),
    path("agencies/", views.agency_list_view, name="agencies"),
    path("agencies/new/", views.agency_create_view, name="agency-create"),
    path("agencies/<uuid:public_id>/", views.agency_detail_view, name="agency"),
    path("assessors/", views.assessor_list_view, name="assessors"),
    path("assessors/new/", views.assessor_create_view, name="assessor-create"),
    path("<uuid:public_id>/", views.detail_view, name="detail"),
    path("<uuid:public_id>/assign/", views.assign_view, name="assign"),
    path("<uuid:public_id>/answers/", views.fill_view, name="fill"),
    path("<uuid:public_id>/review/", views.review_view, name="review"),
    path("<uuid:public_id>/report/", views.report_view, name="report"),
]
