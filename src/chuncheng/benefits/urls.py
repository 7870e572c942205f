from django.urls import path

from chuncheng.benefits import views

app_name = "benefits"

urlpatterns = [
    path("", views.programmes_view, name="programmes"),
    path("eligibility/<slug:kind>/<uuid:public_id>/", views.eligibility_view, name="eligibility"),
]
