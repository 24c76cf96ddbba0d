from django.urls import path

from . import views

app_name = "discipline"

urlpatterns = [
    path("", views.records, name="records"),
    path("inbox/", views.inbox, name="inbox"),
    path("export/", views.export, name="export"),
    path("policies/", views.policies, name="policies"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("<int:pk>/", views.record, name="record"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/appeal/", views.appeal, name="appeal"),
    path("<int:pk>/appeal/decide/", views.appeal_decide, name="appeal_decide"),
]
