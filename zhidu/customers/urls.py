from django.urls import path

from . import transfer_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export/", views.export, name="export"),
    path("bulk/", views.bulk, name="bulk"),
    path("import/", views.followup_import, name="import"),
    path("plans/", views.plan_page, name="plans"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("follows/<int:follow_id>/development/", views.development_edit, name="development_edit"),
    path("follows/<int:follow_id>/followups/", views.followup_add, name="followup_add"),
    path("follows/<int:follow_id>/tags/", views.tags_edit, name="tags_edit"),
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/new/", transfer_views.transfer_start, name="transfer_start"),
    path("transfers/<int:transfer_id>/", transfer_views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:transfer_id>/assign/", transfer_views.transfer_assign, name="transfer_assign"),
    path("transfers/<int:transfer_id>/cancel/", transfer_views.transfer_cancel, name="transfer_cancel"),
]
