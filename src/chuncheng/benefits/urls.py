from django.urls import path

from chuncheng.benefits import batch_views, views

app_name = "benefits"

urlpatterns = [
    path("", views.programmes_view, name="programmes"),
    path("eligibility/<slug:kind>/<uuid:public_id>/", views.eligibility_view, name="eligibility"),
    path("batches/", batch_views.batches_view, name="batches"),
    path("batches/<uuid:public_id>/", batch_views.batch_view, name="batch"),
    path("batches/<uuid:public_id>/progress/", batch_views.batch_progress_view, name="batch_progress"),
    path("batches/<uuid:public_id>/approve/", batch_views.batch_approve_view, name="batch_approve"),
    path("batches/<uuid:public_id>/lock/", batch_views.batch_lock_view, name="batch_lock"),
    path("batches/<uuid:public_id>/payment-file/", batch_views.batch_export_view, name="batch_export"),
    path("entitlements/<uuid:public_id>/", batch_views.entitlement_view, name="entitlement"),
    path("ledger/", batch_views.ledger_view, name="ledger"),
]
