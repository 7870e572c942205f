from django.urls import path

from chuncheng.meals import api

urlpatterns = [
    path("records/", api.records_view, name="api-meals-records"),
    path("records/<uuid:public_id>/", api.record_view, name="api-meals-record"),
    path("records/<uuid:public_id>/review/", api.record_review_view, name="api-meals-record-review"),
    path("cards/", api.cards_view, name="api-meals-cards"),
    path("settlements/", api.settlements_view, name="api-meals-settlements"),
    path("checks/", api.checks_view, name="api-meals-checks"),
]
