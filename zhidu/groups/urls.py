from django.urls import path

from . import moderation_views, views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("<int:group_id>/moderation/order/", moderation_views.order, name="moderation_order"),
    path("<int:group_id>/rules/", moderation_views.rules_link, name="rules_link"),
    path("<int:group_id>/robot/", moderation_views.robot_set, name="robot_set"),
    path("moderation/tasks/", moderation_views.tasks, name="moderation_tasks"),
    path("moderation/tasks/<int:action_id>/confirm/", moderation_views.task_confirm, name="moderation_confirm"),
    path("moderation/tasks/<int:action_id>/decline/", moderation_views.task_decline, name="moderation_decline"),
    path(
        "moderation/announcements/<int:announcement_id>/confirm/",
        moderation_views.announcement_confirm,
        name="announcement_confirm",
    ),
    path("moderation/cases/<int:case_id>/close/", moderation_views.case_close, name="moderation_case_close"),
    path("moderation/alerts/", moderation_views.alerts, name="moderation_alerts"),
]
