from django.urls import path

from . import views_targets
from .views import catalog, orders

app_name = "sales"
urlpatterns = [
    path("orders/", orders.order_list, name="orders"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/edit/", orders.order_edit, name="order_edit"),
    path("orders/<int:order_id>/<slug:action>/", orders.order_action, name="order_action"),
    path("approvals/", orders.approvals, name="approvals"),
    path("products/", catalog.product_list, name="products"),
    path("products/<int:product_id>/", catalog.product_detail, name="product_detail"),
    path("policies/<int:policy_id>/", catalog.policy_detail, name="policy_detail"),
    path("targets/", views_targets.target_tree, name="targets"),
    path("targets/company/", views_targets.target_company, name="target_company"),
    path("targets/nodes/<int:node_id>/split/", views_targets.target_split, name="target_split"),
    path("targets/trees/<int:tree_id>/publish/", views_targets.target_publish, name="target_publish"),
    path("targets/export/", views_targets.target_export, name="target_export"),
    path("targets/import/", views_targets.target_import, name="target_import"),
    path("targets/plans/<int:plan_id>/", views_targets.target_plan, name="target_plan"),
]
