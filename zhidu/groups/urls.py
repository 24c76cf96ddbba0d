from django.urls import path

from . import convention_views, moderation_views, views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("<int:group_id>/", views.group_detail, name="detail"),
    path("conventions/", convention_views.overview, name="conventions"),
    path("conventions/departments/", convention_views.departments, name="convention_departments"),
    path("conventions/departments/<int:department_id>/", convention_views.convention_edit, name="convention_edit"),
    path(
        "conventions/departments/<int:department_id>/reset/",
        convention_views.convention_reset,
        name="convention_reset",
    ),
    path("<int:group_id>/admins/", convention_views.designate, name="designate"),
    path("<int:group_id>/admins/<int:member_id>/revoke/", convention_views.revoke, name="revoke"),
    path("<int:group_id>/remind-all/", convention_views.remind_all, name="remind_all"),
    path("issues/<int:issue_id>/remind/", convention_views.remind, name="remind"),
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
