from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from chuncheng.core import api as core_api
from chuncheng.core import imports_api
from chuncheng.elders import api as elders_api
from chuncheng.institutions import api as institutions_api

router = DefaultRouter()
router.register("org-units", core_api.OrgUnitViewSet, basename="orgunit")
router.register("audit", core_api.AuditEntryViewSet, basename="audit")
router.register("population", imports_api.PopulationViewSet, basename="population")
router.register("institutions", institutions_api.InstitutionViewSet, basename="institution")
router.register("facilities", institutions_api.FacilityViewSet, basename="facility")
router.register("stays", institutions_api.StayViewSet, basename="stay")
router.register("staff", institutions_api.StaffViewSet, basename="staff")
router.register("elders", elders_api.ElderViewSet, basename="elder")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/token/", core_api.token_view, name="api-token"),
    path("api/v1/me/", core_api.me_view, name="api-me"),
    path("api/v1/imports/log/", imports_api.ImportLogView.as_view(), name="api-import-log"),
    path("api/v1/imports/<slug:kind>/", imports_api.import_view, name="api-import"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("institutions/", include("chuncheng.institutions.urls")),
    path("facilities/", include("chuncheng.institutions.facility_urls")),
    path("elders/", include("chuncheng.elders.urls")),
    path("", include("chuncheng.core.urls")),
]
