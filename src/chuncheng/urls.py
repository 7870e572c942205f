from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from chuncheng.core import api as core_api
from chuncheng.institutions import api as institutions_api

router = DefaultRouter()
router.register("org-units", core_api.OrgUnitViewSet, basename="orgunit")
router.register("audit", core_api.AuditEntryViewSet, basename="audit")
router.register("institutions", institutions_api.InstitutionViewSet, basename="institution")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/token/", core_api.token_view, name="api-token"),
    path("api/v1/me/", core_api.me_view, name="api-me"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("institutions/", include("chuncheng.institutions.urls")),
    path("", include("chuncheng.core.urls")),
]
