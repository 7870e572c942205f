from django.urls import path

from chuncheng.benefits import application_views, batch_views, simulation_views, views

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
    path("adjustments/", batch_views.adjust_view, name="adjust"),
    path("simulate/", simulation_views.simulate_view, name="simulate"),
    path("applications/", application_views.list_view, name="applications"),
    path("applications/new/", application_views.create_view, name="application_create"),
    path("applications/<uuid:public_id>/", application_views.detail_view, name="application"),
    path("applications/<uuid:public_id>/edit/", application_views.edit_view, name="application_edit"),
    path("applications/<uuid:public_id>/attach/", application_views.attach_view, name="application_attach"),
    path("applications/<uuid:public_id>/submit/", application_views.submit_view, name="application_submit"),
    path("applications/<uuid:public_id>/decide/", application_views.decide_view, name="application_decide"),
    path(
        "applications/<uuid:public_id>/attachments/<uuid:attachment_id>/",
        application_views.attachment_view,
        name="application_attachment",
    ),
]
