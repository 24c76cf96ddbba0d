from django.urls import path

from . import reply_views, views

app_name = "compliance"
urlpatterns = [
    path("", views.violations, name="violations"),
    path("violations/<int:violation_id>/", views.violation_detail, name="violation_detail"),
    path("violations/<int:violation_id>/review/", views.violation_review, name="violation_review"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:rule_id>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("rules/import/", views.rules_import, name="rules_import"),
    path("rules/export/", views.rules_export, name="rules_export"),
    path("citations/", views.citations, name="citations"),
    path("citations/add/", views.citation_add, name="citation_add"),
    path("citations/<int:citation_id>/<slug:action>/", views.citation_decide, name="citation_decide"),
]

urlpatterns += [
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/test/", views.rule_test, name="rule_test_new"),
    path("rules/<int:rule_id>/edit/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_id>/test/", views.rule_test, name="rule_test"),
    path("rules/<int:rule_id>/revisions/<int:number>/", views.rule_revision, name="rule_revision"),
    path("rules/<int:rule_id>/revisions/<int:number>/restore/", views.rule_restore, name="rule_restore"),
]

urlpatterns += [path("reply/", reply_views.reply, name="reply")]
