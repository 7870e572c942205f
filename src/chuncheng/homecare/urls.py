from django.urls import path

from chuncheng.homecare import views

app_name = "homecare"

urlpatterns = [
    path("", views.landing_view, name="landing"),
    path("provider/", views.provider_home_view, name="provider_home"),
    path("provider/schedule/", views.provider_schedule_view, name="provider_schedule"),
    path("provider/flags/", views.provider_flags_view, name="provider_flags"),
    path("provider/settlements/", views.settlements_view, name="provider_settlements"),
    path("settlements/", views.settlements_view, name="settlements"),
    path("settlements/<uuid:public_id>/", views.settlement_view, name="settlement"),
    path("settlements/<uuid:public_id>/approve/", views.settlement_approve_view, name="settlement_approve"),
    path("providers/", views.providers_view, name="providers"),
    path("orders/", views.orders_view, name="orders"),
    path("orders/<uuid:public_id>/", views.order_view, name="order"),
    path("orders/<uuid:public_id>/<slug:step>/", views.order_action_view, name="order_action"),
    path("visits/", views.visits_view, name="visits"),
    path("visits/<uuid:public_id>/flags/<slug:rule>/review/", views.flag_review_view, name="flag_review"),
    path("today/", views.today_view, name="today"),
    path("alerts/", views.alerts_view, name="alerts"),
    path("alerts/<uuid:public_id>/acknowledge/", views.alert_ack_view, name="alert_ack"),
]
