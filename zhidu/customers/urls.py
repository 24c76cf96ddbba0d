from django.urls import path

from . import transfer_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/new/", transfer_views.transfer_start, name="transfer_start"),
    path("transfers/<int:transfer_id>/", transfer_views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:transfer_id>/assign/", transfer_views.transfer_assign, name="transfer_assign"),
    path("transfers/<int:transfer_id>/cancel/", transfer_views.transfer_cancel, name="transfer_cancel"),
]
