from django.urls import path

from chuncheng.monitoring import api, bulletin_api, reported_api

urlpatterns = [
    path("indicators/", api.indicators_view, name="api-monitoring-indicators"),
    path("values/", api.values_view, name="api-monitoring-values"),
    path("reported/", reported_api.values_view, name="api-monitoring-reported"),
    path("reported/due/", reported_api.due_view, name="api-monitoring-reported-due"),
    path("reported/<uuid:public_id>/", reported_api.value_view, name="api-monitoring-reported-value"),
    path("reported/<uuid:public_id>/review/", reported_api.review_view, name="api-monitoring-reported-review"),
    path("reported/<uuid:public_id>/evidence/", reported_api.evidence_view, name="api-monitoring-reported-evidence"),
    path("bulletin/", bulletin_api.bulletin_view, name="api-monitoring-bulletin"),
    path("bulletin/xlsx/", bulletin_api.bulletin_xlsx_view, name="api-monitoring-bulletin-xlsx"),
]
