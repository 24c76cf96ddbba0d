from django.urls import path

from . import views_targets

app_name = "sales"
urlpatterns: list = []  # type: ignore[type-arg]

# Targets (views_targets.py).
urlpatterns += [
    path("targets/", views_targets.target_tree, name="targets"),
    path("targets/company/", views_targets.target_company, name="target_company"),
    path("targets/nodes/<int:node_id>/split/", views_targets.target_split, name="target_split"),
    path("targets/trees/<int:tree_id>/publish/", views_targets.target_publish, name="target_publish"),
    path("targets/export/", views_targets.target_export, name="target_export"),
    path("targets/import/", views_targets.target_import, name="target_import"),
    path("targets/plans/<int:plan_id>/", views_targets.target_plan, name="target_plan"),
]
