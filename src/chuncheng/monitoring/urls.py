from django.urls import path

from chuncheng.monitoring import bulletin_views, reported_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.area_view, name="area"),
    # Reported indicators and the bulletin (before "<code>/", which would take their first segment).
    path("reported/", reported_views.list_view, name="reported"),
    path("reported/new/", reported_views.create_view, name="reported_create"),
    path("reported/<uuid:public_id>/", reported_views.detail_view, name="reported_detail"),
    path("reported/<uuid:public_id>/review/", reported_views.review_view, name="reported_review"),
    path("reported/<uuid:public_id>/evidence/", reported_views.evidence_view, name="reported_evidence"),
    path("bulletin/", bulletin_views.bulletin_view, name="bulletin"),
    path("bulletin/print/", bulletin_views.print_view, name="bulletin_print"),
    path("bulletin/xlsx/", bulletin_views.xlsx_view, name="bulletin_xlsx"),
    path("<str:code>/", views.area_view, name="area_detail"),
    path("<str:code>/records/<str:key>/", views.records_view, name="records"),
]
