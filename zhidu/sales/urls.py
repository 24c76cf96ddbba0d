from django.urls import path

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
]
