from django.urls import path

from chuncheng.elders import views

app_name = "elders"

urlpatterns = [
    path("", views.list_view, name="list"),
    path("search/", views.search_view, name="search"),
    path("export/", views.export_view, name="export"),
    path("new/", views.create_view, name="create"),
    path("<uuid:public_id>/", views.detail_view, name="detail"),
    path("<uuid:public_id>/edit/", views.edit_view, name="edit"),
    path("<uuid:public_id>/reveal/", views.reveal_view, name="reveal"),
    path("<uuid:public_id>/death/", views.death_view, name="death"),
    path("<uuid:public_id>/move-away/", views.move_view, name="move_away"),
    path("<uuid:public_id>/contacts/new/", views.contact_add_view, name="contact_add"),
    path("<uuid:public_id>/contacts/<uuid:contact_id>/edit/", views.contact_edit_view, name="contact_edit"),
    path("<uuid:public_id>/contacts/<uuid:contact_id>/remove/", views.contact_remove_view, name="contact_remove"),
]
