from django.urls import path

from chuncheng.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.area_view, name="area"),
    path("<str:code>/", views.area_view, name="area_detail"),
]
