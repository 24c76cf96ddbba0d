from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("", views.my_scorecard, name="my_scorecard"),
    path("members/<int:member_id>/", views.member_scorecard, name="member_scorecard"),
    path("members/<int:member_id>/compute/", views.scorecard_compute, name="scorecard_compute"),
    path("scorecards/<int:card_id>/acknowledge/", views.scorecard_acknowledge, name="scorecard_acknowledge"),
    path("scorecards/<int:card_id>/evaluate/", views.evaluation_add, name="evaluation_add"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/freeze/", views.ranking_freeze, name="ranking_freeze"),
    path("export/", views.export, name="export"),
    path("kpis/", views.kpis, name="kpis"),
    path("kpis/new/", views.kpi_new, name="kpi_new"),
    path("kpis/<int:set_id>/", views.kpi_edit, name="kpi_edit"),
]
