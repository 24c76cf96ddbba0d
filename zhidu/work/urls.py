from django.urls import path

from . import meetings_views as meetings
from . import suggestions_views, tasks_views

app_name = "work"

urlpatterns = [
    path("tasks/<int:task_id>/", tasks_views.task_detail, name="task"),
    path("suggestions/", suggestions_views.suggestion_box, name="suggestions"),
    path("suggestions/<int:suggestion_id>/", suggestions_views.suggestion_detail, name="suggestion"),
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
