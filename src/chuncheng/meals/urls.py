from django.urls import path

from chuncheng.meals import views

app_name = "meals"

urlpatterns = [
    path("", views.records_view, name="records"),
    path("records/<uuid:public_id>/review/", views.record_review_view, name="record_review"),
    path("tablet/", views.tablet_view, name="tablet"),
    path("cards/", views.cards_view, name="cards"),
    path("settlements/", views.settlements_view, name="settlements"),
    path("checks/", views.checks_view, name="checks"),
]
