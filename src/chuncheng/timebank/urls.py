from django.urls import path

from chuncheng.timebank import views

app_name = "timebank"

urlpatterns = [
    path("", views.volunteers_view, name="volunteers"),
    path("volunteers/<uuid:public_id>/", views.volunteer_view, name="volunteer"),
    path("volunteers/<uuid:public_id>/services/", views.service_create_view, name="service_create"),
    path("volunteers/<uuid:public_id>/relatives/", views.relative_create_view, name="relative_create"),
    path("volunteers/<uuid:public_id>/withdraw/", views.withdraw_view, name="withdraw"),
    path("services/<uuid:public_id>/confirm/", views.service_confirm_view, name="service_confirm"),
]
