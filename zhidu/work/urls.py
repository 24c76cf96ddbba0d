from django.urls import path

from . import library_views, reports_views, suggestions_views, tasks_views
from . import meetings_views as meetings

app_name = "work"

urlpatterns = [
    path("tasks/<int:task_id>/", tasks_views.task_detail, name="task"),
    path("", tasks_views.my_work, name="my_work"),
    path("board/", tasks_views.board, name="board"),
    path("tasks/new/", tasks_views.task_new, name="task_new"),
    path("tasks/<int:task_id>/edit/", tasks_views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/<str:what>/", tasks_views.task_act, name="task_act"),
    path("tasks/<int:task_id>/files/<int:attachment_id>/", tasks_views.task_attachment, name="task_attachment"),
    path("plans/", tasks_views.plans, name="plans"),
    path("plans/<int:plan_id>/", tasks_views.plan_detail, name="plan"),
    path("suggestions/", suggestions_views.suggestion_box, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", suggestions_views.suggestion_detail, name="suggestion"),
    path("reports/", reports_views.report_home, name="reports"),
    path("reports/write/", reports_views.report_write, name="report_write"),
    path("reports/templates/", reports_views.report_templates, name="report_templates"),
    path("reports/<int:report_id>/", reports_views.report_detail, name="report"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/calendar.ics", meetings.meetings_ics, name="meetings_ics"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:meeting_id>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/meeting.ics", meetings.meeting_ics, name="meeting_ics"),
]

urlpatterns += [
    path("library/", library_views.library, name="library"),
    path("library/new/", library_views.library_new, name="library_new"),
    path("library/<int:item_id>/", library_views.library_item, name="library_item"),
    path("library/<int:item_id>/edit/", library_views.library_edit, name="library_edit"),
    path("library/<int:item_id>/submit/", library_views.library_submit, name="library_submit"),
    path("library/<int:item_id>/like/", library_views.library_like, name="library_like"),
    path("library/<int:item_id>/use/", library_views.library_use, name="library_use"),
    path("library/cases/", library_views.library_cases, name="library_cases"),
    path("library/cases/new/", library_views.library_case_new, name="library_case_new"),
    path("library/cases/<int:case_id>/", library_views.library_case, name="library_case"),
]
