from django.urls import path

from chuncheng.timebank import api

urlpatterns = [
    path("volunteers/", api.volunteers_view, name="api-timebank-volunteers"),
    path("volunteers/<uuid:public_id>/", api.volunteer_view, name="api-timebank-volunteer"),
    path("volunteers/<uuid:public_id>/services/", api.services_view, name="api-timebank-services"),
    path("volunteers/<uuid:public_id>/relatives/", api.relatives_view, name="api-timebank-relatives"),
    path("volunteers/<uuid:public_id>/withdraw/", api.withdraw_view, name="api-timebank-withdraw"),
    path("services/<uuid:public_id>/confirm/", api.confirm_view, name="api-timebank-confirm"),
]
