from django.urls import path

from chuncheng.core import imports_views, views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change_view, name="password_change"),
    path("accounts/otp/", views.otp_view, name="otp"),
    path("org/", views.orgunit_list_view, name="orgunit_list"),
    path("org/<str:code>/", views.orgunit_detail_view, name="orgunit_detail"),
    path("admin/users/", views.user_list_view, name="users"),
    path("admin/users/<uuid:public_id>/role/", views.user_role_view, name="user_role"),
    path("admin/users/<uuid:public_id>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("admin/audit/", views.audit_view, name="audit"),
    path("admin/security-events/", views.security_events_view, name="security_events"),
    path("imports/", imports_views.upload_view, name="imports"),
    path("imports/log/", imports_views.import_log_view, name="import_log"),
    path("imports/<slug:kind>/template.<str:fmt>", imports_views.template_view, name="import_template"),
    path("population/", imports_views.population_list_view, name="population_list"),
    path("population/export/", imports_views.population_export_view, name="population_export"),
    path("population/new/", imports_views.population_edit_view, name="population_create"),
    path("population/<str:code>/<int:year>/edit/", imports_views.population_edit_view, name="population_edit"),
    path("healthz", views.healthz, name="healthz"),
]
