from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from chuncheng.assessment import api as assessment_api
from chuncheng.benefits import adjustment_api, simulation_api
from chuncheng.benefits import api as benefits_api
from chuncheng.benefits import application_api as benefits_application_api
from chuncheng.core import api as core_api
from chuncheng.core import imports_api
from chuncheng.elders import api as elders_api
from chuncheng.familybeds import api as familybeds_api
from chuncheng.homecare import api as homecare_api
from chuncheng.institutions import api as institutions_api
from chuncheng.welfare import api as welfare_api

router = DefaultRouter()
router.register("org-units", core_api.OrgUnitViewSet, basename="orgunit")
router.register("audit", core_api.AuditEntryViewSet, basename="audit")
router.register("population", imports_api.PopulationViewSet, basename="population")
router.register("institutions", institutions_api.InstitutionViewSet, basename="institution")
router.register("facilities", institutions_api.FacilityViewSet, basename="facility")
router.register("stays", institutions_api.StayViewSet, basename="stay")
router.register("staff", institutions_api.StaffViewSet, basename="staff")
router.register("elders", elders_api.ElderViewSet, basename="elder")
router.register("welfare-visits", welfare_api.VisitViewSet, basename="welfare-visit")
router.register("welfare-tasks", welfare_api.TaskViewSet, basename="welfare-task")
router.register("service-lists", welfare_api.ServiceListViewSet, basename="service-list")
router.register("service-items", welfare_api.ServiceItemViewSet, basename="service-item")
router.register("homecare/providers", homecare_api.ProviderViewSet, basename="homecare-provider")
router.register("homecare/orders", homecare_api.OrderViewSet, basename="homecare-order")
router.register("homecare/visits", homecare_api.VisitViewSet, basename="homecare-visit")
router.register("homecare/alerts", homecare_api.AlertViewSet, basename="homecare-alert")
router.register("homecare/settlements", homecare_api.SettlementViewSet, basename="homecare-settlement")
router.register("family-beds", familybeds_api.BedViewSet, basename="familybed")
router.register("assessments", assessment_api.AssessmentViewSet, basename="assessment")
router.register("assessment-agencies", assessment_api.AgencyViewSet, basename="assessment-agency")
router.register("benefits/applications", benefits_application_api.ApplicationViewSet, basename="benefit-application")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/auth/token/", core_api.token_view, name="api-token"),
    path("api/v1/me/", core_api.me_view, name="api-me"),
    path("api/v1/imports/log/", imports_api.ImportLogView.as_view(), name="api-import-log"),
    path("api/v1/imports/<slug:kind>/", imports_api.import_view, name="api-import"),
    path("api/v1/welfare/visit-rate/", welfare_api.visit_rate_view, name="api-welfare-visit-rate"),
    path("api/v1/welfare/overdue/", welfare_api.overdue_view, name="api-welfare-overdue"),
    path("api/v1/welfare/elders/<uuid:public_id>/", welfare_api.elder_entitlements_view, name="api-welfare-elder"),
    path("api/v1/benefits/programmes/", benefits_api.programmes_view, name="api-benefits-programmes"),
    path("api/v1/benefits/quote/<slug:programme>/", benefits_api.quote_view, name="api-benefits-quote"),
    path(
        "api/v1/benefits/eligibility/<slug:kind>/<uuid:public_id>/",
        benefits_api.eligibility_view,
        name="api-benefits-eligibility",
    ),
    path("api/v1/benefits/batches/<uuid:public_id>/", benefits_api.batch_view, name="api-benefits-batch"),
    path(
        "api/v1/benefits/entitlements/<uuid:public_id>/",
        benefits_api.entitlement_view,
        name="api-benefits-entitlement",
    ),
    path("api/v1/benefits/ledger/totals/", benefits_api.ledger_totals_view, name="api-benefits-ledger"),
    path("api/v1/benefits/simulate/<slug:programme>/", simulation_api.simulate_view, name="api-benefits-simulate"),
    path("api/v1/benefits/adjustments/", adjustment_api.adjustments_view, name="api-benefits-adjustments"),
    path("api/v1/meals/", include("chuncheng.meals.api_urls")),
    path("api/v1/timebank/", include("chuncheng.timebank.api_urls")),
    path("api/v1/alarms/", include("chuncheng.alarms.api_urls")),
    path("api/v1/monitoring/", include("chuncheng.monitoring.api_urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("institutions/", include("chuncheng.institutions.urls")),
    path("facilities/", include("chuncheng.institutions.facility_urls")),
    path("elders/", include("chuncheng.elders.urls")),
    path("welfare/", include("chuncheng.welfare.urls")),
    path("homecare/", include("chuncheng.homecare.urls")),
    path("family-beds/", include("chuncheng.familybeds.urls")),
    path("assessments/", include("chuncheng.assessment.urls")),
    path("benefits/", include("chuncheng.benefits.urls")),
    path("timebank/", include("chuncheng.timebank.urls")),
    path("alarms/", include("chuncheng.alarms.urls")),
    path("meals/", include("chuncheng.meals.urls")),
    path("monitoring/", include("chuncheng.monitoring.urls")),
    path("screen/", include("chuncheng.monitoring.screen")),
    path("", include("chuncheng.core.urls")),
]
