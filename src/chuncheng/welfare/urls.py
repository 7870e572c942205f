from django.urls import path

from chuncheng.welfare import views

app_name = "welfare"

urlpatterns = [
    path("visits/", views.visits_view, name="visits"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("visit-rate/", views.visit_rate_view, name="visit_rate"),
    path("elders/<uuid:public_id>/", views.elder_view, name="elder"),
    path("elders/<uuid:public_id>/visit/", views.visit_create_view, name="visit_create"),
    path("tasks/<uuid:public_id>/close/", views.task_close_view, name="task_close"),
    path("lists/", views.lists_view, name="lists"),
    path("lists/draft/", views.list_draft_view, name="list_draft"),
    path("lists/<uuid:public_id>/", views.list_detail_view, name="list_detail"),
    path("lists/<uuid:public_id>/publish/", views.list_publish_view, name="list_publish"),
    path("items/<uuid:public_id>/", views.item_view, name="item"),
    path("items/<uuid:public_id>/export/", views.item_export_view, name="item_export"),
]
